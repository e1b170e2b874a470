#pragma once

#include "player/av_ptr.h"

namespace courtplay::kiosk {

// When this process started, on the monotonic clock. The kernel keeps the start in 10 ms ticks and
// rounds down, so figures measured from it err on the slow side, never the fast one.
player::Micros process_start_time();

}  // namespace courtplay::kiosk
