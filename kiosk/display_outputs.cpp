#include "kiosk/display_outputs.h"

#include <X11/Xlib.h>
#include <X11/extensions/Xrandr.h>

#include <algorithm>

namespace courtplay::kiosk {
namespace {
struct ResourcesFree { void operator()(XRRScreenResources* r) const { XRRFreeScreenResources(r); } };
struct OutputFree { void operator()(XRROutputInfo* o) const { XRRFreeOutputInfo(o); } };
struct CrtcFree { void operator()(XRRCrtcInfo* c) const { XRRFreeCrtcInfo(c); } };
}  // namespace

struct DisplayOutputs::State {
    Display* display = nullptr;
    ~State() {
        if (display) XCloseDisplay(display);
    }
};

DisplayOutputs::DisplayOutputs() {
    auto state = std::make_unique<State>();
    state->display = XOpenDisplay(nullptr);
    if (!state->display) return;
    int event_base = 0, error_base = 0, major = 0, minor = 0;
    // RandR 1.3 for the "current" query (no hardware probe) and the primary output.
    if (!XRRQueryExtension(state->display, &event_base, &error_base) ||
        !XRRQueryVersion(state->display, &major, &minor) || (major == 1 && minor < 3))
        return;
    state_ = std::move(state);
}

DisplayOutputs::~DisplayOutputs() = default;

std::vector<DisplayOutput> DisplayOutputs::list() const {
    std::vector<DisplayOutput> outputs;
    if (!state_) return outputs;
    Display* d = state_->display;
    const Window root = DefaultRootWindow(d);
    std::unique_ptr<XRRScreenResources, ResourcesFree> res(XRRGetScreenResourcesCurrent(d, root));
    if (!res) return outputs;
    const RROutput primary = XRRGetOutputPrimary(d, root);
    for (int i = 0; i < res->noutput; ++i) {
        std::unique_ptr<XRROutputInfo, OutputFree> info(XRRGetOutputInfo(d, res.get(), res->outputs[i]));
        if (!info) continue;
        DisplayOutput out;
        out.name.assign(info->name, size_t(info->nameLen));
        out.connected = info->connection == RR_Connected;
        out.primary = res->outputs[i] == primary;
        if (info->crtc != None) {
            std::unique_ptr<XRRCrtcInfo, CrtcFree> crtc(XRRGetCrtcInfo(d, res.get(), info->crtc));
            if (crtc && crtc->mode != None && crtc->width > 0 && crtc->height > 0) {
                out.lit = out.connected;
                out.x = crtc->x;
                out.y = crtc->y;
                out.width = int(crtc->width);
                out.height = int(crtc->height);
            }
        }
        outputs.push_back(std::move(out));
    }
    return outputs;
}

std::optional<std::string> DisplayOutputs::light(const std::string& name) {
    if (!state_) return "no display server";
    Display* d = state_->display;
    const Window root = DefaultRootWindow(d);
    // The full query (it may probe the hardware): the new screen's modes are read now.
    std::unique_ptr<XRRScreenResources, ResourcesFree> res(XRRGetScreenResources(d, root));
    if (!res) return "the display server did not list its outputs";
    RROutput output = None;
    std::unique_ptr<XRROutputInfo, OutputFree> info;
    int right = 0, bottom = 0;  // the desktop's extent now
    for (int i = 0; i < res->noutput; ++i) {
        std::unique_ptr<XRROutputInfo, OutputFree> o(XRRGetOutputInfo(d, res.get(), res->outputs[i]));
        if (!o) continue;
        if (std::string(o->name, size_t(o->nameLen)) == name) {
            output = res->outputs[i];
            info = std::move(o);
        }
    }
    for (int i = 0; i < res->ncrtc; ++i) {
        std::unique_ptr<XRRCrtcInfo, CrtcFree> c(XRRGetCrtcInfo(d, res.get(), res->crtcs[i]));
        if (c && c->mode != None) {
            right = std::max(right, c->x + int(c->width));
            bottom = std::max(bottom, c->y + int(c->height));
        }
    }
    if (!info || info->connection != RR_Connected || info->nmode == 0) return "it is not plugged in";
    const RRMode mode = info->modes[0];  // the preferred modes come first
    const XRRModeInfo* mode_info = nullptr;
    for (int i = 0; i < res->nmode; ++i)
        if (res->modes[i].id == mode) mode_info = &res->modes[i];
    if (!mode_info) return "its mode is unknown";
    RRCrtc free_crtc = None;
    for (int i = 0; i < info->ncrtc && free_crtc == None; ++i) {
        std::unique_ptr<XRRCrtcInfo, CrtcFree> c(XRRGetCrtcInfo(d, res.get(), info->crtcs[i]));
        if (c && c->noutput == 0) free_crtc = info->crtcs[i];
    }
    if (free_crtc == None) return "the graphics card has no free output left";
    const int width = right + int(mode_info->width), height = std::max(bottom, int(mode_info->height));
    int min_w = 0, min_h = 0, max_w = 0, max_h = 0;
    XRRGetScreenSizeRange(d, root, &min_w, &min_h, &max_w, &max_h);
    if (width > max_w || height > max_h) return "the desktop cannot grow to hold it";
    // The desktop grows first (a screen must fit inside it), keeping its pixels' physical size.
    const int screen = DefaultScreen(d);
    const double mm_per_px = DisplayWidth(d, screen) > 0 ? double(DisplayWidthMM(d, screen)) / DisplayWidth(d, screen) : 0.26;
    XGrabServer(d);
    XRRSetScreenSize(d, root, width, height, int(width * mm_per_px), int(height * mm_per_px));
    const Status set = XRRSetCrtcConfig(d, res.get(), free_crtc, CurrentTime, right, 0, mode, RR_Rotate_0, &output, 1);
    XUngrabServer(d);
    XSync(d, False);
    if (set != Success) return "the display server refused its mode";
    return std::nullopt;
}

std::optional<DisplayOutput> find_output(const std::vector<DisplayOutput>& outputs, const std::string& wanted) {
    const bool index = !wanted.empty() && wanted.find_first_not_of("0123456789") == std::string::npos;
    size_t lit = 0;
    for (const DisplayOutput& o : outputs) {
        if (!o.lit) continue;
        ++lit;
        if (index ? std::to_string(lit) == wanted : o.name == wanted) return o;
    }
    return std::nullopt;
}

}  // namespace courtplay::kiosk
