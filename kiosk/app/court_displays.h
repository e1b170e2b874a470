// The courtroom's own screens on the kiosk's video outputs ([displays] court): on each, a window
// with no controls and no cursor that shows only what the court-screen gate passes (the
// watermarked picture, or black), and black between clips. Screens plugged in or unplugged
// during a hearing are followed by asking the X server (DisplayOutputs), once a second.
// Main thread only: its windows are SDL's.
#pragma once

#include "kiosk/display_outputs.h"
#include "kiosk/video_canvas.h"
#include "player/player.h"

#include <SDL.h>

#include <memory>
#include <string>
#include <vector>

namespace courtplay::kiosk::app {

struct CourtDisplay {
    std::string name;        // as the config names it
    bool connected = false;  // plugged in and lit: its window is up
};

class CourtDisplays final : public player::VideoSink {
public:
    // `wanted`: the config's names (or "2", ...); empty: the kiosk has no court screens.
    explicit CourtDisplays(std::vector<std::string> wanted);
    ~CourtDisplays() override;
    CourtDisplays(const CourtDisplays&) = delete;
    CourtDisplays& operator=(const CourtDisplays&) = delete;

    bool configured() const { return !screens_.empty(); }
    // Opens a window on each wanted screen now lit, closes those gone; never on `console` (the
    // kiosk's own window's place). The screens that came (connected) or went since the last call.
    std::vector<CourtDisplay> follow(const SDL_Rect& console);
    std::vector<CourtDisplay> status() const;
    bool owns(Uint32 window_id) const;
    void redraw(Uint32 window_id);  // the X server lost what the window showed (exposed)
    void begin_clip(int rotation);  // the clip's turn (0/90/180/270)
    void black();                   // between clips: nothing on any court screen

    void present(const player::VideoFrame& frame, const player::FramePosition& position) override;

private:
    struct Screen;
    bool light_plugged_in(const std::vector<DisplayOutput>& now);
    void open(Screen& s, const DisplayOutput& out);
    void draw(Screen& s);

    std::vector<std::unique_ptr<Screen>> screens_;
    std::unique_ptr<DisplayOutputs> outputs_;  // only with court screens: an X connection of its own
    player::VideoFrame last_;  // what the gate last passed, for a screen that comes back
    int rotation_ = 0;
};

}  // namespace courtplay::kiosk::app
