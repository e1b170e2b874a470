// The kiosk's one window: fullscreen and borderless (or a window, for a developer), an SDL renderer
// with Dear ImGui on it, fonts large enough for a courtroom at any display's size, and the lockdown an application can do
// itself: no close, no minimise on focus loss, the keyboard grabbed, no clipboard, the cursor hidden
// when idle, the screen saver held off only while evidence plays. The OS image does the rest.
#pragma once

#include "kiosk/app/ui_model.h"
#include "kiosk/app/view_kit.h"

#include <SDL.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace courtplay::kiosk::app {

struct WindowOptions {
    bool windowed = false;
    std::string display;              // the console's output ([displays] console); empty: the first
    int width = 1920, height = 1080;  // windowed, and with no display (offscreen)
};

class KioskWindow {
public:
    // Throws std::runtime_error when no window can be made.
    explicit KioskWindow(const WindowOptions& options);
    ~KioskWindow();
    KioskWindow(const KioskWindow&) = delete;
    KioskWindow& operator=(const KioskWindow&) = delete;

    SDL_Renderer* renderer() const { return renderer_; }
    const Fonts& fonts() const { return fonts_; }
    const kit::ScreenLayout& layout() const { return layout_; }  // of the frame drawn last
    float scale() const { return layout_.scale; }  // the window's pixels per design pixel (1920x1080)
    bool offscreen() const { return offscreen_; }
    int width() const;
    int height() const;
    SDL_Rect bounds() const;  // where the window is on the desktop

    // Feeds an event to ImGui; true when the window was touched or typed at (activity).
    bool handle(const SDL_Event& event);
    void begin_frame();  // starts an ImGui frame
    // Draws the frame: `draw_video` with the renderer, then ImGui over it. Only the rectangle
    // `only` is drawn again when the window still holds the frame drawn before (SDL's software
    // renderer draws into the window's own pixels) and ImGui draws exactly what it drew then: a
    // paused picture whose watermark clock moved on is a band of rows, not the whole screen.
    // False when nothing needed drawing.
    bool end_frame(const std::function<void()>& draw_video, std::optional<SDL_Rect> only = std::nullopt);
    void present();
    // The frame just rendered (before present), as a PNG file. What went wrong, if anything.
    std::optional<std::string> screenshot(const std::filesystem::path& file) const;
    void evidence_playing(bool playing);  // holds the screen saver off while true
    void idle_cursor(bool idle);
    void take_focus();  // the keyboard back to the console (after a court screen's window opened)
    // Wipes Dear ImGui's scratch buffer, which keeps the last formatted line it drew (a case
    // reference on the share screen) until another as long overwrites it.
    void forget_drawn_text();

private:
    void fit_to_window();  // fonts and sizes for the window's size, as it is now

    SDL_Window* window_ = nullptr;
    SDL_Renderer* renderer_ = nullptr;
    Fonts fonts_;
    kit::ScreenLayout layout_;
    bool offscreen_ = false;
    bool cursor_hidden_ = false;
    bool keeps_frame_ = false;    // the renderer's pixels are the window's, kept from frame to frame
    size_t drawn_ui_ = 0;         // a digest of ImGui's drawing in the frame on screen (0: none)
};

}  // namespace courtplay::kiosk::app
