// `courtplay admin pin-hash` as court IT use it: two PINs piped in, the printed line pasted into
// kiosk.toml, the file read by the real loader and the PIN matched against what it holds.
#include "support/testing.h"

#include "auth/pin_hash.h"
#include "config/kiosk_config.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>

#include <unistd.h>

using namespace courtplay;
using namespace courtplay::testing;
namespace fs = std::filesystem;

namespace {

// `courtplay admin pin-hash` with `input` on its standard input (a pipe).
RunResult pin_hash_with_input(const std::string& input) {
    return run({"/bin/sh", "-c", "printf '%s' \"$1\" | \"$0\" admin pin-hash", COURTPLAY_BIN, input});
}

// A kiosk.toml in its own folder, with the files the loader insists on, and `admin` appended.
fs::path kiosk_toml(const std::string& name, const std::string& admin) {
    const fs::path dir = fs::path(scratch_dir()) / name;
    fs::create_directories(dir);
    write_file((dir / "ca.pem").string(), "-----BEGIN CERTIFICATE-----\n");
    write_file((dir / "cps.jwk").string(), "{}");
    write_file((dir / "kiosk.toml").string(),
               "[kiosk]\nid = \"kiosk-1\"\nstate_dir = \"state\"\n"
               "[service]\nurl = \"https://localhost:8443\"\nca_file = \"ca.pem\"\n"
               "[trust.cps]\nissuer = \"cps\"\nkey = \"cps.jwk\"\n"
               "[admin]\n" + admin);
    return dir / "kiosk.toml";
}

}  // namespace

TEST_CASE("admin pin-hash: the printed line goes into kiosk.toml and the PIN matches", "[admin]") {
    const RunResult r = pin_hash_with_input("123456\n123456\n");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // One line on stdout, ready to paste.
    std::smatch m;
    REQUIRE(std::regex_match(r.out, m, std::regex("pin_hash = \"(scrypt\\$15\\$8\\$1\\$[A-Za-z0-9_-]{22}\\$[A-Za-z0-9_-]{43})\"\n")));
    const std::string hash = m[1];
    CHECK(auth::pin_hash_problem(hash) == std::nullopt);

    const config::KioskConfig cfg = config::load_kiosk_config(kiosk_toml("pasted", r.out));
    CHECK(cfg.admin.pin_hash == hash);
    CHECK(auth::pin_matches("123456", cfg.admin.pin_hash));
    CHECK_FALSE(auth::pin_matches("654321", cfg.admin.pin_hash));

    // Another run, the same PIN: another salt, and it matches too.
    const RunResult again = pin_hash_with_input("123456\r\n123456\r\n");  // typed on Windows
    REQUIRE(again.exit_code == 0);
    CHECK(again.out != r.out);
    const auto cfg2 = config::load_kiosk_config(kiosk_toml("pasted-again", again.out));
    CHECK(auth::pin_matches("123456", cfg2.admin.pin_hash));
}

TEST_CASE("admin pin-hash: mismatches and bad PINs are refused with exit 2 and nothing on stdout", "[admin]") {
    struct Case {
        std::string input, message;
    };
    const std::vector<Case> cases = {
        {"123456\n123457\n", "the two PINs differ"},
        {"123456\n1234567\n", "the two PINs differ"},
        {"123456\n\n", "the two PINs differ"},
        {"12345\n12345\n", "the PIN typed has 5 digits"},
        {"1234567890123\n1234567890123\n", "the PIN typed has 13 digits"},
        {std::string(100, '1') + "\n" + std::string(100, '1') + "\n", "the PIN typed has more than 64 digits"},
        {"12a456\n12a456\n", "the PIN typed has a character that is not a digit 0-9"},
        {" 123456\n 123456\n", "the PIN typed has a character that is not a digit 0-9"},
        {"\n\n", "the PIN is empty"},
        {"", "no PIN was given"},
        {"123456\n", "the PIN was given only once"},
    };
    for (const auto& c : cases) {
        INFO(c.input);
        const RunResult r = pin_hash_with_input(c.input);
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK(r.err == "courtplay: " + c.message + "; no PIN hash was made. A PIN is 6 to 12 digits, typed twice.\n");
        CHECK(r.err.find("123") == std::string::npos);  // the PIN is never repeated
    }
}

// courtplay-egress.service runs it as root with no capability but CAP_NET_ADMIN: the kiosk's own
// folders (0700, courtplay's) are out of its reach, and it needs nothing in them. Found booting
// the image: it aborted on the cache folder's path, and the egress list was never loaded.
TEST_CASE("admin egress-rules works without access to the kiosk's own folders, as its unit runs it", "[admin]") {
    const fs::path toml = kiosk_toml("egress-no-access", "");
    const fs::path state = toml.parent_path() / "state";
    fs::create_directories(state / "cache");
    fs::permissions(state, fs::perms::owner_all);
    REQUIRE(::chown(state.c_str(), 65534, 65534) == 0);  // nobody's, as the kiosk's are courtplay's
    const fs::path rules = toml.parent_path() / "egress.nft";
    const RunResult r = run({"setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", COURTPLAY_BIN, "admin",
                             "egress-rules", "--config", toml.string(), "--output", rules.string()});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(read_file(rules.string()).find("table inet courtplay_egress") != std::string::npos);
}
