// `courtplay session`: redeem a share and play one clip it permits, inside the grant's segment,
// while the share is watched (revocation or expiry stops playback at once). The clip plays from
// the encrypted cache when it is there and verified; a clip the grant lets the kiosk cache is
// fetched into the cache first; any other is streamed over HTTPS and proven to be the original
// (SHA-256 against the grant) before its first frame. When the session ends, its cached clips
// are purged unless the config keeps them for the hearing.
// Exit codes (docs/share.md): 0, 2 bad arguments or config, 3 media that fails verification or
// cannot be played, 4 refused (or ended during playback), 5 network or TLS failure (or, with
// --cache-only, a clip that is not cached; or the receiver of --cast refused to pair or went away),
// 6 the cache cannot be used.
#pragma once

#include "kiosk/play_session.h"

#include <string>

namespace courtplay::kiosk {

struct SessionOptions {
    std::string config;
    std::string token;
    std::string clip;  // a clip id, or its number in the grant counting from 1; empty = the first
    bool cache_only = false;  // never fetch media over the network
    // Cast the clip to a courtroom receiver for the whole session (docs/cast.md): its HOST:PORT and
    // the pairing code shown on its screen. Needs the grant's `cast` and the config's [cast].
    std::string cast;
    std::string pairing_code;
    PlayOptions play;  // input and segment come from the grant
};

int run_session(const SessionOptions& options);

}  // namespace courtplay::kiosk
