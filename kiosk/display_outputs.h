// The kiosk's video outputs as the X server has them now (RandR): which are plugged in and lit,
// and where each sits on the desktop. SDL 2.26 reads its display list once at start and never
// again on X11, so a courtroom screen unplugged or plugged in during a hearing is seen here, by
// asking the X server, not through SDL.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace courtplay::kiosk {

struct DisplayOutput {
    std::string name;          // RandR's name, as `xrandr` lists it: "HDMI-2", "DP-1"
    bool connected = false;    // a screen is plugged in
    bool lit = false;          // and shows part of the desktop (has a mode): only then usable
    int x = 0, y = 0, width = 0, height = 0;  // its part of the desktop, when lit
    bool primary = false;
};

// A connection of its own to the X server (DISPLAY). Main thread, like the rest of the UI.
class DisplayOutputs {
public:
    DisplayOutputs();  // no X server or no RandR: available() is false, list() is empty
    ~DisplayOutputs();
    DisplayOutputs(const DisplayOutputs&) = delete;
    DisplayOutputs& operator=(const DisplayOutputs&) = delete;

    bool available() const { return state_ != nullptr; }
    // Every output the graphics card has, in RandR's order. Asks the server without making it
    // probe the hardware (under a millisecond): the server itself notices plugs and unplugs.
    std::vector<DisplayOutput> list() const;
    // Lights a plugged-in output that shows nothing: its preferred mode, to the right of the rest
    // of the desktop (what a desktop does when a screen is plugged in; a bare kiosk has no
    // desktop to do it). What went wrong, if anything.
    std::optional<std::string> light(const std::string& name);

private:
    struct State;
    std::unique_ptr<State> state_;
};

// `wanted` as the config names a display: an output name, or "1", "2", ... for the first, second,
// ... lit output in RandR's order. The lit output it means now, if any.
std::optional<DisplayOutput> find_output(const std::vector<DisplayOutput>& outputs, const std::string& wanted);

}  // namespace courtplay::kiosk
