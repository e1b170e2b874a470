#include "kiosk/app/kiosk_app.h"

#include "audit/event.h"
#include "auth/pin_hash.h"
#include "auth/share_token.h"
#include "kiosk/exit_codes.h"
#include "player/errors.h"

#include <imgui.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace courtplay::kiosk::app {
namespace type = audit::event_type;
using player::kNoTime;
using player::Micros;

namespace {
int64_t now_ms() { return player::monotonic_now() / 1000; }
constexpr int64_t kCursorHideMs = 3000;
constexpr int kPinTriesBeforeWait = 3;
constexpr int64_t kCornerHoldMs = 3000;
constexpr int kControlsHeight = 370;  // the player's controls under the picture (pixels)

// SIGTERM (the system stopping the service) or SIGINT: the session ends properly, on record.
// Closing the window does not stop the kiosk; these do.
volatile std::sig_atomic_t g_stop_signal = 0;
void on_stop_signal(int sig) { g_stop_signal = sig; }

// Crockford base32 as typed: letters and digits only, upper case (i/l/o are read by the token
// reader itself); separators a scanner or a person adds are dropped.
std::string code_chars(const char* text) {
    std::string out;
    for (const char* c = text; *c; ++c)
        if (std::isalnum(static_cast<unsigned char>(*c))) out += static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
    return out;
}
}  // namespace

KioskApp::KioskApp(const config::KioskConfig& cfg, AuditTrail& trail, KioskOptions options)
    : cfg_(cfg),
      trail_(trail),
      options_(std::move(options)),
      window_(options_.window),
      wake_event_(SDL_RegisterEvents(1)),
      desk_(cfg, trail, [this] { wake(); }) {
    model_.language = cfg.ui.language == "cy" ? Language::cy : Language::en;
    model_.fonts = window_.fonts();
    model_.court = cfg.court;
    model_.room = cfg.room;
    model_.demo_codes = options_.demo_codes;
    model_.admin.pin_set = !cfg.admin.pin_hash.empty();
    last_input_ms_ = last_pointer_ms_ = now_ms();
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGTERM, SIGINT}) sigaction(sig, &sa, nullptr);
    SDL_StartTextInput();
}

KioskApp::~KioskApp() {
    player_.reset();
    SDL_StopTextInput();
}

void KioskApp::wake() {
    SDL_Event e{};
    e.type = wake_event_;
    SDL_PushEvent(&e);
}

player::PlayerState KioskApp::player_state() const {
    return player_ ? player_->state(player::monotonic_now()) : player::PlayerState{};
}

void KioskApp::type_text(const std::string& text) {
    SDL_Event e{};
    e.type = SDL_TEXTINPUT;
    std::snprintf(e.text.text, sizeof e.text.text, "%s", text.c_str());
    SDL_PushEvent(&e);
}

void KioskApp::press_key(SDL_Keycode key, Uint16 mods) {
    SDL_Event e{};
    e.type = SDL_KEYDOWN;
    e.key.state = SDL_PRESSED;
    e.key.keysym.sym = key;
    e.key.keysym.scancode = SDL_GetScancodeFromKey(key);
    e.key.keysym.mod = mods;
    SDL_PushEvent(&e);
    e.type = SDL_KEYUP;
    e.key.state = SDL_RELEASED;
    SDL_PushEvent(&e);
}

void KioskApp::apply_pending() {
    std::vector<Intent> now;
    now.swap(pending_);
    for (const Intent& i : now) apply(i);
}

void KioskApp::go(Screen screen) {
    model_.screen = screen;
    dirty_ = 2;
}

int KioskApp::run() {
    while (!quit_) {
        if (g_stop_signal) {
            std::fprintf(stderr, "courtplay: stopping (signal %d): the session, if any, is ended and recorded\n",
                         int(g_stop_signal));
            close_clip();
            break;
        }
        // How long nothing needs doing: the player's next frame, the clock's next second, the
        // cursor to hide; 250 ms at most so a countdown or the driver is never late.
        Micros wait_us = 250000;
        const int64_t wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch()).count();
        wait_us = std::min<Micros>(wait_us, (1000 - wall_ms % 1000) * 1000);
        if (player_) {
            bool shown = false;
            wait_us = std::min(wait_us, player_->tick(player::monotonic_now(), shown));
            if (shown) dirty_ = std::max(dirty_, 1);
        }
        if (dirty_ > 0 || !pending_.empty()) wait_us = 0;
        SDL_Event event;
        if (SDL_WaitEventTimeout(&event, static_cast<int>(std::clamp<Micros>((wait_us + 999) / 1000, 0, 250)))) {
            do handle(event);
            while (SDL_PollEvent(&event));
        }
        follow_desk();
        const int64_t second = std::time(nullptr);
        if (second != shown_second_) {
            shown_second_ = second;
            // The clock, the share's countdown and the idle countdown move once a second.
            if (model_.screen != Screen::player || model_.idle_left_s) dirty_ = std::max(dirty_, 1);
            if (model_.screen == Screen::admin) refresh_admin();
        }
        check_idle(now_ms());
        if (now_ms() - last_pointer_ms_ > kCursorHideMs) window_.idle_cursor(true);
        if (options_.driver && !options_.driver(*this)) quit_ = true;
        apply_pending();
        if (corner_pressed_ms_ && now_ms() - corner_pressed_ms_ >= kCornerHoldMs) {
            corner_pressed_ms_ = 0;
            if (model_.screen != Screen::admin && model_.screen != Screen::admin_pin) apply({Intent::admin_close, 1});
        }
        if (dirty_ > 0) render();
    }
    return exit_code_;
}

void KioskApp::handle(const SDL_Event& event) {
    if (event.type == wake_event_) return;
    if (event.type == SDL_QUIT ||
        (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE)) {
        std::fprintf(stderr, "courtplay: the kiosk cannot be closed from the window; court IT close it from the admin screen\n");
        return;
    }
    if (event.type == SDL_WINDOWEVENT) {
        dirty_ = 2;
        return;
    }
    const bool pointer = event.type == SDL_MOUSEMOTION || event.type == SDL_MOUSEBUTTONDOWN ||
                         event.type == SDL_FINGERDOWN || event.type == SDL_MOUSEWHEEL;
    if (pointer) last_pointer_ms_ = now_ms();
    // Court IT's door for touch: a press held on the top-left corner.
    if (event.type == SDL_MOUSEBUTTONDOWN) corner_pressed_ms_ = event.button.x < 90 && event.button.y < 90 ? now_ms() : 0;
    if (event.type == SDL_MOUSEBUTTONUP) corner_pressed_ms_ = 0;
    const bool input = pointer || event.type == SDL_KEYDOWN || event.type == SDL_TEXTINPUT || event.type == SDL_MOUSEBUTTONUP;
    if (input) {
        last_input_ms_ = now_ms();
        if (model_.idle_left_s) {
            model_.idle_left_s.reset();  // someone is there: the countdown goes, the input is not used
            dirty_ = 2;
            return;
        }
    }
    if ((event.type == SDL_KEYDOWN || event.type == SDL_TEXTINPUT) && hotkey(event)) {
        // At once: the next key (a scanner's Enter after the code) is meant for the screen this one leads to.
        apply_pending();
        return;
    }
    if (window_.handle(event)) dirty_ = 2;
}

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
        if (s == Screen::admin_pin) {
            for (char c : chars)
                if (std::isdigit(static_cast<unsigned char>(c))) pending_.push_back({Intent::pin_char, 0, 0, std::string(1, c)});
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
        default: return false;
        }
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

void KioskApp::apply(const Intent& in) {
    dirty_ = 2;
    const Micros now = player::monotonic_now();
    switch (in.kind) {
    case Intent::switch_language:
        model_.language = model_.language == Language::en ? Language::cy : Language::en;
        break;
    case Intent::start_code:
        model_.typed.clear();
        model_.code_not_right = false;
        go(Screen::code);
        break;
    case Intent::type_char:
        model_.typed = (model_.typed + in.text).substr(0, 20);
        model_.code_not_right = false;
        break;
    case Intent::delete_char:
        if (!model_.typed.empty()) model_.typed.pop_back();
        model_.code_not_right = false;
        break;
    case Intent::clear_code:
        model_.typed.clear();
        model_.code_not_right = false;
        break;
    case Intent::cancel_code:
        model_.typed.clear();
        go(Screen::waiting);
        break;
    case Intent::submit_code: {
        if (model_.desk.stage == DeskStage::unreachable) desk_.forget_refusal();
        // The check symbol catches a typo before the network is asked.
        const auth::TokenReading reading = auth::read_share_token(model_.typed);
        if (!reading.token) {
            model_.code_not_right = true;
            std::fprintf(stderr, "courtplay: share code not accepted: %s\n", reading.problem.c_str());
            break;
        }
        desk_.redeem(*reading.token);
        break;
    }
    case Intent::dismiss:
        desk_.forget_refusal();
        model_.typed.clear();
        break;
    case Intent::play_clip: desk_.prepare(static_cast<size_t>(in.index)); break;
    case Intent::back_to_clips:
        close_clip();
        go(Screen::share);
        break;
    case Intent::ask_end: go(Screen::confirm_end); break;
    case Intent::cancel_end: go(player_ ? Screen::player : Screen::share); break;
    case Intent::confirm_end: end_session(false); break;
    case Intent::pin_char:
        if (model_.admin.pin_typed.size() < 12) model_.admin.pin_typed += in.text;
        model_.admin.pin_wrong = false;
        break;
    case Intent::pin_delete:
        if (!model_.admin.pin_typed.empty()) model_.admin.pin_typed.pop_back();
        break;
    case Intent::pin_submit: {
        if (now_ms() < pin_wait_until_ms_ || !model_.admin.pin_set) break;
        const bool right = auth::pin_matches(model_.admin.pin_typed, cfg_.admin.pin_hash);
        std::fill(model_.admin.pin_typed.begin(), model_.admin.pin_typed.end(), '\0');
        model_.admin.pin_typed.clear();
        if (!right) {
            model_.admin.pin_wrong = true;
            // Guessing gets slower: 30 s after three wrong PINs, doubling after each further one.
            if (++wrong_pins_ >= kPinTriesBeforeWait)
                pin_wait_until_ms_ = now_ms() + (30000LL << std::min(wrong_pins_ - kPinTriesBeforeWait, 6));
            std::fprintf(stderr, "courtplay: a wrong admin PIN was entered (%d in a row)\n", wrong_pins_);
            break;
        }
        wrong_pins_ = 0;
        trail_.record_about({}, type::admin_signed_in);
        refresh_admin();
        go(Screen::admin);
        break;
    }
    case Intent::admin_purge:
        desk_.purge_cache();
        model_.admin.purged = true;
        break;
    case Intent::admin_exit:
        trail_.record_about({}, type::admin_exited);
        std::fprintf(stderr, "courtplay: the kiosk is closed from the admin screen\n");
        if (model_.desk.share) end_session(false);
        quit_ = true;
        break;
    case Intent::admin_close:
        model_.admin.pin_typed.clear();
        model_.admin.pin_wrong = false;
        model_.admin.purged = false;
        if (in.index == 1) {  // open: from the hidden key or corner
            go(Screen::admin_pin);
        } else {
            go(player_ ? Screen::player : model_.desk.share ? Screen::share : Screen::waiting);
        }
        break;
    default:
        if (!player_) break;
        {
            Controls& c = player_->controls();
            const player::PlayerState s = player_->state(now);
            switch (in.kind) {
            case Intent::toggle_play: s.paused ? c.play(now) : c.pause(now); break;
            case Intent::step: c.step(now); break;
            case Intent::back_step: c.back(now); break;
            case Intent::jump: c.jump(in.index, now); break;
            case Intent::seek: c.seek(in.index, now); break;
            case Intent::rate: c.set_rate(std::clamp(in.value, 0.25, 4.0), now); break;
            case Intent::toggle_mute: c.set_muted(!s.muted); break;
            case Intent::volume: c.set_volume(static_cast<float>(in.value)); break;
            case Intent::loop_a: loop_from_ = s.position; break;
            case Intent::loop_b:
                if (loop_from_ != kNoTime && s.position > loop_from_) c.set_loop(loop_from_, s.position, now);
                loop_from_ = kNoTime;
                break;
            case Intent::loop_off:
                loop_from_ = kNoTime;
                c.clear_loop(now);
                break;
            default: break;
            }
        }
    }
}

// The desk moved on (a redemption answered, a clip ready, the share ended): the screens follow.
void KioskApp::follow_desk() {
    DeskView v = desk_.view();
    if (v.version == model_.desk.version) return;
    const DeskStage before = model_.desk.stage;
    model_.desk = std::move(v);
    dirty_ = 2;
    const DeskView& d = model_.desk;
    if (d.stage == DeskStage::open && before == DeskStage::redeeming) {
        model_.typed.clear();
        go(Screen::share);
    }
    if (d.stage == DeskStage::no_share && before == DeskStage::ending) go(Screen::waiting);
    if (d.share && d.share->ended) {
        // Revoked or expired while open: nothing more of it is shown.
        if (player_) close_clip();
        if (model_.screen == Screen::player) go(Screen::share);
    }
    if (d.ready && !player_) open_ready_clip();
}

void KioskApp::open_ready_clip() {
    std::optional<ReadyClip> ready = desk_.take_ready();
    if (!ready) return;
    PlayerModel pm;
    pm.title = ready->clip.title;
    pm.recorded_at = ready->clip.recorded_at;
    try {
        player_ = std::make_unique<ClipPlayer>(std::move(*ready), trail_, window_.renderer(), [this] { wake(); },
                                               options_.sound && !window_.offscreen());
    } catch (const player::OpenError& e) {
        std::fprintf(stderr, "courtplay: cannot play %s: %s\n", e.clip().c_str(), e.reason().c_str());
        desk_.clip_closed();
        return;
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: %s. The clip is not played.\n", e.what());
        desk_.clip_closed();
        return;
    }
    model_.player = pm;
    loop_from_ = kNoTime;
    window_.evidence_playing(true);
    go(Screen::player);
}

void KioskApp::close_clip() {
    if (!player_) return;
    player_.reset();  // records the end of its playback
    model_.player.reset();
    desk_.clip_closed();
    window_.evidence_playing(false);
}

void KioskApp::end_session(bool timed_out) {
    close_clip();
    if (timed_out) {
        try {
            audit::EventSubject about;
            about.session_id = trail_.subject.session_id;
            trail_.record_about(about, type::session_timed_out, std::nullopt, {{"idle_s", cfg_.ui.idle_timeout_s}});
        } catch (const audit::JournalError& e) {
            std::fprintf(stderr, "courtplay: %s\n", e.what());
        }
    }
    desk_.end_session();
    model_.typed.clear();
    model_.idle_left_s.reset();
    go(Screen::waiting);
}

// No touch or key for idle_timeout_s (while nothing plays) ends the session; the last
// idle_warning_s of it count down on screen. Half-typed codes go back to the waiting screen.
void KioskApp::check_idle(int64_t now) {
    const bool playing = player_ && !player_->state(player::monotonic_now()).paused;
    if (playing) last_input_ms_ = now;
    const int64_t idle_s = (now - last_input_ms_) / 1000;
    const bool session = model_.desk.share.has_value();
    if (!session) {
        if (model_.screen == Screen::code && model_.desk.stage == DeskStage::no_share && idle_s >= cfg_.ui.idle_warning_s)
            apply({Intent::cancel_code});
        // Court IT reading the admin screen get the session's whole idle time; an admin screen left
        // open closes by itself.
        if ((model_.screen == Screen::admin || model_.screen == Screen::admin_pin) && idle_s >= cfg_.ui.idle_timeout_s)
            apply({Intent::admin_close});
        return;
    }
    const int64_t left = cfg_.ui.idle_timeout_s - idle_s;
    if (left <= 0) {
        std::fprintf(stderr, "courtplay: the session ended after %d s with no one using the kiosk\n", cfg_.ui.idle_timeout_s);
        end_session(true);
        return;
    }
    const std::optional<int> shown = left <= cfg_.ui.idle_warning_s ? std::optional<int>(int(left)) : std::nullopt;
    if (shown != model_.idle_left_s) {
        model_.idle_left_s = shown;
        dirty_ = std::max(dirty_, 1);
    }
}

void KioskApp::refresh_admin() {
    AdminModel& a = model_.admin;
    const std::optional<audit::ShipResult> last = trail_.last_delivery();
    a.service_reachable = last && !last->problem;
    a.backlog = trail_.journal().backlog().events;
    a.cache_bytes = desk_.cache_used_bytes();
    a.cache_clips = desk_.cached_clips();
    a.displays = SDL_GetNumVideoDisplays();
    dirty_ = std::max(dirty_, 1);
}

void KioskApp::render() {
    model_.now = std::time(nullptr);
    const int64_t ms = now_ms();
    model_.admin.pin_wait_s = pin_wait_until_ms_ > ms ? int((pin_wait_until_ms_ - ms + 999) / 1000) : 0;
    // Court IT (and the UI tests) can follow what the kiosk shows in its log.
    if (model_.screen != logged_screen_ || model_.language != logged_language_) {
        logged_screen_ = model_.screen;
        logged_language_ = model_.language;
        std::fprintf(stderr, "courtplay: screen %s (%s)\n", screen_name(model_.screen),
                     std::string(language_code(model_.language)).c_str());
    }
    window_.begin_frame();
    if (player_ && model_.player) {
        PlayerModel& pm = *model_.player;
        pm.state = player_->state(player::monotonic_now());
        pm.position = player_->position();
        pm.badge = player_->badge();
        const int w = window_.width(), h = window_.height();
        pm.video_bottom = static_cast<float>(h - kControlsHeight);
        if (model_.screen == Screen::player) player_->draw(SDL_Rect{0, 0, w, h - kControlsHeight});
    }
    Intents out;
    draw_screen(model_, out);
    window_.end_frame();
    if (screenshot_) {
        screenshot_failure_ = window_.screenshot(*screenshot_);
        screenshot_.reset();
    }
    window_.present();
    for (Intent& i : out) pending_.push_back(std::move(i));
    if (dirty_ > 0) --dirty_;
}

}  // namespace courtplay::kiosk::app

namespace courtplay::kiosk::app {

int run_kiosk(const std::string& config_file, bool windowed) {
    try {
        const config::KioskConfig cfg = config::load_kiosk_config(config_file);
        std::unique_ptr<AuditTrail> trail = open_audit_trail(cfg);
        if (!trail) return exit_code::audit;
        trail->start_shipping();
        KioskOptions options;
        options.window.windowed = windowed;
        KioskApp app(cfg, *trail, std::move(options));
        return app.run();
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::bad_arguments;
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: %s. Nothing is played until the audit journal can be written.\n", e.what());
        return exit_code::audit;
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return 1;
    }
}

}  // namespace courtplay::kiosk::app
