#pragma once

namespace courtplay::kiosk {

// `courtplay --demo`: makes a sample clip and plays it on screen with a short scripted tour of the
// controls (exact seek, frame steps both ways, speed), then prints what was shown.
int run_demo(bool headless);

}  // namespace courtplay::kiosk
