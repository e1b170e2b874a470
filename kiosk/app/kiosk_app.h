// The kiosk: `courtplay --config FILE` (and `--demo`). The composition root of the screens: one
// window, one share desk, at most one clip playing, and the loop that joins them. The screens
// (views) read a UiModel and emit intents; this is the only place that acts on them. It draws
// only when something changed: input, the desk, a new frame, or the clock's second.
#pragma once

#include "config/kiosk_config.h"
#include "kiosk/app/clip_player.h"
#include "kiosk/app/kiosk_window.h"
#include "kiosk/app/share_desk.h"
#include "kiosk/app/ui_model.h"
#include "kiosk/audit_trail.h"
#include "kiosk/service_notify.h"

#include <SDL.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace courtplay::kiosk::app {

class KioskApp;

struct KioskOptions {
    WindowOptions window;
    bool sound = true;
    std::vector<std::pair<std::string, std::string>> demo_codes;  // shown on the waiting screen
    // Called once a turn of the loop (a scripted tour): false ends the app.
    std::function<bool(KioskApp&)> driver;
};

class KioskApp {
public:
    // Throws std::runtime_error (no window) or config::ConfigError.
    KioskApp(const config::KioskConfig& cfg, AuditTrail& trail, KioskOptions options);
    ~KioskApp();
    KioskApp(const KioskApp&) = delete;
    KioskApp& operator=(const KioskApp&) = delete;

    int run();  // until court IT close it (admin), or the driver ends it: the exit code

    // For a driver: what is on screen, and input as if typed or touched.
    Screen screen() const { return model_.screen; }
    const DeskView& desk() const { return model_.desk; }
    const UiModel& model() const { return model_; }
    const kit::ScreenLayout& layout() const { return window_.layout(); }  // what the last frame drew where
    bool picture_shown() const { return player_ && player_->has_picture(); }
    player::PlayerState player_state() const;
    bool player_busy() const { return player_ && player_->busy(); }  // a seek or step not yet landed
    void type_text(const std::string& text);            // as a keyboard or barcode scanner types it
    void press_key(SDL_Keycode key, Uint16 mods = 0);
    void act(Intent intent) { pending_.push_back(std::move(intent)); }
    // Saves the next frame drawn as a PNG (drawn at once).
    void screenshot(const std::filesystem::path& file) { screenshot_ = file; dirty_ = 2; }
    bool screenshot_pending() const { return screenshot_.has_value(); }
    std::optional<std::string> screenshot_failure() const { return screenshot_failure_; }

private:
    bool turn();
    void handle(const SDL_Event& event);
    bool hotkey(const SDL_Event& event);  // true when the key was the screen's own
    void apply(const Intent& intent);
    void apply_pending();
    void follow_desk();
    void open_ready_clip();
    void close_clip();
    void end_session(bool timed_out);
    void check_idle(int64_t now_ms);
    void refresh_admin();
    void follow_court_displays();
    void follow_cast();
    void cast_clip();
    void refresh_court();
    void render();
    void go(Screen screen);
    void wake();

    const config::KioskConfig& cfg_;
    AuditTrail& trail_;
    const KioskOptions options_;
    KioskWindow window_;
    ServiceNotifier service_;  // systemd's READY, WATCHDOG and STOPPING (no-op outside systemd)
    Uint32 wake_event_ = 0;
    ShareDesk desk_;
    CourtDisplays court_;      // before the player, which sends them pictures
    CourtCast cast_;           // the pairing with a court receiver, for the session
    CourtCastView::Stage cast_seen_ = CourtCastView::Stage::none;
    std::unique_ptr<ClipPlayer> player_;
    UiModel model_;
    std::vector<Intent> pending_;
    int dirty_ = 2;                  // frames still to draw (ImGui settles in two)
    bool picture_new_ = false;       // the player presented a picture the window has not drawn yet
    int64_t last_input_ms_ = 0;
    int64_t last_pointer_ms_ = 0;
    int64_t corner_pressed_ms_ = 0;
    int64_t shown_second_ = 0;
    int64_t court_checked_ms_ = 0;
    player::Micros loop_from_ = player::kNoTime;  // "Loop from here", waiting for "to here"
    int wrong_pins_ = 0;
    int64_t pin_wait_until_ms_ = 0;
    bool quit_ = false;
    bool session_traces_ = false;  // a session has just ended: run() wipes what is left of it
    int exit_code_ = 0;
    std::optional<std::filesystem::path> screenshot_;
    std::optional<std::string> screenshot_failure_;
    Screen logged_screen_ = Screen::admin;  // differs from the first screen: it is logged
    Language logged_language_ = Language::en;
};

// `courtplay --config FILE [--windowed]`: reads the config, opens the audit trail and runs the
// kiosk. Exit codes as docs/kiosk.md says.
int run_kiosk(const std::string& config_file, bool windowed);

}  // namespace courtplay::kiosk::app
