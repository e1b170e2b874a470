#include "kiosk/app/court_displays.h"

#include <SDL_syswm.h>
#include <X11/Xlib.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace courtplay::kiosk::app {

struct CourtDisplays::Screen {
    std::string wanted;
    bool plugged = false;  // its output was connected at the last look
    std::string console_warned;  // said once: this output is the console's
    std::string output;  // the RandR output it is on, while up
    SDL_Rect where{};
    SDL_Window* window = nullptr;
    std::unique_ptr<VideoCanvas> canvas;  // gone before the window

    void close() {
        canvas.reset();
        if (window) SDL_DestroyWindow(window);
        window = nullptr;
        output.clear();
    }
    ~Screen() { close(); }
};

namespace {

// No pointer on a court screen: an X cursor with no pixels, on that window only (SDL's cursor
// switch is for the whole app, and the console keeps its own).
void hide_cursor(SDL_Window* window) {
    SDL_SysWMinfo wm;
    SDL_VERSION(&wm.version);
    if (!SDL_GetWindowWMInfo(window, &wm) || wm.subsystem != SDL_SYSWM_X11) return;
    Display* d = wm.info.x11.display;
    const char none[1] = {0};
    const Pixmap empty = XCreateBitmapFromData(d, wm.info.x11.window, none, 1, 1);
    XColor black{};
    const Cursor invisible = XCreatePixmapCursor(d, empty, empty, &black, &black, 0, 0);
    XDefineCursor(d, wm.info.x11.window, invisible);
    XFreeCursor(d, invisible);
    XFreePixmap(d, empty);
}

}  // namespace

CourtDisplays::CourtDisplays(std::vector<std::string> wanted) {
    for (std::string& w : wanted) {
        auto s = std::make_unique<Screen>();
        s->wanted = std::move(w);
        screens_.push_back(std::move(s));
    }
    if (!configured()) return;
    outputs_ = std::make_unique<DisplayOutputs>();
    if (!outputs_->available())
        std::fprintf(stderr, "courtplay: the court screens cannot be found: the display server does not say which "
                             "screens are plugged in (RandR); nothing is shown on them\n");
}

CourtDisplays::~CourtDisplays() = default;

// A screen just plugged in (or found plugged in at start) but dark is lit: nothing else on a bare
// kiosk would. One that is plugged in and was turned off stays off. True when one was lit.
bool CourtDisplays::light_plugged_in(const std::vector<DisplayOutput>& now) {
    bool lit_one = false;
    for (auto& s : screens_) {
        auto it = std::find_if(now.begin(), now.end(), [&](const DisplayOutput& o) { return o.name == s->wanted; });
        const bool plugged = it != now.end() && it->connected;
        if (plugged && !s->plugged && !it->lit) {
            if (const std::optional<std::string> problem = outputs_->light(s->wanted))
                std::fprintf(stderr, "courtplay: court screen %s is plugged in but cannot be switched on: %s\n",
                             s->wanted.c_str(), problem->c_str());
            else
                lit_one = true;
        }
        s->plugged = plugged;
    }
    return lit_one;
}

void CourtDisplays::open(Screen& s, const DisplayOutput& out) {
    const SDL_Rect where{out.x, out.y, out.width, out.height};
    s.window = SDL_CreateWindow(("courtplay court screen " + s.wanted).c_str(), where.x, where.y, where.w, where.h,
                                SDL_WINDOW_BORDERLESS | SDL_WINDOW_SKIP_TASKBAR);
    try {
        if (!s.window) throw std::runtime_error(SDL_GetError());
        s.canvas = std::make_unique<VideoCanvas>(s.window);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "courtplay: court screen %s cannot be drawn on: %s\n", s.wanted.c_str(), e.what());
        s.close();
        return;
    }
    s.output = out.name;
    s.where = where;
    s.canvas->set_rotation(rotation_);
    hide_cursor(s.window);
    if (last_.picture) s.canvas->take(last_.picture);
    draw(s);
}

std::vector<CourtDisplay> CourtDisplays::follow(const SDL_Rect& console) {
    std::vector<CourtDisplay> changes;
    if (!outputs_ || !outputs_->available()) return changes;
    std::vector<DisplayOutput> now = outputs_->list();
    if (light_plugged_in(now)) now = outputs_->list();
    for (auto& s : screens_) {
        std::optional<DisplayOutput> out = find_output(now, s->wanted);
        const SDL_Rect where = out ? SDL_Rect{out->x, out->y, out->width, out->height} : SDL_Rect{};
        // Never over the clerk's own screen (a position that now means the console's output).
        if (out && SDL_HasIntersection(&where, &console)) {
            if (s->console_warned != out->name)
                std::fprintf(stderr, "courtplay: court screen %s is the console's screen (%s); nothing is shown on it\n",
                             s->wanted.c_str(), out->name.c_str());
            s->console_warned = out->name;
            out.reset();
        }
        const bool same = out && s->window && out->name == s->output && SDL_RectEquals(&where, &s->where);
        if (same || (!out && !s->window)) continue;
        const bool was_up = s->window != nullptr;
        s->close();
        if (out) open(*s, *out);
        const bool up = s->window != nullptr;
        if (up != was_up) {
            std::fprintf(stderr, "courtplay: court screen %s %s\n", s->wanted.c_str(), up ? "connected" : "disconnected");
            changes.push_back({s->wanted, up});
        }
    }
    return changes;
}

std::vector<CourtDisplay> CourtDisplays::status() const {
    std::vector<CourtDisplay> all;
    for (const auto& s : screens_) all.push_back({s->wanted, s->window != nullptr});
    return all;
}

bool CourtDisplays::owns(Uint32 window_id) const {
    for (const auto& s : screens_)
        if (s->window && SDL_GetWindowID(s->window) == window_id) return true;
    return false;
}

void CourtDisplays::redraw(Uint32 window_id) {
    for (auto& s : screens_)
        if (s->window && SDL_GetWindowID(s->window) == window_id) draw(*s);
}

void CourtDisplays::begin_clip(int rotation) {
    rotation_ = rotation;
    for (auto& s : screens_)
        if (s->canvas) s->canvas->set_rotation(rotation);
}

void CourtDisplays::black() {
    last_ = {};
    for (auto& s : screens_) {
        if (!s->window) continue;
        s->canvas->clear();
        draw(*s);
    }
}

void CourtDisplays::present(const player::VideoFrame& frame, const player::FramePosition&) {
    last_ = frame;
    for (auto& s : screens_) {
        if (!s->window) continue;
        if (!s->canvas->take(frame.picture)) s->canvas->clear();  // black, never a stale picture
        draw(*s);
    }
}

void CourtDisplays::draw(Screen& s) {
    if (s.canvas->stale() && !s.canvas->remake()) return;  // its size changed, and it has no framebuffer yet
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(s.canvas->renderer(), &w, &h);
    s.canvas->draw(SDL_Rect{0, 0, w, h});
    s.canvas->show();
}

}  // namespace courtplay::kiosk::app
