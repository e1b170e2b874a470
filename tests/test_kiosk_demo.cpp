// `courtplay --demo` on a machine with no display: the real demo court (the share service binary
// on loopback TLS, the demo clips, shares), the scripted session through the real kiosk, a
// screenshot of each screen that shows what it should, and the audit trail all delivered.
#include "support/testing.h"
#include "support/x_screen.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

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
