// The video window: shows each presented frame (turned as the clip's rotation says, letterboxed)
// with an on-screen display of where playback is. SDL and ImGui are touched on the main thread only.
#pragma once

#include "kiosk/evidence_badge.h"
#include "kiosk/video_canvas.h"
#include "player/player.h"

#include <SDL.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct ImFontAtlas;

namespace courtplay::watermark {
class Watermark;
}

namespace courtplay::kiosk {

struct ScreenOptions {
    std::string title = "courtplay";
    bool fullscreen = false;
    int width = 1280, height = 720;  // windowed size
};

class Screen final : public player::VideoSink {
public:
    // Opens the window. Throws std::runtime_error when there is no display. The clip may be given
    // later (set_clip), since the window is made while the clip is still opening.
    explicit Screen(const ScreenOptions& options, player::ClipInfo clip = {});
    ~Screen() override;
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    void present(const player::VideoFrame& frame, const player::FramePosition& position) override;
    void repaint(const player::VideoFrame& frame, const player::FramePosition& position,
                 player::PictureRows changed) override;
    // The state shown in the on-screen display (from the player, once per loop).
    void set_state(const player::PlayerState& state) { state_ = state; }
    // Whether the clip is verified, streaming, reconnecting: shown at all times, not only with the OSD.
    void set_badge(const EvidenceBadge& badge) { badge_ = badge; }
    // Large lines in the middle, to be read across a courtroom (a receiver's name and pairing
    // code while idle); empty: none.
    void set_notice(std::vector<std::string> lines) { notice_ = std::move(lines); }
    // What is shown comes from this clip (its rotation, its recording time). The texture for its
    // pictures is made now, while its first picture is still being decoded.
    void set_clip(const player::ClipInfo& clip);
    // Draws again what is on screen (after a window event, or to refresh the display).
    void redraw();
    // Feeds an event to the on-screen display; true when it used the event.
    bool handle(const SDL_Event& event);
    void show_osd(uint32_t until_ticks) { osd_until_ = until_ticks; }
    // The watermark burned into the pictures shown: the position display and the badge keep to
    // the corners it is not in, so that nothing drawn over the picture ever covers it.
    void keep_clear_of(const watermark::Watermark* mark) { mark_ = mark; }
    void toggle_fullscreen();
    SDL_Window* window() const { return window_; }
    SDL_Renderer* renderer() const { return canvas_->renderer(); }  // null while the window has no framebuffer

private:
    void draw_osd();
    void draw_badge(const std::optional<SDL_Rect>& mark, const std::optional<SDL_Rect>& position);
    void draw_notice();
    std::string osd_line() const;
    std::optional<SDL_Rect> mark_on_screen() const;  // in ImGui's coordinates

    SDL_Window* window_ = nullptr;
    std::unique_ptr<VideoCanvas> canvas_;  // the renderer and the picture; gone before the window
    bool imgui_renderer_ = false;          // ImGui's renderer backend is set up on the canvas's renderer
    std::unique_ptr<ImFontAtlas> font_;    // the ImGui context's, which does not own it: gone after it
    player::ClipInfo clip_;
    bool fullscreen_;
    bool bare_desktop_ = false;  // no window manager: full screen is a borderless window of the display's size
    SDL_Rect windowed_;          // the size to go back to from full screen
    bool imgui_ = false;
    player::PlayerState state_;
    EvidenceBadge badge_;
    std::vector<std::string> notice_;
    player::FramePosition position_;
    uint32_t osd_until_ = 0;
    const watermark::Watermark* mark_ = nullptr;
};

}  // namespace courtplay::kiosk
