#include "kiosk/app/demo_tour.h"

#include "player/clock.h"

#include <cstdio>

namespace courtplay::kiosk::app {
namespace {
constexpr int64_t kSettleMs = 400;  // a screen is shot once it has stood still this long

bool on(const KioskApp& app, Screen s) { return app.screen() == s && !app.screenshot_pending(); }

// The code with one symbol changed: what a slip of the finger gives. The check symbol catches it.
std::string with_typo(std::string code) {
    const size_t at = code.size() > 6 ? 6 : 0;
    code[at] = code[at] == '7' ? '8' : '7';
    return code;
}

bool clips_settled(const KioskApp& app) {
    if (!app.desk().share) return false;
    for (const ClipView& c : app.desk().share->clips)
        if (c.status == ClipStatus::caching || c.status == ClipStatus::checking) return false;
    return true;
}

bool playing_past(const KioskApp& app, double seconds) {
    return on(app, Screen::player) && app.picture_shown() && app.player_state().position >= player::Micros(seconds * 1e6);
}
}  // namespace

void DemoTour::add(std::string what, std::function<bool(const KioskApp&)> ready, std::function<void(KioskApp&)> act,
                   double timeout_s) {
    steps_.push_back({std::move(what), std::move(ready), std::move(act), timeout_s});
}

DemoTour::DemoTour(const DemoShares& shares, const std::string& admin_pin, std::filesystem::path screens)
    : screens_(std::move(screens)) {
    auto shoot = [this](std::string name) { return [this, name](KioskApp& app) { app.screenshot(screens_ / (name + ".png")); shots_.push_back(screens_ / (name + ".png")); }; };
    auto keys = [](std::vector<SDL_Keycode> ks) { return [ks](KioskApp& app) { for (SDL_Keycode k : ks) app.press_key(k); }; };
    auto type = [](std::string text, bool enter) {
        return [text, enter](KioskApp& app) {
            app.type_text(text);
            if (enter) app.press_key(SDLK_RETURN);
        };
    };
    auto is = [](Screen s) { return [s](const KioskApp& app) { return on(app, s); }; };

    add("the waiting screen", is(Screen::waiting), shoot("01-waiting"));
    add("Welsh", is(Screen::waiting), keys({SDLK_F2}));
    add("the waiting screen in Welsh", [](const KioskApp& a) { return on(a, Screen::waiting) && a.model().language == Language::cy; },
        shoot("02-waiting-cymraeg"));
    add("English again", [](const KioskApp& a) { return a.model().language == Language::cy; }, keys({SDLK_F2}));
    add("a mistyped code", [](const KioskApp& a) { return on(a, Screen::waiting) && a.model().language == Language::en; },
        type(with_typo(shares.cps), true));
    add("the typo caught", [](const KioskApp& a) { return on(a, Screen::code) && a.model().code_not_right; },
        shoot("03-code-mistyped"));
    add("a fresh start", [](const KioskApp& a) { return on(a, Screen::code); }, keys({SDLK_ESCAPE}));
    add("a withdrawn share's code", is(Screen::waiting), type(shares.withdrawn, true));
    add("the refusal", [](const KioskApp& a) { return on(a, Screen::code) && a.desk().stage == DeskStage::refused; },
        shoot("04-code-refused"));
    add("back to waiting", [](const KioskApp& a) { return a.desk().stage == DeskStage::refused; },
        keys({SDLK_RETURN, SDLK_ESCAPE}));
    add("the CPS code", is(Screen::waiting), type(shares.cps, true));
    add("the CPS share, its clips cached and verified",
        [](const KioskApp& a) { return on(a, Screen::share) && clips_settled(a); }, shoot("05-share-cps"), 120);
    add("the first clip", is(Screen::share), type("1", false));
    add("the body-worn clip playing", [](const KioskApp& a) { return playing_past(a, 2.0); }, shoot("06-player"), 60);
    add("pause and two frame steps", [](const KioskApp& a) { return on(a, Screen::player); },
        [](KioskApp& app) {
            app.press_key(SDLK_SPACE);
            app.type_text(".");
            app.type_text(".");
        });
    add("paused on the stepped frame", [](const KioskApp& a) { return on(a, Screen::player) && a.player_state().paused && !a.player_busy(); },
        shoot("07-player-paused"));
    add("back to the clips, then end", is(Screen::player), keys({SDLK_ESCAPE, SDLK_ESCAPE}));
    add("the end-of-session question", is(Screen::confirm_end), shoot("08-confirm-end"));
    add("ending", is(Screen::confirm_end), keys({SDLK_RETURN}));
    add("the defence code", [](const KioskApp& a) { return on(a, Screen::waiting) && !a.desk().share; },
        type(shares.defence, true), 60);
    add("the defence share", [](const KioskApp& a) { return on(a, Screen::share) && clips_settled(a); },
        shoot("09-share-defence"), 60);
    add("its dash-cam clip, limited to a segment", is(Screen::share), type("2", false));
    add("the segment playing", [](const KioskApp& a) { return playing_past(a, 3.0); }, shoot("10-player-segment"), 90);
    add("back and end", is(Screen::player), keys({SDLK_ESCAPE, SDLK_ESCAPE}));
    add("ending the defence session", is(Screen::confirm_end), keys({SDLK_RETURN}));
    add("court IT's door", [](const KioskApp& a) { return on(a, Screen::waiting) && !a.desk().share; },
        [](KioskApp& app) { app.press_key(SDLK_a, KMOD_LCTRL | KMOD_LSHIFT); }, 60);
    add("the PIN screen", is(Screen::admin_pin), shoot("11-admin-pin"));
    add("the PIN", is(Screen::admin_pin), type(admin_pin, true));
    add("the admin screen", is(Screen::admin), shoot("12-admin"));
    add("closing it", is(Screen::admin), keys({SDLK_ESCAPE}));
    add("waiting again", is(Screen::waiting), [](KioskApp&) {});
}

bool DemoTour::operator()(KioskApp& app) {
    if (next_ >= steps_.size()) return app.screenshot_pending();  // the last shot is still to be saved
    if (auto why = app.screenshot_failure()) {
        failure_ = "cannot save a screenshot: " + *why;
        return false;
    }
    const int64_t now = player::monotonic_ms();
    if (step_started_ms_ < 0) step_started_ms_ = now;
    Step& s = steps_[next_];
    if (!s.ready(app)) {
        ready_since_ms_ = -1;
        if (now - step_started_ms_ > int64_t(s.timeout_s * 1000)) {
            failure_ = "the demo's tour waited " + std::to_string(int(s.timeout_s)) + " s for " + s.what +
                       " (on the " + screen_name(app.screen()) + " screen)";
            return false;
        }
        return true;
    }
    if (ready_since_ms_ < 0) ready_since_ms_ = now;
    if (now - ready_since_ms_ < kSettleMs) return true;
    std::fprintf(stderr, "courtplay: demo: %s\n", s.what.c_str());
    s.act(app);
    ++next_;
    step_started_ms_ = now;
    ready_since_ms_ = -1;
    return true;
}

}  // namespace courtplay::kiosk::app
