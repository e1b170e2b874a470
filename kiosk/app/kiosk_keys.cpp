#include "kiosk/app/kiosk_app.h"

#include <cctype>
#include <string>

namespace courtplay::kiosk::app {
namespace {
// Crockford base32 as typed: letters and digits only, upper case (i/l/o are read by the token
// reader itself); separators a scanner or a person adds are dropped.
std::string code_chars(const char* text) {
    std::string out;
    for (const char* c = text; *c; ++c)
        if (std::isalnum(static_cast<unsigned char>(*c))) out += static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
    return out;
}
}  // namespace

// The keys each screen answers itself; the rest goes to ImGui's keyboard navigation (Tab, arrows,
// Enter), so every button can be reached without a pointer.
bool KioskApp::hotkey(const SDL_Event& e) {
    const Screen s = model_.screen;
    if (e.type == SDL_TEXTINPUT) {
        const std::string chars = code_chars(e.text.text);
        if (s == Screen::waiting && !chars.empty()) {
            pending_.push_back({Intent::start_code});
            pending_.push_back({Intent::type_char, 0, 0, chars});
            return true;
        }
        if (s == Screen::code && model_.desk.stage == DeskStage::no_share) {
            pending_.push_back({Intent::type_char, 0, 0, chars});
            return true;
        }
        if (s == Screen::admin_pin || s == Screen::cast) {
            const Intent::Kind digit = s == Screen::cast ? Intent::cast_char : Intent::pin_char;
            for (char c : chars)
                if (std::isdigit(static_cast<unsigned char>(c))) pending_.push_back({digit, 0, 0, std::string(1, c)});
            return true;
        }
        if (s == Screen::share && chars.size() == 1 && chars[0] >= '1' && chars[0] <= '9') {
            pending_.push_back({Intent::play_clip, chars[0] - '1'});
            return true;
        }
        if (s == Screen::player) {
            const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(e.text.text[0])));
            switch (c) {
            case '.': pending_.push_back({Intent::step}); return true;
            case ',': pending_.push_back({Intent::back_step}); return true;
            case 'm': pending_.push_back({Intent::toggle_mute}); return true;
            case 'a': pending_.push_back({Intent::loop_a}); return true;
            case 'b': pending_.push_back({Intent::loop_b}); return true;
            case '[': pending_.push_back({Intent::rate, 0, player_state().rate / 2}); return true;
            case ']': pending_.push_back({Intent::rate, 0, player_state().rate * 2}); return true;
            case 'c': pending_.push_back({Intent::open_cast}); return true;
            default: return false;
            }
        }
        return s == Screen::code;  // nothing typed reaches a widget
    }
    const SDL_Keycode k = e.key.keysym.sym;
    const bool shift = e.key.keysym.mod & KMOD_SHIFT, ctrl = e.key.keysym.mod & KMOD_CTRL;
    // Court IT's door, from any screen: Ctrl+Shift+A (or a long press on the top-left corner).
    if (ctrl && shift && k == SDLK_a) {
        if (s != Screen::admin_pin && s != Screen::admin) pending_.push_back({Intent::admin_close, 1});
        return true;
    }
    const bool enter = k == SDLK_RETURN || k == SDLK_KP_ENTER;
    switch (s) {
    case Screen::waiting:
        if (k == SDLK_F2) pending_.push_back({Intent::switch_language});
        else if (enter || k == SDLK_SPACE) pending_.push_back({Intent::start_code});
        else return false;
        return true;
    case Screen::code:
        if (k == SDLK_F2) pending_.push_back({Intent::switch_language});
        else if (model_.desk.stage == DeskStage::no_share) {
            if (enter) pending_.push_back({Intent::submit_code});
            else if (k == SDLK_BACKSPACE) pending_.push_back({Intent::delete_char});
            else if (k == SDLK_ESCAPE) pending_.push_back({Intent::cancel_code});
            else return false;
        } else if (model_.desk.stage != DeskStage::redeeming && (enter || k == SDLK_ESCAPE)) {
            pending_.push_back({Intent::dismiss});
        } else return false;
        return true;
    case Screen::share:
        if (k == SDLK_ESCAPE) pending_.push_back({Intent::ask_end});
        else return false;
        return true;
    case Screen::confirm_end:
        if (k == SDLK_ESCAPE) pending_.push_back({Intent::cancel_end});
        else if (enter) pending_.push_back({Intent::confirm_end});
        else return false;
        return true;
    case Screen::player:
        switch (k) {
        case SDLK_SPACE: pending_.push_back({Intent::toggle_play}); break;
        case SDLK_RIGHT: pending_.push_back({Intent::jump, shift ? 30000000 : 5000000}); break;
        case SDLK_LEFT: pending_.push_back({Intent::jump, shift ? -30000000 : -5000000}); break;
        case SDLK_UP: pending_.push_back({Intent::jump, 30000000}); break;
        case SDLK_DOWN: pending_.push_back({Intent::jump, -30000000}); break;
        case SDLK_BACKSPACE: pending_.push_back({Intent::rate, 0, 1.0}); break;
        case SDLK_ESCAPE: pending_.push_back({Intent::back_to_clips}); break;
        case SDLK_F5:  // show or blank the court screens, as a presentation remote's blank key
            if (model_.court_screens.allowed) pending_.push_back({Intent::court_blank, 0, model_.court_screens.blank ? 0.0 : 1.0});
            break;
        default: return false;
        }
        return true;
    case Screen::cast:
        if (enter) pending_.push_back({Intent::cast_pair});
        else if (k == SDLK_BACKSPACE) pending_.push_back({Intent::cast_delete});
        else if (k == SDLK_ESCAPE) pending_.push_back({Intent::close_cast});
        else if (k == SDLK_UP || k == SDLK_DOWN)  // the next receiver in the list, or the one before
            pending_.push_back({Intent::cast_pick, int64_t(model_.cast.picked) + (k == SDLK_DOWN ? 1 : -1)});
        else if (k == SDLK_F5 && model_.court_screens.allowed)
            pending_.push_back({Intent::court_blank, 0, model_.court_screens.blank ? 0.0 : 1.0});
        else return false;
        return true;
    case Screen::admin_pin:
        if (enter) pending_.push_back({Intent::pin_submit});
        else if (k == SDLK_BACKSPACE) pending_.push_back({Intent::pin_delete});
        else if (k == SDLK_ESCAPE) pending_.push_back({Intent::admin_close});
        else return false;
        return true;
    case Screen::admin:
        if (k == SDLK_ESCAPE) pending_.push_back({Intent::admin_close});
        else return false;
        return true;
    }
    return false;
}

}  // namespace courtplay::kiosk::app
