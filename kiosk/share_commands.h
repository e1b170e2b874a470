// The command-line faces of the share: `courtplay redeem` and `courtplay jws verify`.
// Exit codes are a contract (docs/share.md): redeem 0 granted, 2 bad config, 4 refused,
// 5 network or TLS failure; jws verify 0 verified, 1 not verified, 2 unreadable input.
#pragma once

#include <string>

namespace courtplay::kiosk {

int run_redeem(const std::string& config_file, const std::string& token);
int run_jws_verify(const std::string& jwk_file, const std::string& jws_file);  // "-" or "" = stdin

}  // namespace courtplay::kiosk
