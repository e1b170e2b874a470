// `courtplay receivers --config FILE` (docs/cast.md): court IT's check of this courtroom's
// receivers (`[cast] receivers`): each is reached over the control channel, its certificate is
// checked against the court CA as pairing does, and it says its name and whether it is casting.
// Nothing changes on any screen.
#pragma once

#include <string>

namespace courtplay::kiosk {

// Prints one line per receiver. Exit codes: 0 every receiver answered; 5 one or more did not (or
// is not a court screen); 2 a bad config, or one with no [cast] court_ca or receivers.
int run_receivers(const std::string& config_file);

}  // namespace courtplay::kiosk
