// `courtplay session`: redeem a share, fetch the permitted clip over HTTPS, prove it is the
// original (SHA-256 against the grant) and play it inside the grant's segment, while the share
// is watched: revocation or expiry stops playback at once.
// Exit codes (docs/share.md): 0, 2 bad arguments or config, 3 media that fails verification or
// cannot be played, 4 refused (or ended during playback), 5 network or TLS failure.
#pragma once

#include "kiosk/play_session.h"

#include <string>

namespace courtplay::kiosk {

struct SessionOptions {
    std::string config;
    std::string token;
    std::string clip;  // a clip id, or its number in the grant counting from 1; empty = the first
    PlayOptions play;  // input and segment come from the grant
};

int run_session(const SessionOptions& options);

}  // namespace courtplay::kiosk
