// `courtplay --demo`: the README's main command. It makes its own court (kiosk/app/demo_court.h:
// the reference share service on loopback, three demo clips, a CPS and a defence share) and opens
// the kiosk on it with both codes on the waiting screen. With no display (or --headless) it runs
// a scripted session instead (kiosk/app/demo_tour.h), saves a screenshot of each screen, prints
// where they are and what the audit trail recorded, and exits 0 when all went as scripted.
#pragma once

#include <string>

namespace courtplay::kiosk {

struct DemoOptions {
    bool headless = false;      // the scripted session even when there is a display
    bool windowed = false;      // a window rather than the whole screen
    std::string screenshots = "courtplay-demo-screens";  // where the scripted session saves them
};

int run_demo(const DemoOptions& options);

}  // namespace courtplay::kiosk
