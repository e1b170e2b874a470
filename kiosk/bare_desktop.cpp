#include "kiosk/bare_desktop.h"

#include <SDL.h>
#include <X11/Xatom.h>
#include <X11/Xlib.h>

#include <cstring>
#include <memory>

namespace courtplay::kiosk {
namespace {
struct DisplayClose { void operator()(Display* d) const { XCloseDisplay(d); } };
struct XFreeData { void operator()(unsigned char* p) const { XFree(p); } };
}  // namespace

bool bare_x11_desktop() {
    const char* driver = SDL_GetCurrentVideoDriver();
    if (!driver || std::strcmp(driver, "x11") != 0) return false;
    // A connection of our own (about a millisecond): SDL's is not reachable before its window exists.
    std::unique_ptr<Display, DisplayClose> display(XOpenDisplay(nullptr));
    if (!display) return false;
    // Only if it exists: a window manager interns it; an atom nobody made means nobody is there.
    const Atom check = XInternAtom(display.get(), "_NET_SUPPORTING_WM_CHECK", True);
    if (check == None) return true;
    Atom type = None;
    int format = 0;
    unsigned long items = 0, left = 0;
    unsigned char* raw = nullptr;
    const int status = XGetWindowProperty(display.get(), DefaultRootWindow(display.get()), check, 0, 1, False,
                                          XA_WINDOW, &type, &format, &items, &left, &raw);
    std::unique_ptr<unsigned char, XFreeData> data(raw);
    // A window manager that died leaves the property behind: then full screen is asked for as
    // before, and the worst is the wait this avoids.
    if (status != Success) return false;
    return type != XA_WINDOW || items == 0;
}

}  // namespace courtplay::kiosk
