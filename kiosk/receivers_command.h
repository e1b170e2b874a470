// `courtplay receivers --config FILE` (docs/cast.md): court IT's check of this courtroom's
// receivers (`[cast] receivers`): each is reached over the control channel, its certificate is
// checked against the court CA as pairing does, and it says its name and whether it is casting.
// Nothing changes on any screen. `--find` also lists the receivers announced on the network.
#pragma once

#include <string>

namespace courtplay::kiosk {

// Prints one line per receiver. With `find`, then also those announced on the network (DNS-SD),
// looked for for 2 s. Exit codes: 0 every listed receiver answered; 5 one or more did not (or is
// not a court screen), or `find` could not look; 2 a bad config, or one with no [cast] court_ca,
// or no receivers and no `find`.
int run_receivers(const std::string& config_file, bool find);

}  // namespace courtplay::kiosk
