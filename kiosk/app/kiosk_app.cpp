#include "kiosk/app/kiosk_app.h"

#include "audit/event.h"
#include "kiosk/exit_codes.h"
#include "kiosk/forgetful_memory.h"
#include "player/errors.h"

#include <imgui.h>

#include <algorithm>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <utility>

namespace courtplay::kiosk::app {
namespace type = audit::event_type;
using player::kNoTime;
using player::Micros;

namespace {
constexpr int64_t kCursorHideMs = 3000;
constexpr int64_t kCornerHoldMs = 3000;
constexpr float kControlsHeight = 370;  // the player's controls under the picture (design pixels)
constexpr float kCourtStripHeight = 80;  // and the court screens' line under them, when there are any
constexpr float kCornerSize = 90;        // court IT's corner for touch (design pixels)

// SIGTERM (the system stopping the service) or SIGINT: the session ends properly, on record.
// Closing the window does not stop the kiosk; these do.
volatile std::sig_atomic_t g_stop_signal = 0;
void on_stop_signal(int sig) { g_stop_signal = sig; }

// The window an event is about, or 0.
Uint32 window_of(const SDL_Event& e) {
    switch (e.type) {
    case SDL_WINDOWEVENT: return e.window.windowID;
    case SDL_MOUSEMOTION: return e.motion.windowID;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: return e.button.windowID;
    case SDL_MOUSEWHEEL: return e.wheel.windowID;
    default: return 0;
    }
}

}  // namespace

KioskApp::KioskApp(const config::KioskConfig& cfg, AuditTrail& trail, KioskOptions options)
    : cfg_(cfg),
      trail_(trail),
      options_(std::move(options)),
      window_(options_.window),
      wake_event_(SDL_RegisterEvents(1)),
      desk_(cfg, trail, [this] { wake(); }),
      court_(cfg.displays.court),
      cast_([this] { wake(); }) {
    model_.language = cfg.ui.language == "cy" ? Language::cy : Language::en;
    model_.fonts = window_.fonts();
    model_.court = cfg.court;
    model_.room = cfg.room;
    model_.demo_codes = options_.demo_codes;
    model_.admin.pin_set = !cfg.admin.pin_hash.empty();
    model_.court_screens.receivers = !cfg.cast.court_ca.empty() && (!cfg.cast.receivers.empty() || cfg.cast.find_receivers);
    model_.cast.receivers = cfg.cast.receivers;
    last_input_ms_ = last_pointer_ms_ = player::monotonic_ms();
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGTERM, SIGINT}) sigaction(sig, &sa, nullptr);
    follow_court_displays();
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
    // The window is up and the journal open (run_kiosk opened it first): the kiosk is ready.
    service_.ready();
    while (!quit_ && turn()) {
        // A session has just ended and its model is gone. What is left of it: memory that was
        // freed (wiped as it was, kiosk/forgetful_memory.h), the UI's text scratch buffer, and the
        // stale frames of the turns that showed it, below this one on the stack.
        if (std::exchange(session_traces_, false)) {
            window_.forget_drawn_text();
            wipe_stack_below();
        }
    }
    service_.stopping();  // closed by court IT (admin) or by the driver; after a signal, already said
    return exit_code_;
}

// One turn of the loop; false when a signal stops the kiosk. Not inlined into run(): everything a
// turn does (a session's view copied, formatted, drawn) is then in frames below run()'s, which
// run() wipes once a session has ended.
[[gnu::noinline]] bool KioskApp::turn() {
    service_.alive(player::monotonic_now());
    if (g_stop_signal) {
        std::fprintf(stderr, "courtplay: stopping (signal %d): the session, if any, is ended and recorded\n",
                     int(g_stop_signal));
        service_.stopping();
        close_clip();
        return false;
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
        if (shown) {
            dirty_ = std::max(dirty_, 1);
            picture_new_ = true;
        }
    }
    if (dirty_ > 0 || !pending_.empty()) wait_us = 0;
    SDL_Event event;
    if (SDL_WaitEventTimeout(&event, static_cast<int>(std::clamp<Micros>((wait_us + 999) / 1000, 0, 250)))) {
        // Each key acts before the next is read: a scanner's code and its Enter, or Enter then
        // Escape on a refusal, arrive together, and each must see what the one before did.
        do {
            handle(event);
            apply_pending();
            follow_desk();
        } while (SDL_PollEvent(&event));
    }
    follow_desk();
    follow_cast();
    const int64_t second = std::time(nullptr);
    if (second != shown_second_) {
        shown_second_ = second;
        // The clock, the share's countdown and the idle countdown move once a second.
        if (model_.screen != Screen::player || model_.idle_left_s) dirty_ = std::max(dirty_, 1);
        if (model_.screen == Screen::admin) refresh_admin();
    }
    check_idle(player::monotonic_ms());
    if (player::monotonic_ms() - court_checked_ms_ >= 1000) follow_court_displays();
    if (player::monotonic_ms() - last_pointer_ms_ > kCursorHideMs) window_.idle_cursor(true);
    if (options_.driver && !options_.driver(*this)) quit_ = true;
    apply_pending();
    if (corner_pressed_ms_ && player::monotonic_ms() - corner_pressed_ms_ >= kCornerHoldMs) {
        corner_pressed_ms_ = 0;
        if (model_.screen != Screen::admin && model_.screen != Screen::admin_pin) apply({Intent::admin_close, 1});
    }
    if (dirty_ > 0) render();
    return true;
}

void KioskApp::handle(const SDL_Event& event) {
    if (event.type == wake_event_) return;
    // A court screen takes no input; it only needs drawing again when the X server lost its picture.
    if (const Uint32 id = window_of(event); id && court_.owns(id)) {
        if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_EXPOSED) court_.redraw(id);
        return;
    }
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
    if (pointer) last_pointer_ms_ = player::monotonic_ms();
    // Court IT's door for touch: a press held on the top-left corner.
    const float corner = kCornerSize * window_.scale();
    if (event.type == SDL_MOUSEBUTTONDOWN) corner_pressed_ms_ = event.button.x < corner && event.button.y < corner ? player::monotonic_ms() : 0;
    if (event.type == SDL_MOUSEBUTTONUP) corner_pressed_ms_ = 0;
    const bool input = pointer || event.type == SDL_KEYDOWN || event.type == SDL_TEXTINPUT || event.type == SDL_MOUSEBUTTONUP;
    if (input) {
        last_input_ms_ = player::monotonic_ms();
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

// The desk moved on (a redemption answered, a clip ready, the share ended): the screens follow.
void KioskApp::follow_desk() {
    DeskView v = desk_.view();
    if (v.version == model_.desk.version) return;
    const DeskStage before = model_.desk.stage;
    model_.desk = std::move(v);
    dirty_ = 2;
    const DeskView& d = model_.desk;
    if (d.stage == DeskStage::open && before == DeskStage::redeeming) {
        forget(model_.typed);
        go(Screen::share);
    }
    if (d.stage == DeskStage::no_share && before == DeskStage::ending) go(Screen::waiting);
    // Ended, or refused: the desk has let go of the share (it may have ended before this loop saw
    // it ending).
    if (d.stage == DeskStage::no_share && before != DeskStage::no_share) session_traces_ = true;
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
                                               options_.sound && !window_.offscreen(), &court_,
                                               model_.court_screens.receivers);
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
    cast_clip();
    refresh_court();
    loop_from_ = kNoTime;
    window_.evidence_playing(true);
    go(Screen::player);
}

void KioskApp::close_clip() {
    if (!player_) return;
    player_.reset();  // records the end of its playback; the court screens go black
    model_.player.reset();
    refresh_court();
    desk_.clip_closed();
    window_.evidence_playing(false);
}

void KioskApp::end_session(bool timed_out) {
    close_clip();
    cast_.end("the session ended");
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
    forget(model_.typed);
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

// Court screens plugged in or unplugged: windows opened or closed, recorded against the clip
// playing, and the console's indicator told.
void KioskApp::follow_court_displays() {
    court_checked_ms_ = player::monotonic_ms();
    const std::vector<CourtDisplay> changes = court_.follow(window_.bounds());
    if (changes.empty()) return;
    if (player_)
        for (const CourtDisplay& c : changes) player_->court_display_changed(c);
    window_.take_focus();  // a new window must not take the console's keyboard
    refresh_court();
}

// Pairing finished (either way) or the receiver ended the cast: the clip playing follows.
void KioskApp::follow_cast() {
    if (std::optional<std::string> why = cast_.check_ended()) {
        std::fprintf(stderr, "courtplay: the court receiver ended the cast: %s\n", why->c_str());
        if (player_) player_->stop_cast();
    }
    if (std::optional<std::string> failure = player_ ? player_->follow_cast() : std::nullopt) {
        if (failure->empty() && cast_.paired())
            std::fprintf(stderr, "courtplay: casting to %s\n", cast_.paired()->certified_as().c_str());
        else if (!failure->empty())
            std::fprintf(stderr, "courtplay: this clip cannot be cast: %s\n", failure->c_str());
        refresh_court();
    }
    const CourtCastView view = cast_.view();
    if (view.receivers != model_.court_screens.cast.receivers || view.looking != model_.court_screens.cast.looking) {
        model_.court_screens.cast.receivers = view.receivers;  // the survey's answers
        model_.court_screens.cast.looking = view.looking;
        dirty_ = std::max(dirty_, 1);
    }
    if (view.stage == cast_seen_ && view.receiver == model_.court_screens.cast.receiver) return;
    cast_seen_ = view.stage;
    if (view.stage == CourtCastView::Stage::paired) {
        std::fprintf(stderr, "courtplay: paired with court receiver %s\n", view.receiver.c_str());
        model_.cast.code.clear();
        if (model_.screen == Screen::cast) go(Screen::player);
        cast_clip();
    } else if (view.stage == CourtCastView::Stage::failed) {
        std::fprintf(stderr, "courtplay: not paired: %s\n", view.problem.c_str());
    }
    refresh_court();
}

// The clip playing goes to the paired receiver, if its grant allows: a stream of its own.
void KioskApp::cast_clip() {
    cast::PairedReceiver* paired = cast_.paired();
    if (!player_ || !paired || !player_->court_allowed() || player_->casting() || player_->cast_connecting()) return;
    player_->cast_to(*paired);
    std::fprintf(stderr, "courtplay: connecting the cast to %s\n", paired->certified_as().c_str());
}

void KioskApp::refresh_court() {
    CourtScreensModel& c = model_.court_screens;
    c.configured = court_.configured();
    c.screens = court_.status();
    c.allowed = player_ && player_->court_allowed();
    c.blank = !player_ || player_->court_blank();
    c.cast = cast_.view();
    c.casting = player_ && player_->casting();
    dirty_ = std::max(dirty_, 1);
}

void KioskApp::render() {
    model_.now = std::time(nullptr);
    const int64_t ms = player::monotonic_ms();
    model_.admin.pin_wait_s = pin_wait_until_ms_ > ms ? int((pin_wait_until_ms_ - ms + 999) / 1000) : 0;
    // Court IT (and the UI tests) can follow what the kiosk shows in its log.
    if (model_.screen != logged_screen_ || model_.language != logged_language_) {
        logged_screen_ = model_.screen;
        logged_language_ = model_.language;
        std::fprintf(stderr, "courtplay: screen %s (%s)\n", screen_name(model_.screen),
                     std::string(language_code(model_.language)).c_str());
    }
    window_.begin_frame();
    model_.fonts = window_.fonts();  // made again when the window's size changed
    std::optional<SDL_Rect> video;  // where the picture goes, when it is on screen
    if (player_ && model_.player) {
        PlayerModel& pm = *model_.player;
        pm.state = player_->state(player::monotonic_now());
        pm.position = player_->position();
        pm.badge = player_->badge();
        const int w = window_.width(), h = window_.height();
        const bool strip = model_.court_screens.configured || model_.court_screens.receivers;
        const int controls = static_cast<int>((kControlsHeight + (strip ? kCourtStripHeight : 0)) * window_.scale());
        pm.video_bottom = static_cast<float>(h - controls);
        if (model_.screen == Screen::player) video = SDL_Rect{0, 0, w, h - controls};
    }
    Intents out;
    draw_screen(model_, out);
    const bool drawn = window_.end_frame([&] { if (video) player_->draw(*video); },
                                         video ? player_->changed_on_screen(*video) : std::nullopt);
    if (screenshot_) {
        screenshot_failure_ = window_.screenshot(*screenshot_);
        screenshot_.reset();
    }
    if (drawn) window_.present();
    if (video && drawn && picture_new_) {
        // The picture is on the console only now, a draw after the player presented it: the
        // player hands the next ones over that much earlier (Player::on_screen_at).
        player_->on_screen_at(player::monotonic_now());
    }
    picture_new_ = false;
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
        options.window.display = cfg.displays.console;
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
