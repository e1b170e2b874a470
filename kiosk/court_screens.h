// What goes to the court's screens (the cast today): the watermarked picture, or black while the
// clerk has blanked them. Sits between the watermark stage and those outputs, so blanking holds
// back every picture of the evidence from the room while the kiosk's own screen keeps playing.
// Blank and show act at once: the picture on the court's screens is replaced without waiting for
// the next frame (playback may be paused). Main thread only.
#pragma once

#include "kiosk/controls.h"
#include "player/player.h"

#include <memory>
#include <vector>

namespace courtplay::kiosk {

class CourtScreens final : public player::VideoSink {
public:
    // `journal` (optional) records output.blanked for each change, before it takes effect;
    // `display` is how it names the screens; `blank`: how they start.
    CourtScreens(PlaybackJournal* journal, std::string display, bool blank = false)
        : journal_(journal), display_(std::move(display)), blank_(blank) {}
    void add(player::VideoSink* output) { outputs_.push_back(output); }
    void remove(player::VideoSink* output) { std::erase(outputs_, output); }
    bool empty() const { return outputs_.empty(); }

    void present(const player::VideoFrame& frame, const player::FramePosition& position) override;
    void repaint(const player::VideoFrame& frame, const player::FramePosition& position,
                 player::PictureRows changed) override;
    // Blanks (true) or shows (false). Throws audit::JournalError when it cannot be recorded, and
    // then changes nothing.
    void set_blank(bool blank, player::Micros position);
    // Sends what the screens show now again (to an output just added). Main thread.
    void resend() { send(true); }
    bool blank() const { return blank_; }

private:
    // `changed`: for a repaint, the rows changed since the last picture sent.
    void send(bool repaint, player::PictureRows changed = player::PictureRows::all());

    PlaybackJournal* journal_;
    std::string display_;
    std::vector<player::VideoSink*> outputs_;
    bool blank_ = false;
    player::VideoFrame last_;            // as marked, for show
    player::FramePosition last_at_;
    player::VideoFrame black_;           // the size and format of the last picture
};

}  // namespace courtplay::kiosk
