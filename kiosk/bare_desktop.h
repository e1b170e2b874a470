// Whether the X display has no window manager (a kiosk's bare X server, or Xvfb).
#pragma once

namespace courtplay::kiosk {

// True only on SDL's X11 driver when no window manager has announced itself (EWMH's
// _NET_SUPPORTING_WM_CHECK on the root window). There, full screen is asked of nobody: SDL's X11
// backend sends the request and then waits 100 ms for a window manager to carry it out, on the
// way to the first frame (docs/benchmarks.md). Call after SDL_Init.
bool bare_x11_desktop();

}  // namespace courtplay::kiosk
