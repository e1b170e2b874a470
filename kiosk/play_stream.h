// `courtplay play https://...`: a clip streamed from an HTTPS server through player::HttpsSource
// instead of read from a file. The server's certificate is verified (the system's CA bundle, or
// --ca-file); the clip itself cannot be (no SHA-256 is known for it), and stderr says so.
#pragma once

#include "kiosk/play_session.h"

#include <string>

namespace courtplay::kiosk {

// INPUT is a network address (`scheme://...`), not a file.
bool is_network_address(const std::string& input);

// Plays the clip at options.input: https only, any other scheme is refused (exit 2). Exit codes as
// run_play's, and 5 when the server stays unreachable or its certificate does not verify.
int play_stream(const PlayOptions& options);

}  // namespace courtplay::kiosk
