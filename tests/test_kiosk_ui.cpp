// The kiosk as a clerk and court IT use it: the real `courtplay --config` on the X server the
// tests run on (Xvfb), the real share service on loopback TLS, input through xdotool (real X key
// and pointer events), what is on screen read back from the X server with tesseract, and what
// happened read from the audit service's database, what it still holds from its memory.
#include "auth/pin_hash.h"
#include "server/sqlite.h"
#include "support/process_memory.h"
#include "support/share_fixture.h"
#include "support/x_screen.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <regex>
#include <thread>

using namespace courtplay::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPin = "135790";

// A service with one clip and shares of it, and a kiosk config with the UI's settings.
struct Court {
    OwnXServer x;
    ServiceFolder svc{"kiosk_ui"};
    std::string clip_id;
    std::string cps, withdrawn;

    // idle_warning_s is also how long a code screen waits for a key before it goes back to waiting.
    explicit Court(int idle_timeout_s = 300, int idle_warning_s = 10) {
        courtplay::assets::SampleSpec spec;
        spec.path = "kiosk_ui.mp4";
        spec.width = 640;
        spec.height = 360;
        spec.seconds = 8;
        clip_id = svc.add_clip(fixture(spec), "Body-worn camera PC 4172", {"--device", "BWV-4172"});
        cps = svc.share({"--party", "cps", "--case", "01YZ1234526", "--clips", clip_id, "--perms", "view", "--expires", "2h"});
        withdrawn = svc.share({"--party", "cps", "--case", "01YZ1234526", "--clips", clip_id, "--perms", "view", "--expires", "2h"});
        REQUIRE(server_cli({"share", "revoke", "--data", svc.data.string(), withdrawn}).exit_code == 0);
        std::ofstream cfg(svc.config(), std::ios::app);
        cfg << "\n[ui]\nidle_timeout_s = " << idle_timeout_s << "\nidle_warning_s = " << idle_warning_s
            << "\n\n[admin]\npin_hash = \""
            << courtplay::auth::make_pin_hash(kPin) << "\"\n";
    }

    // The id (sh_...) of the share `cps` opens: the one share not withdrawn.
    std::string cps_share_id() const {
        courtplay::server::sqlite::Connection db(svc.data / "share.db", false);
        auto rows = db.prepare("SELECT id FROM shares WHERE revoked_at IS NULL");
        REQUIRE(rows.step());
        return rows.text(0);
    }

    // The event types the audit service holds for this kiosk, in order.
    std::vector<std::string> service_events() const {
        courtplay::server::sqlite::Connection db(svc.data / "share.db", false);
        auto rows = db.prepare("SELECT type FROM audit_events WHERE kiosk_id = 'kiosk-1' ORDER BY seq");
        std::vector<std::string> types;
        while (rows.step()) types.push_back(rows.text(0));
        return types;
    }
};

// The kiosk, and what it says it shows ("courtplay: screen share (en)").
struct Kiosk {
    Spawned app;
    explicit Kiosk(const Court& court) : app(spawn_courtplay({"--config", court.svc.config()})) {}
    bool shows(const std::string& screen, size_t times = 1, std::chrono::milliseconds limit = 30s) {
        return app.wait_for_err("courtplay: screen " + screen + "\n", limit, times);
    }
};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void type(const std::string& text) { REQUIRE(xdotool({"type", "--delay", "25", text})); }
void key(const std::string& k) { REQUIRE(xdotool({"key", k})); }

// The subsequence check: `want` appear in `got` in this order (others may come between).
bool in_order(const std::vector<std::string>& got, const std::vector<std::string>& want) {
    size_t i = 0;
    for (const std::string& t : got)
        if (i < want.size() && t == want[i]) ++i;
    return i == want.size();
}

}  // namespace

TEST_CASE("a clerk opens a share and plays its clip and ends the session by keyboard alone", "[kiosk][ui]") {
    // The mistyped code's message stays up a minute: read back on a loaded machine it took longer
    // than the 10 s after which a code screen left alone goes back to waiting.
    Court court(300, 60);
    Kiosk k(court);
    REQUIRE(k.shows("waiting (en)"));
    CHECK(screen_says("scan your share code"));

    key("F2");  // Welsh, and back
    REQUIRE(k.shows("waiting (cy)"));
    CHECK(screen_says("sganiwch"));
    key("F2");
    REQUIRE(k.shows("waiting (en)", 2));

    // One symbol wrong: caught by the check symbol, nothing is asked of the network.
    std::string typo = court.cps;
    typo[3] = typo[3] == '7' ? '8' : '7';
    type(typo);
    key("Return");
    REQUIRE(k.app.wait_for_err("share code not accepted", 10s));
    CHECK(screen_says("not right"));
    key("Escape");
    REQUIRE(k.shows("waiting (en)", 3));

    type(court.cps);
    key("Return");
    REQUIRE(k.shows("share (en)"));
    CHECK(screen_says("PROSECUTION"));
    CHECK(screen_says("Body-worn"));

    type("1");
    REQUIRE(k.shows("player (en)"));
    std::this_thread::sleep_for(2s);
    // The picture is on screen with the watermark burned in: its lines name the party and share.
    CHECK(screen_says("share"));
    key("space");
    std::this_thread::sleep_for(500ms);
    key("Escape");
    REQUIRE(k.shows("share (en)", 2));
    key("Escape");
    REQUIRE(k.shows("confirm_end (en)"));
    key("Return");
    REQUIRE(k.shows("waiting (en)", 4));

    // Nothing of the session is left in the kiosk's memory: not the code (as typed, or as sent),
    // the share, the case, the clip, its title or its camera. Each is looked for without its first
    // characters, as a string emptied in place keeps all but its first. Ending a session finishes
    // on the desk's own thread just after the waiting screen is back: the memory is given a while.
    std::string sent = court.cps;
    sent.erase(std::remove(sent.begin(), sent.end(), '-'), sent.end());
    const std::vector<std::string> session_texts{court.cps.substr(5), sent.substr(4), court.cps_share_id().substr(4),
                                                 court.clip_id.substr(4), "YZ1234526", "dy-worn camera PC 4172", "V-4172"};
    std::vector<MemoryFind> left = find_in_memory(k.app.pid(), session_texts);
    for (int i = 0; i < 10 && !left.empty(); ++i) {
        std::this_thread::sleep_for(500ms);
        left = find_in_memory(k.app.pid(), session_texts);
    }
    INFO(describe(left));
    CHECK(left.empty());

    k.app.kill(SIGTERM);
    const RunResult r = k.app.wait();
    CHECK(r.exit_code == 0);
    // Every act reached the audit service, in order; the mistyped code never left the kiosk.
    const std::vector<std::string> events = court.service_events();
    INFO(r.err);
    CHECK(in_order(events, {"session.started", "token.redeemed", "grant.verified", "clip.opened", "play",
                            "output.started", "pause", "output.stopped", "clip.closed", "session.ended"}));
    CHECK(std::count(events.begin(), events.end(), "token.refused") == 0);
}

TEST_CASE("the kiosk ignores Alt+F4 and the window close but the system can stop it", "[kiosk][ui]") {
    Court court;
    Kiosk k(court);
    REQUIRE(k.shows("waiting (en)"));
    key("alt+F4");
    CHECK(ask_window_to_close("courtplay") >= 1);
    REQUIRE(k.app.wait_for_err("cannot be closed from the window", 10s));
    std::this_thread::sleep_for(1s);
    CHECK(screen_says("scan your share code"));  // still there, still waiting
    k.app.kill(SIGTERM);
    const RunResult r = k.app.wait();
    CHECK(r.exit_code == 0);
    CHECK(has(r.err, "stopping (signal 15)"));
}

TEST_CASE("court IT's screen opens only with the right PIN and can close the kiosk", "[kiosk][ui]") {
    Court court;
    Kiosk k(court);
    REQUIRE(k.shows("waiting (en)"));
    key("ctrl+shift+a");
    REQUIRE(k.shows("admin_pin (en)"));
    type("111111");
    key("Return");
    REQUIRE(k.app.wait_for_err("a wrong admin PIN was entered (1 in a row)", 10s));
    CHECK(screen_says("Wrong PIN"));
    type(kPin);
    key("Return");
    REQUIRE(k.shows("admin (en)"));
    CHECK(screen_says("Share service"));
    // By touch (a pointer click) this time: the button that closes the kiosk.
    const auto at = find_word("kiosk");
    INFO("the screen reads: " << screen_text());
    REQUIRE(at);
    REQUIRE(xdotool({"mousemove", std::to_string(at->first), std::to_string(at->second)}));
    std::this_thread::sleep_for(300ms);
    REQUIRE(xdotool({"click", "1"}));
    REQUIRE(k.app.wait_for_err("the kiosk is closed from the admin screen", 20s));
    const RunResult r = k.app.wait();
    CHECK(r.exit_code == 0);
    const std::vector<std::string> events = court.service_events();
    CHECK(in_order(events, {"admin.refused", "admin.signed_in", "admin.exited"}));
}

TEST_CASE("refusals are said in plain words for a withdrawn share and an unreachable service", "[kiosk][ui]") {
    Court court;
    Kiosk k(court);
    REQUIRE(k.shows("waiting (en)"));
    type(court.withdrawn);
    key("Return");
    REQUIRE(k.shows("code (en)"));
    CHECK(screen_says("cannot be used"));
    REQUIRE(k.app.wait_for_err("share refused", 10s));
    key("Return");
    key("Escape");
    REQUIRE(k.shows("waiting (en)", 2));

    court.svc.stop();
    type(court.cps);
    key("Return");
    CHECK(screen_says("cannot be reached", 40s));
    CHECK(screen_says("Try again"));
    k.app.kill(SIGTERM);
    CHECK(k.app.wait().exit_code == 0);
    court.svc.start();
    std::this_thread::sleep_for(1s);
    CHECK(in_order(court.service_events(), {"session.started", "token.refused", "session.ended"}));
}

TEST_CASE("a session no one uses ends by itself after a visible countdown", "[kiosk][ui]") {
    Court court(60);
    Kiosk k(court);
    REQUIRE(k.shows("waiting (en)"));
    type(court.cps);
    key("Return");
    REQUIRE(k.shows("share (en)"));
    // idle_timeout_s = 60, idle_warning_s = 10: the countdown shows from 50 s.
    std::this_thread::sleep_for(51s);
    CHECK(screen_says("still there", 8s));
    REQUIRE(k.app.wait_for_err("the session ended after 60 s with no one using the kiosk", 20s));
    REQUIRE(k.shows("waiting (en)", 2));
    k.app.kill(SIGTERM);
    CHECK(k.app.wait().exit_code == 0);
    CHECK(in_order(court.service_events(), {"session.started", "token.redeemed", "session.timed_out", "session.ended"}));
}

namespace {
// Where two captures of the screen differ: the bounding box (x0, y0, x1, y1, exclusive) and how
// many pixels; all zero when they are the same.
struct Change {
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    long pixels = 0;
};
Change change_between(const courtplay::kiosk::RgbPicture& a, const courtplay::kiosk::RgbPicture& b) {
    Change c{a.width, a.height, 0, 0, 0};
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x) {
            const size_t i = (static_cast<size_t>(y) * a.width + x) * 3;
            if (std::equal(&a.pixels[i], &a.pixels[i] + 3, &b.pixels[i])) continue;
            ++c.pixels;
            c.x0 = std::min(c.x0, x), c.y0 = std::min(c.y0, y);
            c.x1 = std::max(c.x1, x + 1), c.y1 = std::max(c.y1, y + 1);
        }
    return c.pixels ? c : Change{};
}
// The rows of `p` from y0 to y1 (exclusive), with `margin` more above and below: a line of text.
courtplay::kiosk::RgbPicture rows(const courtplay::kiosk::RgbPicture& p, int y0, int y1, int margin) {
    y0 = std::max(0, y0 - margin), y1 = std::min(p.height, y1 + margin);
    const auto row = [&](int y) { return p.pixels.begin() + static_cast<ptrdiff_t>(y) * p.width * 3; };
    return {p.width, y1 - y0, {row(y0), row(y1)}};
}
}  // namespace

// Issue 7: the mark is on every frame shown, paused included, and its time is the time now. The
// stage's repaint is unit-tested (test_watermark); this reads a real window back from the X server.
TEST_CASE("on screen a paused picture holds still while the watermark's clock moves on each second", "[watermark][ui]") {
    OwnXServer x;
    courtplay::assets::SampleSpec spec;
    spec.path = "paused_mark.mp4";
    spec.width = 1280;  // the mark's letters at 1/26 of the height: 27 px, large enough to read back
    spec.height = 720;
    spec.seconds = 3;
    const std::string commands = scratch_dir() + "/paused_mark.commands";
    std::ofstream(commands) << "0.5 pause\n";
    Spawned app = spawn_courtplay({"play", fixture(spec), "--no-audio", "--commands", commands, "--watermark",
                                   "PAUSED REVIEW"});
    REQUIRE(screen_says("PAUSED REVIEW", 20s));
    std::this_thread::sleep_for(1s);  // paused by now (0.5 s after the first frame)
    // The mark moves to its next place every 20 s of wall-clock time: the three captures (2.3 s,
    // up to 4 s on a loaded machine) are taken inside one place.
    if (std::time(nullptr) % 20 > 14) std::this_thread::sleep_for(std::chrono::seconds(21 - std::time(nullptr) % 20));
    const auto a = capture_screen();
    std::this_thread::sleep_for(1100ms);
    const auto b = capture_screen();
    std::this_thread::sleep_for(1100ms);
    const auto c = capture_screen();
    app.kill(SIGTERM);
    CHECK(app.wait().exit_code == 0);

    // A second passed between captures, so each pair differs; but only in one line of text (the
    // time), not in the picture, which a frame advancing would change almost everywhere.
    for (const auto& [before, after] : {std::pair{&a, &b}, std::pair{&b, &c}}) {
        const Change d = change_between(*before, *after);
        INFO("changed " << d.pixels << " pixels in x " << d.x0 << "-" << d.x1 << ", y " << d.y0 << "-" << d.y1);
        REQUIRE(d.pixels > 0);
        CHECK(d.y1 - d.y0 <= 60);           // one line of 27 px letters and their outline
        CHECK(d.x1 - d.x0 <= 1280 * 94 / 100);  // inside the mark's plate
        // What changed is the clock (its last digits): the line holding them reads back as a
        // time of day, each capture's its own. (Tesseract reads the digits steadily, but may split
        // them into words at the colons, "16: 02: 47", and the "UTC" after them came back as "UT",
        // "Ui" or "U1" from run to run.)
        const std::string was = read_picture_text(rows(*before, d.y0, d.y1, 12));
        const std::string now = read_picture_text(rows(*after, d.y0, d.y1, 12));
        INFO("read " << was << " then " << now);
        const std::regex clock(R"((\d\d): ?(\d\d): ?(\d\d))");
        std::smatch was_time, now_time;
        REQUIRE(std::regex_search(was, was_time, clock));
        REQUIRE(std::regex_search(now, now_time, clock));
        const auto hms = [](const std::smatch& m) { return m.str(1) + m.str(2) + m.str(3); };
        CHECK(hms(was_time) != hms(now_time));
    }
}
