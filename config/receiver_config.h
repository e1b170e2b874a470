// A cast receiver's configuration (`courtplay receiver --config FILE`, docs/cast.md): its own small
// TOML file, since a receiver behind a courtroom screen has no share service, cache or journal.
// Unknown keys and tables are refused, as in the kiosk's file.
//
//   [receiver]
//   name = "Court 3 left screen"   # shown while idle; 1..64 printable characters
//   listen = "0.0.0.0:7700"        # SRT listener (default)
//   latency_ms = 40                # SRT latency, 20..8000 (default 40: a wired court network)
//   certificate = "receiver.pem"   # TLS certificate for pairing, issued by the court CA
//   private_key = "receiver.key"   # its key, owner-only (chmod 600)
// Relative paths are taken from the file's folder. Without a certificate the receiver cannot pair
// (it then needs --stream-key-file).
#pragma once

#include "config/kiosk_config.h"

#include <filesystem>
#include <string>

namespace courtplay::config {

struct ReceiverConfig {
    std::filesystem::path file;
    std::string name;
    std::string listen = "0.0.0.0:7700";
    int latency_ms = 40;
    std::filesystem::path certificate, private_key;  // both or neither
};

// Throws ConfigError naming the file, the key and what is expected.
ReceiverConfig load_receiver_config(const std::filesystem::path& file);

}  // namespace courtplay::config
