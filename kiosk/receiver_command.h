// `courtplay receiver`: the computer behind a courtroom screen that shows what a kiosk casts to it
// (docs/cast.md). While idle it shows its name and a pairing code; a kiosk that sends that code
// over the TLS control channel pairs and gives the stream key. It shows one encrypted SRT stream
// at a time full screen (or, with --headless, only decodes it), writes the frame log with the
// sender's media seconds, and goes back to idle with a new code when the cast ends. With
// --stream-key-file it does not pair: it takes any stream under that key (for standard SRT tools).
// SIGTERM or SIGINT end it (exit 0).
#pragma once

#include <string>

namespace courtplay::kiosk {

struct ReceiverOptions {
    std::string config;           // the receiver's TOML (config/receiver_config.h)
    std::string listen;           // HOST:PORT, instead of the config's
    bool headless = false;
    std::string frame_log;
    std::string stats;
    std::string stream_key_file;  // a fixed key instead of pairing: 64 hex digits, owner-only file
    bool print_pairing_code = false;  // each new code on stdout, a line each (for automation)
    bool verbose = false;
};

// 0 when stopped by a signal or the window closed; 2 bad arguments or config; 1 cannot listen.
int run_receiver(const ReceiverOptions& options);

}  // namespace courtplay::kiosk
