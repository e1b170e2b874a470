// The courtroom's own screens on the kiosk's outputs ([displays] court), as a clerk uses them: the
// real `courtplay --config` on an X server whose outputs are plugged in and switched off during the
// hearing (Xorg's dummy driver, RandR), the real share service, input through xdotool, each screen
// read back from the X server, and what was recorded read from the audit service's database.
#include "kiosk/display_outputs.h"
#include "server/sqlite.h"
#include "support/share_fixture.h"
#include "support/x_screen.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

using namespace courtplay::testing;
using namespace std::chrono_literals;
using json = nlohmann::json;

namespace {


struct Courtroom {
    OwnCourtroomXServer x;
    ServiceFolder svc{"court_screens"};
    std::string clip_id, may_cast, view_only;

    Courtroom() {
        courtplay::assets::SampleSpec spec;
        spec.path = "court_screens.mp4";
        spec.width = 640;
        spec.height = 360;
        spec.seconds = 30;
        clip_id = svc.add_clip(fixture(spec), "CCTV Market Street", {"--device", "CAM-07"});
        may_cast = svc.share({"--party", "cps", "--case", "01YZ1234526", "--clips", clip_id, "--perms", "view,cast",
                              "--expires", "2h"});
        view_only = svc.share({"--party", "cps", "--case", "01YZ1234526", "--clips", clip_id, "--perms", "view",
                               "--expires", "2h"});
        std::ofstream(svc.config(), std::ios::app) << "\n[displays]\nconsole = \"DUMMY0\"\ncourt = [\"DUMMY1\"]\n";
    }

    // The audit service's events for this kiosk, in order.
    std::vector<json> service_events() const {
        courtplay::server::sqlite::Connection db(svc.data / "share.db", false);
        auto rows = db.prepare("SELECT event FROM audit_events WHERE kiosk_id = 'kiosk-1' ORDER BY seq");
        std::vector<json> events;
        while (rows.step()) events.push_back(json::parse(rows.text(0)));
        return events;
    }
};

// What the court screen shows, wherever and however large the kiosk made it.
courtplay::kiosk::RgbPicture court_screen() {
    const std::optional<courtplay::kiosk::DisplayOutput> court =
        courtplay::kiosk::find_output(courtplay::kiosk::DisplayOutputs().list(), "DUMMY1");
    REQUIRE(court);
    return capture_area(court->x, court->y, court->width, court->height);
}

// Whether the console (not the court screen beside it) reads `part` within a few seconds.
bool console_says(const std::string& part) { return area_says(0, 0, 1920, 1080, part); }

// The brightest channel of any pixel: black is below 20 (limited-range black is 16).
int brightest(const courtplay::kiosk::RgbPicture& p) {
    int most = 0;
    for (uint8_t v : p.pixels) most = std::max<int>(most, v);
    return most;
}

bool court_screen_black() { return brightest(court_screen()) < 20; }

// The kiosk says `text` (`times` times) within `limit`; what it said so far when it does not.
void says(Spawned& k, const std::string& text, std::chrono::milliseconds limit, size_t times = 1) {
    const bool said = k.wait_for_err("courtplay: " + text + "\n", limit, times);
    INFO(k.err());
    REQUIRE(said);
}

void key(const std::string& k) { REQUIRE(xdotool({"key", k})); }
void type(const std::string& text) { REQUIRE(xdotool({"type", "--delay", "25", text})); }

}  // namespace

TEST_CASE("court screens start blank, show and blank at the clerk's word, and follow a screen unplugged mid-hearing",
          "[kiosk][ui][court_screens]") {
    Courtroom room;
    // Plugged in but dark when the kiosk starts (as after a power cut): nothing else on a bare
    // kiosk switches it on, so the kiosk does, and puts up its black window.
    room.x.switch_on("DUMMY1");
    room.x.switch_off("DUMMY1");
    Spawned k = spawn_courtplay({"--config", room.svc.config()});
    says(k, "court screen DUMMY1 connected", 30s);
    says(k, "screen waiting (en)", 30s);
    CHECK(soon(court_screen_black));

    type(room.may_cast);
    key("Return");
    says(k, "screen share (en)", 30s);
    type("1");
    says(k, "screen player (en)", 30s);
    std::this_thread::sleep_for(1500ms);
    // Playing on the console, nothing in the room until the clerk says so.
    CHECK(court_screen_black());
    CHECK(console_says("COURT SCREENS BLANK"));

    key("F5");
    says(k, "court screens live", 10s);
    CHECK(soon([] { return brightest(court_screen()) > 100; }));
    // The room sees the watermarked picture: its lines name the party and the share.
    CHECK(soon([] { return picture_says(court_screen(), "share"); }, 20s));
    CHECK(console_says("LIVE ON COURT SCREENS"));

    key("F5");
    says(k, "court screens blank", 10s);
    CHECK(soon(court_screen_black, 2s));

    // Unplugged mid-hearing: playback goes on and the console says which screen is gone.
    key("F5");
    says(k, "court screens live", 10s, 2);
    room.x.switch_off("DUMMY1");
    says(k, "court screen DUMMY1 disconnected", 10s);
    CHECK(console_says("Not connected: DUMMY1"));
    room.x.switch_on("DUMMY1");
    says(k, "court screen DUMMY1 connected", 10s, 2);
    CHECK(soon([] { return brightest(court_screen()) > 100; }));  // still live: the room sees it again

    // Back to the clips: the court screen goes black with the clip.
    key("Escape");
    says(k, "screen share (en)", 10s, 2);
    CHECK(soon(court_screen_black, 2s));
    key("Escape");
    says(k, "screen confirm_end (en)", 10s);
    key("Return");
    says(k, "screen waiting (en)", 10s, 2);

    // A share without `cast`: the clip plays on the console only; F5 changes nothing.
    type(room.view_only);
    key("Return");
    says(k, "screen share (en)", 30s, 3);
    type("1");
    says(k, "screen player (en)", 30s, 2);
    std::this_thread::sleep_for(1s);
    key("F5");
    CHECK(console_says("does not allow"));
    CHECK(court_screen_black());

    k.kill(SIGTERM);
    const RunResult r = k.wait();
    INFO(r.err);
    CHECK(r.exit_code == 0);

    // On record, each before it happened: blank, live, blank, live; the screen going and coming
    // back; nothing of the view-only share's clip on the court screen.
    std::vector<bool> blanked;
    std::vector<std::string> court_outputs;
    for (const json& e : room.service_events()) {
        const std::string type = e["type"];
        const json d = e.value("details", json::object());  // events with nothing to add have none
        if (type == "output.blanked") {
            CHECK(d["display"] == "court screens");
            blanked.push_back(d["blanked"].get<bool>());
        }
        if ((type == "output.started" || type == "output.stopped") && d["display"] == "court screen DUMMY1")
            court_outputs.push_back(type);
    }
    CHECK(blanked == std::vector<bool>{false, true, false});
    CHECK(court_outputs ==
          std::vector<std::string>{"output.started", "output.stopped", "output.started", "output.stopped"});
}

TEST_CASE("a clerk pairs with a court receiver found on the network by its code and each clip the grant allows goes to it, blank first",
          "[kiosk][ui][court_screens]") {
    OwnXServer x;
    ServiceFolder svc{"court_receiver"};
    courtplay::assets::SampleSpec spec;
    spec.path = "court_receiver.mp4";
    spec.width = 320;
    spec.height = 240;
    // Long enough to be still playing when the screen goes live, however many surveys it took to
    // find the receiver on a loaded machine (a 20 s clip had ended once: no new pictures came).
    spec.seconds = 90;
    const std::string clip_id = svc.add_clip(fixture(spec), "Dash camera PC 881", {"--device", "DC-881"});
    const std::string token = svc.share({"--party", "defence", "--case", "01YZ1234526", "--clips", clip_id, "--perms",
                                         "view,cast", "--expires", "2h"});
    // The courtroom's one configured receiver is switched off; the one behind the screen is found
    // on the network (DNS-SD), and proves the mDNS name it is announced under (`init` wrote it
    // into the certificate). It listens on every address, as it would behind a courtroom screen.
    const int port = free_port();
    std::ofstream(svc.config(), std::ios::app) << "receivers = [\"127.0.0.1:" << free_port()
                                               << "\"]\nfind_receivers = true\n";  // [cast] is last
    const std::string screen_log = scratch_dir() + "/court_receiver-screen.log";
    Spawned receiver = spawn_courtplay({"receiver", "--config", (svc.data / "receiver.toml").string(), "--listen",
                                        "0.0.0.0:" + std::to_string(port), "--headless", "--print-pairing-code",
                                        "--frame-log", screen_log});
    REQUIRE(receiver.wait_for_err("ready to pair", 20s));
    REQUIRE(soon([&] { return receiver.out().size() >= 7; }));  // its first code, on its own line
    const std::string code = receiver.out().substr(0, 6);

    Spawned k = spawn_courtplay({"--config", svc.config()});
    says(k, "screen waiting (en)", 30s);
    type(token);
    key("Return");
    says(k, "screen share (en)", 30s);
    type("1");
    says(k, "screen player (en)", 30s);
    int players = 1;  // times the player screen has been said
    // Announcing takes a moment after "ready"; the survey looks for 2 s each time the screen opens.
    const std::regex found_ours("court receiver ([0-9]+) found on the network: Court 1 screen at [^ ]+:" +
                                std::to_string(port) + " ");
    std::smatch place;
    std::string log;
    for (int tries = 0; tries < 5; ++tries) {
        const size_t from = k.err().size();
        type("c");
        says(k, "screen cast (en)", 10s, tries + 1);
        if (soon([&] { return std::regex_search(log = k.err().substr(from), place, found_ours); }, 10s)) break;
        key("Escape");
        says(k, "screen player (en)", 10s, ++players);
    }
    REQUIRE(place.size() == 2);
    CHECK(console_says("Type the code"));
    CHECK(console_says("not answering"));  // the configured one, switched off
    CHECK(console_says("Court 1 screen"));  // the one found, named as its certificate names it
    for (int i = 1; i < std::stoi(place[1].str()); ++i) key("Down");  // the first is the configured one
    type(code);
    key("Return");
    says(k, "casting to Court 1 screen", 20s);
    says(k, "screen player (en)", 10s, ++players);
    CHECK(receiver.wait_for_err("receiving a cast", 10s));
    std::this_thread::sleep_for(1s);
    // Blank first: every picture the receiver has had so far is the same (black).
    std::set<std::string> before;
    for (const FrameLine& f : read_frame_log(screen_log)) before.insert(f.md5);
    CHECK(before.size() == 1);
    key("F5");
    says(k, "court screens live", 10s);
    CHECK(console_says("LIVE ON COURT SCREENS"));
    // The clip's own pictures, each different (as fast as a loaded machine encodes them).
    CHECK(soon([&] {
        std::set<std::string> after;
        for (const FrameLine& f : read_frame_log(screen_log)) after.insert(f.md5);
        return after.size() > 10;
    }, 20s));

    // The next clip goes to the same receiver without a new code.
    key("Escape");
    says(k, "screen share (en)", 10s, 2);
    CHECK(receiver.wait_for_err("the cast ended: ", 10s));
    type("1");
    says(k, "screen player (en)", 30s, ++players);
    says(k, "casting to Court 1 screen", 20s, 2);
    CHECK(receiver.wait_for_err("receiving a cast", 10s, 2));
    CHECK(receiver.out().size() == 7);  // still the first code alone: paired all along

    // The receiver's computer freezes as the next clip opens: the stream's connection is made
    // beside the kiosk's loop, so the clerk's keys act at once (were it made on the loop, Escape
    // would wait out SRT's 3 s and the clip would first be said not castable). Closing the clip
    // gives the connection up, and no cast is recorded for it.
    key("Escape");
    says(k, "screen share (en)", 10s, 3);
    receiver.kill(SIGSTOP);
    type("1");
    says(k, "screen player (en)", 30s, ++players);
    says(k, "connecting the cast to Court 1 screen", 10s, 3);
    key("Escape");
    says(k, "screen share (en)", 10s, 4);
    CHECK(k.err().find("this clip cannot be cast") == std::string::npos);
    receiver.kill(SIGCONT);

    // Ending the session ends the pairing: the receiver shows a new code.
    key("Escape");
    says(k, "screen confirm_end (en)", 10s);
    key("Return");
    says(k, "screen waiting (en)", 10s, 2);
    for (int i = 0; i < 100 && receiver.out().size() < 14; ++i) std::this_thread::sleep_for(100ms);
    CHECK(receiver.out().size() == 14);

    k.kill(SIGTERM);
    CHECK(k.wait().exit_code == 0);
    receiver.kill(SIGTERM);
    receiver.wait();
    int started = 0, stopped = 0;
    courtplay::server::sqlite::Connection db(svc.data / "share.db", false);
    auto rows = db.prepare("SELECT event FROM audit_events WHERE kiosk_id = 'kiosk-1' ORDER BY seq");
    std::vector<bool> blanked;
    while (rows.step()) {
        const json e = json::parse(rows.text(0));
        const json d = e.value("details", json::object());  // events with nothing to add have none
        if (e["type"] == "output.blanked") blanked.push_back(d["blanked"].get<bool>());
        if (!d.contains("receiver")) continue;
        CHECK(d["receiver"] == "Court 1 screen");
        CHECK(d["address"].get<std::string>().ends_with(":" + std::to_string(port)));
        started += e["type"] == "output.started";
        stopped += e["type"] == "output.stopped";
    }
    CHECK(started == 2);
    CHECK(stopped == 2);
    CHECK(blanked == std::vector<bool>{false});
}

TEST_CASE("a court screen named by a position that is the console's own is never put over the console",
          "[kiosk][ui][court_screens]") {
    OwnCourtroomXServer x;
    ServiceFolder svc{"court_console"};
    std::ofstream(svc.config(), std::ios::app) << "\n[displays]\ncourt = [\"1\"]\n";
    Spawned k = spawn_courtplay({"--config", svc.config()});
    says(k, "court screen 1 is the console's screen (DUMMY0); nothing is shown on it", 30s);
    says(k, "screen waiting (en)", 30s);
    CHECK(console_says("scan your share code"));  // the clerk's screen, not a black court window over it
    k.kill(SIGTERM);
    CHECK(k.wait().exit_code == 0);
}
