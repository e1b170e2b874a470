// What the kiosk's screens read (UiModel) and what they ask for (Intent). The screens draw the
// model and emit intents; only the app (kiosk_app.cpp) changes anything.
#pragma once

#include "kiosk/app/court_cast.h"
#include "kiosk/app/court_displays.h"
#include "kiosk/app/share_desk.h"
#include "kiosk/app/strings.h"
#include "player/player.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct ImFont;

namespace courtplay::kiosk::app {

enum class Screen { waiting, code, share, player, cast, confirm_end, admin_pin, admin };
const char* screen_name(Screen s);  // "waiting", ... for logs and tests

struct Fonts {
    ImFont* body = nullptr;   // ordinary text and buttons
    ImFont* large = nullptr;  // headings, the party banner
    ImFont* huge = nullptr;   // the waiting screen's clock
    ImFont* code = nullptr;   // the share code as typed (monospaced: 0/O and 1/I stay apart)
};

struct PlayerModel {
    player::PlayerState state;
    player::FramePosition position;
    std::string title;
    std::string recorded_at;  // the clip's recording start (ISO UTC from the grant), may be empty
    EvidenceBadge badge;
    float video_bottom = 0;   // where the picture ends and the controls begin (pixels)
};

// The courtroom's screens ([displays] court) as the console shows them.
struct CourtScreensModel {
    bool configured = false;
    bool allowed = false;      // the clip playing may go to them (its grant has `cast`)
    bool blank = true;
    std::vector<CourtDisplay> screens;
    bool receivers = false;    // the kiosk can cast to a court receiver ([cast] court_ca, and receivers or find_receivers)
    CourtCastView cast;        // the pairing with one
    bool casting = false;      // the clip playing goes to it
    bool live() const;         // the clip is on at least one of them now
};

// The cast screen: pick a court receiver, type the code its screen shows.
struct CastModel {
    std::vector<std::string> receivers;  // [cast] receivers, HOST:PORT
    size_t picked = 0;                   // in court_screens.cast.receivers
    std::string code;                    // digits as typed
};

struct AdminModel {
    bool pin_set = false;
    std::string pin_typed;    // shown as dots
    bool pin_wrong = false;
    int pin_wait_s = 0;       // after wrong PINs: seconds before another try
    bool service_reachable = false;
    int64_t backlog = 0;
    int64_t cache_bytes = 0;
    int cache_clips = 0;
    int displays = 0;
    bool purged = false;
};

struct UiModel {
    Screen screen = Screen::waiting;
    Language language = Language::en;
    Fonts fonts;
    std::string court, room;
    int64_t now = 0;                        // Unix seconds, for the clock and countdowns
    std::vector<std::pair<std::string, std::string>> demo_codes;  // (label, code) shown by --demo
    std::string typed;                      // the share code so far
    bool code_not_right = false;
    DeskView desk;
    std::optional<PlayerModel> player;
    std::optional<int> idle_left_s;         // the inactivity countdown, when it shows
    AdminModel admin;
    CourtScreensModel court_screens;
    CastModel cast;
};

struct Intent {
    enum Kind {
        switch_language,
        start_code,
        type_char,       // text: the characters
        delete_char,
        clear_code,
        submit_code,
        cancel_code,
        dismiss,         // back from a refusal or a failed clip
        play_clip,       // index
        back_to_clips,
        ask_end,
        confirm_end,
        cancel_end,
        toggle_play,
        step,
        back_step,
        jump,            // us
        seek,            // us
        rate,            // value
        toggle_mute,
        volume,          // value
        loop_a,
        loop_b,
        loop_off,
        court_blank,     // value: 1 blank, 0 show
        open_cast,       // the cast screen
        cast_pick,       // index
        cast_char,       // text: a digit
        cast_delete,
        cast_pair,
        cast_stop,
        close_cast,      // back to the player
        pin_char,        // text
        pin_delete,
        pin_submit,
        admin_purge,
        admin_exit,
        admin_close,
    };
    Kind kind;
    int64_t index = 0;
    double value = 0;
    std::string text;
};

using Intents = std::vector<Intent>;

// Draws the screen the model says (views_*.cpp) into the current ImGui frame.
void draw_screen(const UiModel& model, Intents& out);

}  // namespace courtplay::kiosk::app
