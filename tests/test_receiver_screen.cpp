// What a courtroom screen shows (docs/cast.md): the real `courtplay receiver` in a window on an X
// server of the test's own, read back with tesseract, while a kiosk pairs with it over the real
// control channel (its config and certificate from the real `courtplay-server init`).
#include "cast/paired_receiver.h"
#include "support/share_fixture.h"
#include "support/x_screen.h"

#include <catch2/catch.hpp>

#include <csignal>
#include <ctime>
#include <sstream>
#include <thread>

using namespace courtplay;
using namespace courtplay::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> codes_of(const Spawned& rx, size_t at_least) {
    std::vector<std::string> codes;
    for (int i = 0; i < 200; ++i) {
        codes.clear();
        std::istringstream in(rx.out());
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) codes.push_back(line);
        if (codes.size() >= at_least) break;
        std::this_thread::sleep_for(50ms);
    }
    return codes;
}
// Whether the screen shows this pairing code ("482 913"). tesseract reads the gap between its two
// halves as a space or as none, run to run, and now and then a digit as the letter it looks like
// ("147 Oll" for 147 011): all of these are the code.
bool screen_shows_code(const std::string& code) {
    return screen_shows([&](const courtplay::kiosk::RgbPicture& screen) {
        std::string text = read_picture_text(screen);
        std::erase(text, ' ');
        for (char& c : text) {
            if (c == 'O' || c == 'o') c = '0';
            else if (c == 'l' || c == 'I' || c == '|') c = '1';
        }
        return text.find(code) != std::string::npos;
    });
}
}  // namespace

TEST_CASE("An idle courtroom screen shows its name and the current pairing code, and hides it while casting") {
    OwnXServer x;
    const fs::path data = fs::path(scratch_dir()) / "receiver-screen";
    fs::remove_all(data);
    REQUIRE(server_cli({"init", "--data", data.string()}).exit_code == 0);
    const int port = free_port();
    Spawned rx = spawn_courtplay({"receiver", "--config", (data / "receiver.toml").string(), "--listen",
                                  "127.0.0.1:" + std::to_string(port), "--print-pairing-code"});
    std::vector<std::string> codes = codes_of(rx, 1);
    REQUIRE(codes.size() == 1);
    CHECK(screen_shows_code(codes[0]));
    CHECK(picture_says(capture_screen(), "Court 1 screen"));

    cast::PairingRequest ask{{"127.0.0.1", port}, codes[0] == "000000" ? "000001" : "000000", data / "ca" / "ca.pem",
                             "Reference Crown Court, Court 1 (kiosk-1)", "CPS", std::time(nullptr) + 600};
    CHECK_THROWS_AS(cast::PairedReceiver(ask), cast::PairingRefused);
    codes = codes_of(rx, 2);
    REQUIRE(codes.size() == 2);
    CHECK(screen_shows_code(codes[1]));

    ask.code = codes[1];
    cast::PairedReceiver paired(ask);
    // Until the stream's first picture the screen says who is casting, and the code is gone.
    CHECK(screen_says("Casting from Reference Crown Court"));
    CHECK_FALSE(picture_says(capture_screen(), "Pairing code"));
    paired.end();
    codes = codes_of(rx, 3);
    REQUIRE(codes.size() == 3);
    CHECK(screen_shows_code(codes[2]));
    rx.kill(SIGTERM);
    CHECK(rx.wait().exit_code == 0);
}
