// `courtplay receiver`: the computer behind a courtroom screen that shows what a kiosk casts to it
// (docs/cast.md). Listens for one encrypted SRT stream at a time, shows it full screen (or, with
// --headless, only decodes it), writes the frame log with the sender's media seconds, and goes
// back to listening when the stream ends. SIGTERM or SIGINT end it (exit 0).
#pragma once

#include <string>

namespace courtplay::kiosk {

struct ReceiverOptions {
    std::string config;           // the receiver's TOML (config/receiver_config.h)
    std::string listen;           // HOST:PORT, instead of the config's
    bool headless = false;
    std::string frame_log;
    std::string stats;
    // Until pairing exists (the next step): the stream key, 64 hex digits in an owner-only file.
    std::string stream_key_file;
    bool verbose = false;
};

// 0 when stopped by a signal or the window closed; 2 bad arguments or config; 1 cannot listen.
int run_receiver(const ReceiverOptions& options);

}  // namespace courtplay::kiosk
