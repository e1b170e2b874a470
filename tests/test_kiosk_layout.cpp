// The kiosk's screens on the displays courtrooms have, from a 1280x720 laptop to a 4K jury screen:
// the real kiosk (in this process, fullscreen on an X server of that size, the real share service
// on loopback) goes through its screens, and on each, what the screens themselves recorded of
// their drawing (kit::ScreenLayout: the rectangle of every button, key and line of text) shows
// that nothing overlaps anything else and that all of it is inside the window.
#include "auth/pin_hash.h"
#include "config/kiosk_config.h"
#include "kiosk/app/kiosk_app.h"
#include "kiosk/audit_trail.h"
#include "support/share_fixture.h"
#include "support/x_screen.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>

using namespace courtplay::testing;
namespace app = courtplay::kiosk::app;

namespace {

// A screen to reach, and what takes the kiosk on from it once its layout has been looked at.
struct Stop {
    std::string name;
    std::function<bool(const app::KioskApp&)> shown;
    std::function<void(app::KioskApp&)> then;
};

// What is wrong with one frame's layout on a `width` x `height` window: each thing outside it and
// each pair that overlaps, in words; empty when all is well.
std::vector<std::string> faults(const app::kit::ScreenLayout& layout, float width, float height) {
    constexpr float kSlack = 0.5f;  // ImGui rounds positions to whole pixels
    auto name = [](const app::kit::Drawn& d) {
        std::ostringstream s;
        s << (d.touchable ? "button \"" + d.label + "\"" : std::string("text")) << " at (" << d.min.x << ", "
          << d.min.y << ")-(" << d.max.x << ", " << d.max.y << ")";
        return s.str();
    };
    std::vector<std::string> found;
    if (std::none_of(layout.drawn.begin(), layout.drawn.end(), [](const auto& d) { return d.touchable; }))
        found.push_back("nothing to touch was drawn");
    for (size_t i = 0; i < layout.drawn.size(); ++i) {
        const app::kit::Drawn& a = layout.drawn[i];
        if (a.min.x < -kSlack || a.min.y < -kSlack || a.max.x > width + kSlack || a.max.y > height + kSlack)
            found.push_back(name(a) + " is not all inside the window");
        for (size_t j = i + 1; j < layout.drawn.size(); ++j) {
            const app::kit::Drawn& b = layout.drawn[j];
            const float w = std::min(a.max.x, b.max.x) - std::max(a.min.x, b.min.x);
            const float h = std::min(a.max.y, b.max.y) - std::max(a.min.y, b.min.y);
            if (w > kSlack && h > kSlack) found.push_back(name(a) + " overlaps " + name(b));
        }
    }
    return found;
}

// Drives the kiosk through `stops`: each one, once it has stood drawn a few frames, has its layout
// checked and a screenshot saved (in `screens`), then moves on. What it found, per stop.
class LayoutTour {
public:
    LayoutTour(std::vector<Stop> stops, std::filesystem::path screens)
        : stops_(std::move(stops)), screens_(std::move(screens)) {}

    bool operator()(app::KioskApp& kiosk) {
        if (kiosk.screenshot_pending()) return true;  // the stop's picture before it moves on
        if (moving_on_) {
            stops_[next_++].then(kiosk);
            moving_on_ = false;
            return true;
        }
        if (next_ == stops_.size()) return false;
        Stop& stop = stops_[next_];
        if (++turns_ > 2000) {  // 250 ms a turn at most: over eight minutes
            report_[stop.name] = {"never shown"};
            return false;
        }
        // The same screen three turns running: ImGui has settled (it takes two frames) and the
        // layout read is of this screen.
        steady_ = stop.shown(kiosk) ? steady_ + 1 : 0;
        if (steady_ < 3) return true;
        report_[stop.name] = faults(kiosk.layout(), width_, height_);
        kiosk.screenshot(screens_ / (stop.name + ".png"));
        moving_on_ = true;
        steady_ = turns_ = 0;
        return true;
    }
    void window(float width, float height) { width_ = width, height_ = height; }
    const std::map<std::string, std::vector<std::string>>& report() const { return report_; }

private:
    std::vector<Stop> stops_;
    std::filesystem::path screens_;
    size_t next_ = 0;
    int steady_ = 0, turns_ = 0;
    bool moving_on_ = false;
    float width_ = 0, height_ = 0;
    std::map<std::string, std::vector<std::string>> report_;
};

bool on(const app::KioskApp& k, app::Screen s, app::Language lang = app::Language::en) {
    return k.screen() == s && k.model().language == lang;
}
auto act(app::Intent::Kind kind) {
    return [kind](app::KioskApp& k) { k.act({kind}); };
}
auto key(SDL_Keycode key) {
    return [key](app::KioskApp& k) { k.press_key(key); };
}
auto typed(std::string text, bool enter) {
    return [text, enter](app::KioskApp& k) {
        k.type_text(text);
        if (enter) k.press_key(SDLK_RETURN);
    };
}

// The kiosk fullscreen on a `width` x `height` display, through the screens a clerk and court IT
// see. Every stop must have been reached and found without fault.
void tour_at(int width, int height) {
    OwnXServer x(width, height);
    ServiceFolder svc{"kiosk_layout"};
    courtplay::assets::SampleSpec spec;
    spec.path = "kiosk_layout.mp4";
    spec.width = 640;
    spec.height = 360;
    spec.seconds = 4;
    const std::string clip = svc.add_clip(fixture(spec), "Body-worn camera PC 4172", {"--device", "BWV-4172"});
    const std::string code =
        svc.share({"--party", "cps", "--case", "01YZ1234526", "--clips", clip, "--perms", "view,cast", "--expires", "2h"});
    // Three court receivers, none switched on: the cast screen's list at its fullest. (`init`
    // writes [cast] last: the list joins it.)
    constexpr const char* kPin = "135790";
    std::ofstream(svc.config(), std::ios::app)
        << "receivers = [\"127.0.0.1:" << free_port() << "\", \"127.0.0.1:" << free_port() << "\", \"127.0.0.1:"
        << free_port() << "\"]\n\n[admin]\npin_hash = \"" << courtplay::auth::make_pin_hash(kPin) << "\"\n";
    std::string typo = code;
    typo[3] = typo[3] == '7' ? '8' : '7';

    using app::Intent;
    using app::Language;
    using app::Screen;
    using K = const app::KioskApp&;
    std::vector<Stop> stops{
        {"waiting", [](K k) { return on(k, Screen::waiting); }, key(SDLK_F2)},
        {"waiting-cy", [](K k) { return on(k, Screen::waiting, Language::cy); }, act(Intent::start_code)},
        {"code-cy", [](K k) { return on(k, Screen::code, Language::cy); }, key(SDLK_F2)},
        {"code", [](K k) { return on(k, Screen::code); }, typed(typo.substr(0, 9), false)},
        {"code-typed", [](K k) { return on(k, Screen::code) && !k.model().typed.empty(); }, typed(typo.substr(9), true)},
        // Back to waiting, and court IT's door from there.
        {"code-not-right", [](K k) { return on(k, Screen::code) && k.model().code_not_right; },
         [](app::KioskApp& k) {
             k.press_key(SDLK_ESCAPE);
             k.press_key(SDLK_a, KMOD_LCTRL | KMOD_LSHIFT);
         }},
        {"admin-pin", [](K k) { return on(k, Screen::admin_pin); }, typed(kPin, true)},
        {"admin", [](K k) { return on(k, Screen::admin); }, key(SDLK_ESCAPE)},
        {"waiting-again", [](K k) { return on(k, Screen::waiting); }, typed(code, true)},
        {"share", [](K k) { return on(k, Screen::share) && k.desk().share; }, typed("1", false)},
        {"player", [](K k) { return on(k, Screen::player) && k.picture_shown(); }, act(Intent::switch_language)},
        {"player-cy", [](K k) { return on(k, Screen::player, Language::cy); },
         [](app::KioskApp& k) {
             k.act({Intent::switch_language});
             k.press_key(SDLK_SPACE);
         }},
        {"player-paused", [](K k) { return on(k, Screen::player) && k.player_state().paused; }, typed("c", false)},
        {"cast", [](K k) { return on(k, Screen::cast) && !k.model().court_screens.cast.receivers.empty(); }, key(SDLK_ESCAPE)},
        {"player-again", [](K k) { return on(k, Screen::player); }, key(SDLK_ESCAPE)},
        {"share-again", [](K k) { return on(k, Screen::share) && !k.picture_shown(); }, key(SDLK_ESCAPE)},
        {"confirm-end", [](K k) { return on(k, Screen::confirm_end); }, key(SDLK_RETURN)},
        {"waiting-at-end", [](K k) { return on(k, Screen::waiting) && !k.desk().share; }, [](app::KioskApp&) {}},
    };

    // COURTPLAY_LAYOUT_SCREENS=DIR keeps the screenshots for a person to look at; else they go with
    // the test's scratch folder.
    const char* keep = std::getenv("COURTPLAY_LAYOUT_SCREENS");
    const std::filesystem::path screens = std::filesystem::path(keep ? keep : scratch_dir()) /
                                          ("layout-" + std::to_string(width) + "x" + std::to_string(height));
    std::filesystem::create_directories(screens);
    auto tour = std::make_shared<LayoutTour>(stops, screens);
    const courtplay::config::KioskConfig cfg = courtplay::config::load_kiosk_config(svc.config());
    std::unique_ptr<courtplay::kiosk::AuditTrail> trail = courtplay::kiosk::open_audit_trail(cfg);
    REQUIRE(trail);
    app::KioskOptions options;
    options.sound = false;
    // As `courtplay --demo` shows them: the waiting screen at its fullest.
    options.demo_codes = {{"CPS", "7KQ2-M9XD-4H3P-ZZ1A-B2C4"}, {"DEFENCE", "9WXY-M9XD-4H3P-ZZ1A-B2C4"}};
    options.driver = [tour](app::KioskApp& k) { return (*tour)(k); };
    {
        app::KioskApp kiosk(cfg, *trail, options);
        tour->window(float(width), float(height));
        kiosk.run();
    }
    INFO("screenshots in " << screens.string());
    // The window was the whole display: the layout was checked against the right size.
    const std::optional<courtplay::kiosk::RgbPicture> shot = courtplay::kiosk::read_png(screens / "waiting.png");
    REQUIRE(shot);
    CHECK(shot->width == width);
    CHECK(shot->height == height);
    for (const Stop& stop : stops) {
        INFO("the " << stop.name << " screen at " << width << "x" << height);
        const auto found = tour->report().find(stop.name);
        REQUIRE(found != tour->report().end());
        std::string all;
        for (const std::string& f : found->second) all += "\n  " + f;
        INFO("faults:" << all);
        CHECK(found->second.empty());
    }
}

}  // namespace

TEST_CASE("every screen fits a 1280x720 laptop with nothing overlapping", "[kiosk][ui][layout]") { tour_at(1280, 720); }
TEST_CASE("every screen fits a 1280x800 laptop with nothing overlapping", "[kiosk][ui][layout]") { tour_at(1280, 800); }
TEST_CASE("every screen fits a 1366x768 laptop with nothing overlapping", "[kiosk][ui][layout]") { tour_at(1366, 768); }
TEST_CASE("every screen fits a 3840x2160 jury screen with nothing overlapping", "[kiosk][ui][layout]") { tour_at(3840, 2160); }
