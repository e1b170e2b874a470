// `courtplay --demo` on a machine with no display: the real demo court (the share service binary
// on loopback TLS, the demo clips, shares), the scripted session through the real kiosk, a
// screenshot of each screen that shows what it should, and the audit trail all delivered.
#include "support/testing.h"
#include "support/x_screen.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

using namespace courtplay::testing;
namespace fs = std::filesystem;

namespace {
courtplay::kiosk::RgbPicture picture(const fs::path& png) {
    const std::optional<courtplay::kiosk::RgbPicture> p = courtplay::kiosk::read_png(png);
    REQUIRE(p);
    return *p;
}
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("courtplay --demo with no display runs its scripted session and shows every screen", "[kiosk][demo]") {
    const fs::path screens = fs::path(scratch_dir()) / "demo-screens";
    const RunResult r = run({"env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY", COURTPLAY_BIN, "--demo", "--screenshots",
                             screens.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(has(r.out, "Screenshots of each screen (12) are in " + screens.string()));

    const std::vector<std::pair<std::string, std::string>> expected = {
        {"01-waiting", "scan your share code"},  {"02-waiting-cymraeg", "sganiwch"},
        {"03-code-mistyped", "not right"},       {"04-code-refused", "cannot be used"},
        {"05-share-cps", "PROSECUTION"},         {"06-player", "Frame"},
        {"07-player-paused", "Play"},            {"08-confirm-end", "End this session"},
        {"09-share-defence", "DEFENCE"},         {"10-player-segment", "Allowed part"},
        {"11-admin-pin", "PIN"},                 {"12-admin", "Share service"}};
    for (const auto& [name, words] : expected) {
        const fs::path png = screens / (name + ".png");
        INFO(png);
        REQUIRE(fs::exists(png));
        CHECK((fs::status(png).permissions() & fs::perms::others_read) == fs::perms::none);
        const courtplay::kiosk::RgbPicture p = picture(png);
        const bool says = picture_says(p, words);
        if (!says) UNSCOPED_INFO("it reads: " << read_picture_text(p));
        CHECK(says);
    }
    // The watermark is on the played frame: party, share and session.
    const courtplay::kiosk::RgbPicture player = picture(screens / "06-player.png");
    CHECK(picture_says(player, "share sh_"));
    CHECK(picture_says(player, "session se_"));

    // Every event of the journal reached the audit service, whose own check finds no fault.
    std::smatch m;
    REQUIRE(std::regex_search(r.out, m, std::regex("Audit trail: ([0-9]+) events in the kiosk's journal, ([0-9]+) delivered")));
    CHECK(std::stoi(m[1]) >= 30);
    CHECK(m[1] == m[2]);
    CHECK(has(r.out, "Audit service: " + m[1].str() + " events from 1 kiosks, 0 faults"));
    for (const char* type : {"session.started", "token.refused", "token.redeemed", "cache.stored", "clip.opened", "pause",
                             "frame.step", "clip.closed", "session.ended", "admin.signed_in"})
        CHECK(has(r.out, type));
}

// Xlib ends the kiosk with exit() when its X server dies: the demo's share service (tied to the
// kiosk) and its data folder, with the demo's clips and keys, go too.
TEST_CASE("courtplay --demo leaves nothing behind when its X server dies under it", "[kiosk][demo]") {
    auto demo_folders = [] {
        std::set<fs::path> found;
        for (const fs::directory_entry& e : fs::directory_iterator(fs::temp_directory_path()))
            if (e.path().filename().string().rfind("courtplay-demo-", 0) == 0) found.insert(e.path());
        return found;
    };
    // Processes whose command line names the folder: the demo's `courtplay-server serve --data ...`.
    auto using_folder = [](const fs::path& folder) {
        int n = 0;
        for (const fs::directory_entry& e : fs::directory_iterator("/proc")) {
            std::ifstream cmdline(e.path() / "cmdline");
            std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
            if (text.find(folder.string()) != std::string::npos) ++n;
        }
        return n;
    };
    OwnXServer x;
    const std::set<fs::path> before = demo_folders();
    Spawned kiosk({COURTPLAY_BIN, "--demo"});
    REQUIRE(kiosk.wait_for_err("courtplay: screen waiting (en)\n", std::chrono::seconds(120)));
    std::vector<fs::path> made;
    for (const fs::path& f : demo_folders())
        if (!before.count(f)) made.push_back(f);
    REQUIRE(made.size() == 1);
    CHECK(using_folder(made[0]) == 1);  // the share service

    x.crash();
    const RunResult r = kiosk.wait();
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK_FALSE(fs::exists(made[0]));
    int left = using_folder(made[0]);
    for (int i = 0; i < 50 && left; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        left = using_folder(made[0]);
    }
    CHECK(left == 0);
}
