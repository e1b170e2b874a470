// The kiosk configuration loader: what it accepts, and that every refusal names the file, the key,
// what is wrong and what is expected.
#include "config/kiosk_config.h"
#include "config/receiver_config.h"
#include "config/watermark_template.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace courtplay::config;
namespace fs = std::filesystem;

namespace {

// A folder laid out like /etc/courtplay: the CA bundle and the issuers' keys, relative to kiosk.toml.
class ConfigDir {
public:
    ConfigDir() {
        static std::atomic<int> n{0};
        dir_ = fs::temp_directory_path() /
               ("courtplay-config-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "ca");
        fs::create_directories(dir_ / "issuers");
        write("ca/ca.pem", "-----BEGIN CERTIFICATE-----\n");
        write("issuers/cps.jwk", "{}");
        write("issuers/defence.jwk", "{}");
    }
    ~ConfigDir() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    ConfigDir(const ConfigDir&) = delete;
    ConfigDir& operator=(const ConfigDir&) = delete;

    fs::path write(const std::string& name, const std::string& content) const {
        std::ofstream(dir_ / name, std::ios::binary) << content;
        return dir_ / name;
    }
    const fs::path& dir() const { return dir_; }
    fs::path toml() const { return dir_ / "kiosk.toml"; }

    KioskConfig load(const std::string& content) const { return load_kiosk_config(write("kiosk.toml", content)); }

    // The loader's message for a file it refuses ("" if it loads).
    std::string error(const std::string& content) const {
        try {
            load(content);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    }
    // The same, with the "PATH: " every line starts with cut from the first line.
    std::string problem(const std::string& content) const {
        std::string e = error(content);
        const std::string prefix = toml().string() + ": ";
        REQUIRE(e.substr(0, prefix.size()) == prefix);
        return e.substr(prefix.size());
    }

private:
    fs::path dir_;
};

const std::string service =
    "[service]\n"
    "url = \"https://localhost:8443\"\n"
    "ca_file = \"ca/ca.pem\"\n";
const std::string kiosk =
    "[kiosk]\n"
    "id = \"kiosk-1\"\n"
    "state_dir = \"/var/lib/courtplay/kiosk\"\n";
const std::string trust =
    "[trust.cps]\n"
    "issuer = \"https://localhost:8443/issuers/cps\"\n"
    "key = \"issuers/cps.jwk\"\n";
const std::string minimal = kiosk + service + trust;

// The minimal file with `line` added after the line starting with `after`.
std::string with(const std::string& after, const std::string& line, std::string base = minimal) {
    auto at = base.find(after);
    REQUIRE(at != std::string::npos);
    at = base.find('\n', at) + 1;
    return base.insert(at, line + "\n");
}

std::string without(const std::string& line, std::string base = minimal) {
    auto at = base.find(line);
    REQUIRE(at != std::string::npos);
    return base.erase(at, base.find('\n', at) + 1 - at);
}

}  // namespace

TEST_CASE("config: a complete file", "[config]") {
    ConfigDir d;
    auto c = d.load(
        "# kiosk.toml\n"
        "[kiosk]\n"
        "id = \"Court_1.kiosk-A\"\n"
        "court = \"Reference Crown Court\"\n"
        "room = \"Court 1\"\n"
        "state_dir = \"state\"\n"
        "\n"
        "[service]\n"
        "url = \"https://Shares.Example.org:8443/\"\n"
        "ca_file = \"ca/../ca/ca.pem\"\n"
        "spki_pin = \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;sha256//n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=\"\n"
        "timeout_s = 30\n"
        "status_poll_s = 3600\n"
        "\n"
        "[trust]\n"
        "clock_skew_s = 0\n"
        "\n"
        "[trust.cps]\n"
        "issuer = \"https://localhost:8443/issuers/cps\"\n"
        "key = \"issuers/cps.jwk\"\n"
        "\n"
        "[trust.defence]\n"
        "issuer = \"https://localhost:8443/issuers/defence\"\n"
        "key = \"" + (d.dir() / "issuers/defence.jwk").string() + "\"\n");
    CHECK(c.file == d.toml());
    CHECK(c.kiosk_id == "Court_1.kiosk-A");
    CHECK(c.court == "Reference Crown Court");
    CHECK(c.room == "Court 1");
    CHECK(c.state_dir == d.dir() / "state");
    CHECK(c.service.url == "https://shares.example.org:8443");
    CHECK(c.service.ca_file == d.dir() / "ca/ca.pem");
    CHECK(c.service.spki_pin ==
          "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;sha256//n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=");
    CHECK(c.service.timeout_s == 30);
    CHECK(c.service.status_poll_s == 3600);
    CHECK(c.clock_skew_s == 0);
    REQUIRE(c.issuers.size() == 2);
    CHECK(c.issuers.at("cps").issuer == "https://localhost:8443/issuers/cps");
    CHECK(c.issuers.at("cps").key == d.dir() / "issuers/cps.jwk");
    CHECK(c.issuers.at("defence").key == d.dir() / "issuers/defence.jwk");
}

TEST_CASE("config: the minimal file takes the defaults", "[config]") {
    ConfigDir d;
    auto c = d.load(minimal);
    CHECK(c.court.empty());
    CHECK(c.room.empty());
    CHECK(c.state_dir == "/var/lib/courtplay/kiosk");
    CHECK(c.service.url == "https://localhost:8443");
    CHECK(c.service.spki_pin.empty());
    CHECK(c.service.timeout_s == 15);
    CHECK(c.service.status_poll_s == 10);
    CHECK(c.clock_skew_s == 120);
    CHECK(c.issuers.size() == 1);
    CHECK(c.issuers.count("cps") == 1);
    CHECK(c.cache.dir == "/var/lib/courtplay/kiosk/cache");
    CHECK(c.cache.key_file == "/var/lib/courtplay/kiosk/keys/cache.key");
    CHECK(c.cache.max_size_mb == 20480);
    CHECK(c.cache.keep_after_session_h == 0);
    CHECK(c.audit.dir == "/var/lib/courtplay/kiosk/journal");
    CHECK(c.audit.key_file == "/var/lib/courtplay/kiosk/keys/audit.key");
    CHECK(c.audit.keep_delivered_days == 90);
    CHECK(c.audit.max_backlog_age_h == 72);
    CHECK(c.audit.max_backlog_events == 100000);
    CHECK(c.watermark.text_template == courtplay::config::kDefaultWatermarkTemplate);
    CHECK(c.watermark.move_every_s == 20);
    CHECK(c.watermark.opacity_percent == 75);
    CHECK(c.ui.language == "en");
    CHECK(c.ui.idle_timeout_s == 300);
    CHECK(c.ui.idle_warning_s == 30);
    CHECK(c.admin.pin_hash.empty());
    CHECK(c.time.ntp_servers.empty());
}

TEST_CASE("config: the time table's NTP servers", "[config]") {
    ConfigDir d;
    const auto c = d.load(minimal + "[time]\nntp_servers = [\"NTP1.Court.Example\", \"10.20.0.1\", \"fd00::123\"]\n");
    CHECK(c.time.ntp_servers == std::vector<std::string>{"ntp1.court.example", "10.20.0.1", "fd00::123"});
    const std::string expected =
        "key `time.ntp_servers`: must be a list of 1 to 8 NTP servers, each a host name or an IP address "
        "without a port, e.g. [\"ntp1.court.example\", \"10.20.0.1\"], found ";
    CHECK(d.problem(minimal + "[time]\nntp_servers = \"ntp1.court.example\"\n") ==
          expected + "\"ntp1.court.example\" (a string)");
    CHECK(d.problem(minimal + "[time]\nntp_servers = []\n") == expected + "[] (an empty list)");
    CHECK_THAT(d.problem(minimal + "[time]\nntp_servers = [\"ntp1.court.example:123\"]\n"),
               Catch::Contains("has a ':': write a host name or an IP address without a port"));
    CHECK_THAT(d.problem(minimal + "[time]\nntp_servers = [\"ntp one\"]\n"),
               Catch::Contains("\"ntp one\" is not a host name or an IP address"));
    CHECK_THAT(d.problem(minimal + "[time]\nntp_servers = [\"-ntp.court.example\"]\n"),
               Catch::Contains("each part between dots must be 1 to 63"));
    CHECK_THAT(d.problem(minimal + "[time]\nntp_servers = [\"a\", \"A\"]\n"), Catch::Contains("\"a\" is listed twice"));
    CHECK_THAT(d.problem(minimal + "[time]\nntp_servers = [123]\n"), Catch::Contains("(an entry is a whole number)"));
    CHECK_THAT(d.problem(minimal + "[time]\nntp_servers = [\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]\n"),
               Catch::Contains("(9 entries)"));
    CHECK(d.problem(minimal + "[time]\nntp_server = [\"a\"]\n") ==
          "unknown key `time.ntp_server`: did you mean `time.ntp_servers`?");
}

TEST_CASE("config: the console and the court screens, by output name or position", "[config]") {
    ConfigDir d;
    auto c = d.load(minimal + "[displays]\nconsole = \"HDMI-1\"\ncourt = [\"HDMI-2\", \"DP-1\"]\n");
    CHECK(c.displays.console == "HDMI-1");
    CHECK(c.displays.court == std::vector<std::string>{"HDMI-2", "DP-1"});  // RandR's case, kept
    c = d.load(minimal + "[displays]\ncourt = [\"2\"]\n");
    CHECK(c.displays.console.empty());
    CHECK(c.displays.court == std::vector<std::string>{"2"});
    CHECK(d.load(minimal).displays.court.empty());
    CHECK_THAT(d.problem(minimal + "[displays]\nconsole = \"HDMI-1\"\ncourt = [\"HDMI-1\"]\n"),
               Catch::Contains("the console must not be one of the court's screens"));
    CHECK_THAT(d.problem(minimal + "[displays]\ncourt = [\"0\"]\n"), Catch::Contains("the first display is \"1\""));
    CHECK_THAT(d.problem(minimal + "[displays]\ncourt = [\"HDMI 2\"]\n"),
               Catch::Contains("has a character an output name does not have"));
    CHECK_THAT(d.problem(minimal + "[displays]\ncourt = [\"HDMI-2\", \"HDMI-2\"]\n"), Catch::Contains("listed twice"));
    CHECK_THAT(d.problem(minimal + "[displays]\ncourt = \"HDMI-2\"\n"),
               Catch::Contains("must be a list of 1 to 4 courtroom screens"));
    CHECK_THAT(d.problem(minimal + "[displays]\ncourt = [\"1\",\"2\",\"3\",\"4\",\"5\"]\n"),
               Catch::Contains("(5 entries)"));
}

// PIN 123456 (tests/test_pin_hash.cpp checks it against OpenSSL's own scrypt).
const std::string kPinHash = "scrypt$15$8$1$AAECAwQFBgcICQoLDA0ODw$LJb7IPWvdQO9lJNqedPl4KBo7heZJfhGKLnKdTywGZ0";

TEST_CASE("config: the ui and admin tables", "[config]") {
    ConfigDir d;
    const auto c = d.load(minimal + "[ui]\nlanguage = \"cy\"\nidle_timeout_s = 600\nidle_warning_s = 60\n"
                                    "[admin]\npin_hash = \"" + kPinHash + "\"\n");
    CHECK(c.ui.language == "cy");
    CHECK(c.ui.idle_timeout_s == 600);
    CHECK(c.ui.idle_warning_s == 60);
    CHECK(c.admin.pin_hash == kPinHash);
    // The edges of the ranges, and an empty hash: no admin screen.
    const auto e = d.load(minimal + "[ui]\nidle_timeout_s = 7200\nidle_warning_s = 300\n[admin]\npin_hash = \"\"\n");
    CHECK(e.ui.idle_timeout_s == 7200);
    CHECK(e.ui.idle_warning_s == 300);
    CHECK(e.admin.pin_hash.empty());
    CHECK(d.load(minimal + "[ui]\nidle_timeout_s = 60\nidle_warning_s = 10\n").ui.idle_timeout_s == 60);

    const std::string language =
        "key `ui.language`: must be the language the waiting screen starts in: \"en\" (English) or \"cy\" "
        "(Welsh), ";
    const std::string pin_hash =
        "key `admin.pin_hash`: must be empty or a PIN hash made by `courtplay admin pin-hash` "
        "(\"scrypt$15$8$1$...\"); the one in the file (not shown) ";
    const std::string salt = "AAECAwQFBgcICQoLDA0ODw", hash = "LJb7IPWvdQO9lJNqedPl4KBo7heZJfhGKLnKdTywGZ0";
    struct Bad {
        std::string lines, problem;
    };
    const std::vector<Bad> bad = {
        {"[ui]\nlanguage = \"fr\"", language + "found \"fr\" (not one of these)"},
        {"[ui]\nlanguage = \"CY\"", language + "found \"CY\" (write it in lower case)"},
        {"[ui]\nlanguage = \"\"", language + "found \"\" (not one of these)"},
        {"[ui]\nlanguage = \"welsh\"", language + "found \"welsh\" (not one of these)"},
        {"[ui]\nlanguage = 1", language + "found 1 (a whole number)"},
        {"[ui]\nidle_timeout_s = 59",
         "key `ui.idle_timeout_s`: must be a whole number of seconds from 60 to 7200, found 59 (too small)"},
        {"[ui]\nidle_timeout_s = 7201",
         "key `ui.idle_timeout_s`: must be a whole number of seconds from 60 to 7200, found 7201 (too large)"},
        {"[ui]\nidle_warning_s = 9",
         "key `ui.idle_warning_s`: must be a whole number of seconds from 10 to 300, found 9 (too small)"},
        {"[ui]\nidle_warning_s = 301",
         "key `ui.idle_warning_s`: must be a whole number of seconds from 10 to 300, found 301 (too large)"},
        {"[ui]\nidle_timeout_s = 120\nidle_warning_s = 120",
         "key `ui.idle_warning_s`: must be less than `ui.idle_timeout_s`, which is 120, found 120 (the countdown "
         "must start before the session ends)"},
        {"[ui]\nidle_warning_s = 200\nidle_timeout_s = 100",
         "key `ui.idle_warning_s`: must be less than `ui.idle_timeout_s`, which is 100, found 200 (the countdown "
         "must start before the session ends)"},
        {"[ui]\nidle_warning_s = 300",
         "key `ui.idle_warning_s`: must be less than `ui.idle_timeout_s`, which is 300 (its default), found 300 "
         "(the countdown must start before the session ends)"},
        {"[ui]\nidle_s = 300", "unknown key `ui.idle_s`: `[ui]` takes language, idle_timeout_s, idle_warning_s"},
        {"[admin]\npin = \"123456\"", "unknown key `admin.pin`: `[admin]` takes pin_hash"},
        {"[admin]\npin_hash = \"123456\"",
         pin_hash + "is a PIN, not the hash of one: the PIN itself must never be written in the file"},
        {"[admin]\npin_hash = 123456", pin_hash + "is a whole number"},
        {"[admin]\npin_hash = \"scrypt$15$8$1$...\"", pin_hash + "has 5 parts separated by '$' where a PIN hash has 6"},
        {"[admin]\npin_hash = \"bcrypt$15$8$1$" + salt + "$" + hash + "\"", pin_hash + "does not start with \"scrypt$\""},
        {"[admin]\npin_hash = \"scrypt$15$8$1$" + salt + "$" + hash.substr(1) + "\"",
         pin_hash + "has a hash (the last part) that is not 43 base64url characters (32 bytes)"},
        {"[admin]\npin_hash = \"scrypt$15$8$1$" + salt + "!$" + hash + "\"",
         pin_hash + "has a salt (the fifth part) that is not 22 base64url characters (16 bytes)"},
        {"[admin]\npin_hash = \"scrypt$15$8$1$" + salt + "=$" + hash + "\"",
         pin_hash + "has a salt (the fifth part) that is not 22 base64url characters (16 bytes)"},
        {"[admin]\npin_hash = \"scrypt$24$8$1$" + salt + "$" + hash + "\"",
         pin_hash + "has a memory cost (the second part) that is not a whole number from 14 to 20"},
        {"[admin]\npin_hash = \"scrypt$20$16$4$" + salt + "$" + hash + "\"",
         pin_hash + "has costs (the second to fourth parts) that together ask for more than 4 times the work of "
                    "the usual 15$8$1, which would keep the admin screen waiting too long"},
        {"[admin]\npin_hash = \"" + kPinHash + " \"",
         pin_hash + "holds a space, a line break or another character a PIN hash never has"},
    };
    for (const auto& b : bad) {
        INFO(b.lines);
        CHECK(d.problem(minimal + b.lines + "\n") == b.problem);
    }
    // A refused timeout is reported once, not again as "less than".
    CHECK(d.problem(minimal + "[ui]\nidle_timeout_s = 20\nidle_warning_s = 30\n") ==
          "key `ui.idle_timeout_s`: must be a whole number of seconds from 60 to 7200, found 20 (too small)");
    // A key of another table that belongs here.
    CHECK(d.problem(with("[kiosk]", "language = \"cy\"")) == "unknown key `kiosk.language`: did you mean `ui.language`?");
}

TEST_CASE("config: the watermark table: nothing turns the watermark off", "[config]") {
    ConfigDir d;
    const auto defaults = d.load(minimal);
    CHECK(defaults.watermark.text_template == courtplay::config::kDefaultWatermarkTemplate);
    const auto c = d.load(minimal + "[watermark]\ntemplate = \"{party} {share_id}\\n{session_id} {court}\"\n"
                                    "move_every_s = 30\nopacity_percent = 50\n");
    CHECK(c.watermark.text_template == "{party} {share_id}\n{session_id} {court}");
    CHECK(c.watermark.move_every_s == 30);
    CHECK(c.watermark.opacity_percent == 50);
    CHECK_THAT(d.problem(minimal + "[watermark]\ntemplate = \"\"\n"), Catch::Contains("lacks {party}"));
    CHECK_THAT(d.problem(minimal + "[watermark]\ntemplate = \"{party} {share_id}\"\n"),
               Catch::Contains("key `watermark.template`: must be the watermark's text") &&
                   Catch::Contains("lacks {session_id}"));
    CHECK_THAT(d.problem(minimal + "[watermark]\ntemplate = \"{party} {share_id} {session_id} {case}\"\n"),
               Catch::Contains("unknown placeholder {case}"));
    CHECK(d.problem(minimal + "[watermark]\nopacity_percent = 0\n") ==
          "key `watermark.opacity_percent`: must be a whole number of percent from 40 to 90, found 0 (too small)");
    CHECK(d.problem(minimal + "[watermark]\nenabled = false\n") ==
          "unknown key `watermark.enabled`: `[watermark]` takes template, move_every_s, opacity_percent");
}

TEST_CASE("config: the audit table", "[config]") {
    ConfigDir d;
    const auto c = d.load(minimal + "[audit]\ndir = \"journal\"\nkeep_delivered_days = 30\n"
                                    "max_backlog_age_h = 24\nmax_backlog_events = 5000\n");
    CHECK(c.audit.dir == d.dir() / "journal");
    CHECK(c.audit.key_file == "/var/lib/courtplay/kiosk/keys/audit.key");
    CHECK(c.audit.keep_delivered_days == 30);
    CHECK(c.audit.max_backlog_age_h == 24);
    CHECK(c.audit.max_backlog_events == 5000);
    CHECK(d.problem(minimal + "[audit]\nmax_backlog_events = 10\n") ==
          "key `audit.max_backlog_events`: must be a whole number of events from 100 to 100000000, found 10 (too small)");
    CHECK(d.problem(minimal + "[audit]\nkeep_days = 10\n") ==
          "unknown key `audit.keep_days`: `[audit]` takes dir, key_file, keep_delivered_days, max_backlog_age_h, "
          "max_backlog_events");
}

TEST_CASE("config: the cache table", "[config]") {
    ConfigDir d;
    const auto c = d.load(minimal + "[cache]\ndir = \"evidence\"\nkey_file = \"/run/courtplay/cache.key\"\n"
                                    "max_size_mb = 512\nkeep_after_session_h = 8\n");
    CHECK(c.cache.dir == d.dir() / "evidence");
    CHECK(c.cache.key_file == "/run/courtplay/cache.key");
    CHECK(c.cache.max_size_mb == 512);
    CHECK(c.cache.keep_after_session_h == 8);

    // A copy of the cache folder must not carry the key that opens it.
    CHECK(d.problem(minimal + "[cache]\ndir = \"/srv/c\"\nkey_file = \"/srv/c/keys/k\"\n") ==
          "key `cache.key_file`: must be outside the cache folder /srv/c, found /srv/c/keys/k (a copy of the cache "
          "must not carry its key); move it, e.g. to /var/lib/courtplay/kiosk/keys/cache.key");
    CHECK(d.problem(minimal + "[cache]\nmax_size_mb = 0\n") ==
          "key `cache.max_size_mb`: must be a whole number of MiB from 1 to 16777216, found 0 (too small)");
    CHECK(d.problem(minimal + "[cache]\nkeep_after_session_h = \"8\"\n") ==
          "key `cache.keep_after_session_h`: must be a whole number of hours from 0 to 168, found \"8\" (a string: "
          "write the number without quotes)");
    CHECK(d.problem(minimal + "[cache]\nkey_file = \"ca\"\n") ==
          "key `cache.key_file`: must be the path of the kiosk's cache key file (made on first start, owner-only), "
          "outside the cache folder, e.g. \"/var/lib/courtplay/kiosk/keys/cache.key\", found \"ca\" (which is " +
              (d.dir() / "ca").string() + ", which is a folder, not a file)");
}

TEST_CASE("config: a relative file name is read and reported in its absolute form", "[config]") {
    ConfigDir d;
    d.write("kiosk.toml", minimal);
    const fs::path before = fs::current_path();
    fs::current_path(d.dir());
    auto c = load_kiosk_config("kiosk.toml");
    fs::current_path(before);
    CHECK(c.file == d.toml());
    CHECK(c.service.ca_file == d.dir() / "ca/ca.pem");
}

TEST_CASE("config: the example file in the source tree is valid apart from its paths", "[config]") {
    // kiosk.example.toml names /etc/courtplay files that do not exist here: only those may be wrong.
#ifdef COURTPLAY_CONFIG_EXAMPLE
    const fs::path example = COURTPLAY_CONFIG_EXAMPLE;
#else
    const fs::path example = fs::path(__FILE__).parent_path().parent_path() / "config/kiosk.example.toml";
#endif
    REQUIRE(fs::exists(example));
    try {
        load_kiosk_config(example);
        SUCCEED("the machine has the files the example names");
    } catch (const ConfigError& e) {
        std::string all = e.what();
        size_t lines = 0;
        for (size_t start = 0; start < all.size();) {
            size_t end = all.find('\n', start);
            std::string line = all.substr(start, end == std::string::npos ? std::string::npos : end - start);
            INFO(line);
            CHECK(line.find("which does not exist") != std::string::npos);
            ++lines;
            start = end == std::string::npos ? all.size() : end + 1;
        }
        CHECK(lines == 4);  // service.ca_file, trust.cps.key, trust.defence.key, cast.court_ca
    }
}

TEST_CASE("config: the message shape for a wrong value", "[config]") {
    ConfigDir d;
    CHECK(d.error(with("ca_file", "timeout_s = \"abc\"")) ==
          d.toml().string() +
              ": key `service.timeout_s`: must be a whole number of seconds from 1 to 300, found \"abc\" (a string)");
}

TEST_CASE("config: whole numbers of seconds and their ranges", "[config]") {
    ConfigDir d;
    CHECK(d.problem(with("ca_file", "timeout_s = 0")) ==
          "key `service.timeout_s`: must be a whole number of seconds from 1 to 300, found 0 (too small)");
    CHECK(d.problem(with("ca_file", "timeout_s = 301")) ==
          "key `service.timeout_s`: must be a whole number of seconds from 1 to 300, found 301 (too large)");
    CHECK(d.problem(with("ca_file", "timeout_s = 1.5")) ==
          "key `service.timeout_s`: must be a whole number of seconds from 1 to 300, found 1.5 (a decimal number)");
    CHECK(d.problem(with("ca_file", "timeout_s = \"15\"")) ==
          "key `service.timeout_s`: must be a whole number of seconds from 1 to 300, found \"15\" "
          "(a string: write the number without quotes)");
    CHECK(d.problem(with("ca_file", "status_poll_s = 3601")) ==
          "key `service.status_poll_s`: must be a whole number of seconds from 1 to 3600, found 3601 (too large)");
    CHECK(d.problem("[trust]\nclock_skew_s = -1\n" + minimal) ==
          "key `trust.clock_skew_s`: must be a whole number of seconds from 0 to 3600, found -1 (too small)");
    CHECK(d.problem(with("ca_file", "timeout_s = true")) ==
          "key `service.timeout_s`: must be a whole number of seconds from 1 to 300, found true (true or false)");
    CHECK(d.load(with("ca_file", "timeout_s = 300")).service.timeout_s == 300);
    CHECK(d.load(with("ca_file", "status_poll_s = 1")).service.status_poll_s == 1);
}

TEST_CASE("config: the kiosk's id", "[config]") {
    ConfigDir d;
    const std::string expected =
        "key `kiosk.id`: must be 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-', e.g. \"kiosk-1\", ";
    const std::string base = without("id = ");
    CHECK(d.problem(with("[kiosk]", "id = \"kiosk 1\"", base)) == expected + "found \"kiosk 1\" (' ' is not allowed)");
    CHECK(d.problem(with("[kiosk]", "id = \"\"", base)) == expected + "found \"\" (an empty string)");
    CHECK(d.problem(with("[kiosk]", "id = \"" + std::string(65, 'a') + "\"", base)) ==
          expected + "found \"" + std::string(65, 'a') + "\" (65 characters)");
    CHECK(d.problem(with("[kiosk]", "id = \"k\\u00e9\"", base)) ==
          expected + "found \"k\xc3\xa9\" (has a character that is not allowed)");
    CHECK(d.problem(with("[kiosk]", "id = 7", base)) == expected + "found 7 (a whole number)");
    CHECK(d.load(with("[kiosk]", "id = \"" + std::string(64, 'a') + "\"", base)).kiosk_id == std::string(64, 'a'));
}

TEST_CASE("config: the service's address", "[config]") {
    ConfigDir d;
    const std::string base = without("url = ");
    auto url = [&](const std::string& value) { return with("[service]", "url = \"" + value + "\"", base); };
    const std::string expected =
        "key `service.url`: must be the share service's address as https://HOST or https://HOST:PORT, with no "
        "path, e.g. \"https://shares.example.org:8443\", ";

    CHECK(d.load(url("https://shares.example.org")).service.url == "https://shares.example.org");
    CHECK(d.load(url("https://shares.example.org/")).service.url == "https://shares.example.org");
    CHECK(d.load(url("HTTPS://10.0.0.5:443")).service.url == "https://10.0.0.5:443");
    CHECK(d.load(url("https://[::1]:8443/")).service.url == "https://[::1]:8443");

    CHECK(d.problem(url("http://localhost:8443")) ==
          expected + "found \"http://localhost:8443\" (plain http is not allowed: use https://)");
    CHECK(d.problem(url("localhost:8443")) == expected + "found \"localhost:8443\" (does not start with https://)");
    CHECK(d.problem(url("https://localhost:8443/api/v1")) ==
          expected + "found \"https://localhost:8443/api/v1\" (remove \"/api/v1\": the address must have no path, "
                     "query or fragment)");
    CHECK(d.problem(url("https://localhost?x=1")) ==
          expected + "found \"https://localhost?x=1\" (remove \"?x=1\": the address must have no path, query or "
                     "fragment)");
    CHECK(d.problem(url("https://localhost:99999")) ==
          expected + "found \"https://localhost:99999\" (the port must be a number from 1 to 65535)");
    CHECK(d.problem(url("https://localhost:")) == expected + "found \"https://localhost:\" (no port number after ':')");
    CHECK(d.problem(url("https://")) == expected + "found \"https://\" (no host name)");
    CHECK(d.problem(url("https://user:pw@localhost")) ==
          expected + "found \"https://user:pw@localhost\" (the address must not hold a user name or password)");
    CHECK(d.problem(url("https://local_host")) ==
          expected + "found \"https://local_host\" (the host name may hold only letters, digits, '.' and '-')");
}

TEST_CASE("config: the service's key pins", "[config]") {
    ConfigDir d;
    auto pin = [&](const std::string& value) { return with("ca_file", "spki_pin = \"" + value + "\""); };
    const std::string good = "sha256//n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=";
    const std::string expected =
        "key `service.spki_pin`: must be empty or \"sha256//\" followed by the base64 SHA-256 of the service's "
        "public key (44 characters ending in '='), several joined by ';', ";

    CHECK(d.load(pin("")).service.spki_pin.empty());
    CHECK(d.load(pin(good)).service.spki_pin == good);
    CHECK(d.problem(pin("sha1//abc")) == expected + "found \"sha1//abc\" (pin 1 does not start with \"sha256//\")");
    CHECK(d.problem(pin(good + ";sha256//abc=")) ==
          expected + "found \"" + good + ";sha256//abc=\" (pin 2 is not the base64 of 32 bytes after \"sha256//\")");
    CHECK(d.problem(pin(good + ";")) ==
          expected + "found \"" + good + ";\" (pin 2 does not start with \"sha256//\")");
    // 43 symbols whose last one has low bits set cannot be 32 bytes.
    CHECK(d.problem(pin("sha256//n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgh=")).find("pin 1 is not the base64") !=
          std::string::npos);
}

TEST_CASE("config: files and folders, relative to the file", "[config]") {
    ConfigDir d;
    const std::string base = without("ca_file = ");
    auto ca = [&](const std::string& value) { return with("[service]", "ca_file = \"" + value + "\"", base); };
    const std::string expected =
        "key `service.ca_file`: must be the path of a readable PEM file holding the certificate authority the "
        "service's certificate chains to, ";

    CHECK(d.problem(ca("ca/missing.pem")) == expected + "found \"ca/missing.pem\" (which is " +
                                                 (d.dir() / "ca/missing.pem").string() + ", which does not exist)");
    CHECK(d.problem(ca("/nowhere/ca.pem")) == expected + "found \"/nowhere/ca.pem\" (which does not exist)");
    CHECK(d.problem(ca("ca")) ==
          expected + "found \"ca\" (which is " + (d.dir() / "ca").string() + ", which is a folder, not a file)");
    CHECK(d.problem(ca("")) == expected + "found \"\" (an empty string)");

    if (::geteuid() != 0) {  // root reads every file
        auto locked = d.write("ca/locked.pem", "x");
        fs::permissions(locked, fs::perms::none);
        CHECK(d.problem(ca("ca/locked.pem")) == expected + "found \"ca/locked.pem\" (which is " + locked.string() +
                                                    ", which cannot be read: Permission denied)");
    }

    d.write("state", "a file");
    CHECK(d.problem(with("[kiosk]", "state_dir = \"state\"", without("state_dir = "))) ==
          "key `kiosk.state_dir`: must be the path of the kiosk's own folder (cache, journal, keys), e.g. "
          "\"/var/lib/courtplay/kiosk\", found \"state\" (which is " +
              (d.dir() / "state").string() + ", which exists and is not a folder)");
    // A state folder that does not exist yet is fine: the kiosk makes it.
    CHECK(d.load(with("[kiosk]", "state_dir = \"new/state\"", without("state_dir = "))).state_dir ==
          d.dir() / "new/state");
}

TEST_CASE("config: unknown keys and tables, with suggestions", "[config]") {
    ConfigDir d;
    CHECK(d.problem(with("ca_file", "ulr = \"https://x\"")) == "unknown key `service.ulr`: did you mean `service.url`?");
    CHECK(d.problem(with("ca_file", "Timeout_S = 5")) ==
          "unknown key `service.Timeout_S`: did you mean `service.timeout_s`?");
    CHECK(d.problem(with("[kiosk]", "url = \"https://x\"")) == "unknown key `kiosk.url`: did you mean `service.url`?");
    CHECK(d.problem(with("[kiosk]", "clock_skew_s = 5")) ==
          "unknown key `kiosk.clock_skew_s`: did you mean `trust.clock_skew_s`?");
    CHECK(d.problem(with("ca_file", "timeout_seconds = 15")) ==
          "unknown key `service.timeout_seconds`: did you mean `service.timeout_s`?");
    CHECK(d.problem(with("[kiosk]", "state = \"/x\"")) == "unknown key `kiosk.state`: did you mean `kiosk.state_dir`?");
    CHECK(d.problem(with("ca_file", "colour = \"red\"")) ==
          "unknown key `service.colour`: `[service]` takes url, ca_file, spki_pin, timeout_s, status_poll_s");
    CHECK(d.problem("debug = true\n" + minimal) ==
          "unknown key `debug`: settings belong in one of the tables `[kiosk]`, `[service]`, `[trust]`, `[cache]`, "
          "`[audit]`, `[watermark]`, `[ui]`, `[admin]`, `[time]`, `[cast]`, `[displays]`");
    CHECK(d.problem(minimal + "[servce]\nx = 1\n") == "unknown table `[servce]`: did you mean `[service]`?");
    CHECK(d.problem(minimal + "[trust.defense]\nissuer = \"x\"\n") ==
          "unknown table `[trust.defense]`: did you mean `[trust.defence]`?");
    CHECK(d.problem(minimal + "[trust.prosecution]\nissuer = \"x\"\n") ==
          "unknown table `[trust.prosecution]`: only `[trust.cps]` and `[trust.defence]` are allowed");
    CHECK(d.problem(minimal + "[display]\ncourt = [\"2\"]\n") == "unknown table `[display]`: did you mean `[displays]`?");
    CHECK(d.problem(minimal + "[session]\nx = 1\n") ==
          "unknown table `[session]`: courtplay reads only `[kiosk]`, `[service]`, `[trust]`, `[cache]`, `[audit]`, "
          "`[watermark]`, `[ui]`, `[admin]`, `[time]`, `[cast]`, `[displays]`");
    CHECK(d.problem(minimal + "[cache]\nmax_gb = 10\n") ==
          "unknown key `cache.max_gb`: `[cache]` takes dir, key_file, max_size_mb, keep_after_session_h");
    CHECK(d.problem(minimal + "[trust.cps.extra]\nx = 1\n") ==
          "unknown table `[trust.cps.extra]`: `[trust.cps]` takes issuer, key");
    CHECK(d.problem("\"kiosk.id\" = \"k\"\n" + without("id = ")).find(
              "key `kiosk.id`: a quoted name holding '.' is one key") == 0);
}

TEST_CASE("config: wrong shapes", "[config]") {
    ConfigDir d;
    CHECK(d.problem("service = \"https://localhost\"\n" + kiosk + trust) ==
          "key `service`: must be a table, written [service] on a line of its own, found \"https://localhost\" "
          "(a string)");
    CHECK(d.problem(without("url = ") + "[service.url]\nx = 1\n").find("key `service.url`: must be the share "
                                                                       "service's address") == 0);
    CHECK(d.problem(kiosk + service + "[[trust.cps]]\nissuer = \"x\"\n") ==
          "key `trust.cps`: must be a table, written [trust.cps] on a line of its own, found [ { issuer = 'x' } ] "
          "(a list)");
    CHECK(d.problem(with("[kiosk]", "court = 1")) ==
          "key `kiosk.court`: must be the court's name as a string in quotes, found 1 (a whole number)");
    CHECK(d.problem(with("[trust.cps]", "issuer = \"\"", without("issuer = "))) ==
          "key `trust.cps.issuer`: must be the cps issuer's name as a non-empty string, equal to the `iss` of its "
          "grants, found \"\" (an empty string)");
}

TEST_CASE("config: missing keys and tables", "[config]") {
    ConfigDir d;
    CHECK(d.problem(without("id = ")) ==
          "key `kiosk.id` is missing: expected 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-', e.g. "
          "\"kiosk-1\"");
    CHECK(d.problem(without("key = ")) ==
          "key `trust.cps.key` is missing: expected the path of a readable file holding the cps issuer's public key "
          "(JWK)");
    CHECK(d.problem(kiosk + trust) ==
          "table `[service]` is missing: it must hold `service.url`, `service.ca_file`");
    CHECK(d.problem(kiosk + service) ==
          "table `[trust.cps]` or `[trust.defence]` is missing: at least one party's grant issuer must be trusted, "
          "each with `issuer` and `key`");
    CHECK(d.problem(kiosk + service + "[trust]\nclock_skew_s = 60\n") ==
          "table `[trust.cps]` or `[trust.defence]` is missing: at least one party's grant issuer must be trusted, "
          "each with `issuer` and `key`");
    CHECK(d.load(kiosk + service + "[trust.defence]\nissuer = \"d\"\nkey = \"issuers/defence.jwk\"\n")
              .issuers.count("defence") == 1);
}

TEST_CASE("config: every problem is reported, in file order, each line naming the file", "[config]") {
    ConfigDir d;
    const std::string e = d.error(
        "[kiosk]\n"
        "id = \"kiosk 1\"\n"
        "state_dir = \"/var/lib/courtplay/kiosk\"\n"
        "[service]\n"
        "url = \"http://localhost\"\n"
        "ca_file = \"ca/ca.pem\"\n"
        "timeout_s = 0\n"
        "[trust.cps]\n"
        "issuer = \"x\"\n");
    const std::string p = d.toml().string() + ": ";
    CHECK(e == p + "key `kiosk.id`: must be 1 to 64 characters from A-Z, a-z, 0-9, '.', '_' and '-', e.g. "
                   "\"kiosk-1\", found \"kiosk 1\" (' ' is not allowed)\n" +
                   p + "key `service.url`: must be the share service's address as https://HOST or "
                   "https://HOST:PORT, with no path, e.g. \"https://shares.example.org:8443\", found "
                   "\"http://localhost\" (plain http is not allowed: use https://)\n" +
                   p + "key `service.timeout_s`: must be a whole number of seconds from 1 to 300, found 0 "
                   "(too small)\n" +
                   p + "key `trust.cps.key` is missing: expected the path of a readable file holding the cps "
                   "issuer's public key (JWK)");
}

TEST_CASE("config: files that cannot be read or parsed", "[config]") {
    ConfigDir d;
    const std::string p = d.toml().string();
    CHECK(d.error(with("ca_file", "timeout_s = ")) ==
          p + ": line 7, column 13: not valid TOML: Error while parsing key-value pair: expected value, saw '\\n'");
    const std::string dup = d.error(with("ca_file", "url = \"https://other\""));
    CHECK(dup.find(p + ": line 7, column ") == 0);
    CHECK(dup.find("not valid TOML: Error while parsing key-value pair: cannot redefine existing string 'url'") !=
          std::string::npos);
    CHECK(d.error("[kiosk\nid = 1\n").find(p + ": line 1, column ") == 0);

    try {
        load_kiosk_config(d.dir() / "absent.toml");
        FAIL("loaded a file that does not exist");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == (d.dir() / "absent.toml").string() + ": the configuration file does not exist");
    }
    try {
        load_kiosk_config(d.dir() / "ca");
        FAIL("loaded a folder");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == (d.dir() / "ca").string() + ": is a folder, not a configuration file");
    }
    if (::geteuid() != 0) {
        d.write("kiosk.toml", minimal);
        fs::permissions(d.toml(), fs::perms::none);
        try {
            load_kiosk_config(d.toml());
            FAIL("loaded an unreadable file");
        } catch (const ConfigError& e) {
            CHECK(std::string(e.what()) == p + ": cannot read the configuration file: Permission denied");
        }
    }
    CHECK_THROWS_AS(load_kiosk_config(""), ConfigError);
}

namespace {
// The receiver's loader's message for `content` ("" if it loads), without the "PATH: " prefix.
std::string receiver_problem(const ConfigDir& d, const std::string& content) {
    const fs::path file = d.write("receiver.toml", content);
    try {
        load_receiver_config(file);
    } catch (const ConfigError& e) {
        const std::string prefix = file.string() + ": ";
        std::string m = e.what();
        REQUIRE(m.substr(0, prefix.size()) == prefix);
        return m.substr(prefix.size());
    }
    return "";
}
}  // namespace

TEST_CASE("config: a cast receiver's file", "[config][receiver]") {
    ConfigDir d;
    auto c = load_receiver_config(d.write("receiver.toml", "[receiver]\nname = \"Court 3 left screen\"\n"));
    CHECK(c.name == "Court 3 left screen");
    CHECK(c.listen == "0.0.0.0:7700");
    CHECK(c.latency_ms == 40);
    c = load_receiver_config(d.write("receiver.toml",
                                     "[receiver]\nname = \"R\"\nlisten = \"192.0.2.10:9000\"\nlatency_ms = 250\n"));
    CHECK(c.listen == "192.0.2.10:9000");
    CHECK(c.latency_ms == 250);
    CHECK(c.certificate.empty());
    // For pairing: relative to the file's folder; the key owner-only.
    const fs::path key = d.write("rx.key", "not checked here");
    fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    c = load_receiver_config(d.write("receiver.toml", "[receiver]\nname = \"R\"\ncertificate = \"rx.pem\"\nprivate_key = \"rx.key\"\n"));
    CHECK(c.certificate == d.dir() / "rx.pem");
    CHECK(c.private_key == key);
}

TEST_CASE("config: the courtroom's receivers are HOST:PORT, each once", "[config]") {
    ConfigDir d;
    const std::string base = minimal + "[cast]\ncourt_ca = \"" + (d.dir() / "ca/ca.pem").string() + "\"\n";
    auto c = load_kiosk_config(d.write("kiosk.toml", base + "receivers = [\"192.0.2.10:7700\", \"Court3-Left.example:7700\", \"[2001:db8::1]:7700\"]\n"));
    CHECK(c.cast.receivers == std::vector<std::string>{"192.0.2.10:7700", "court3-left.example:7700", "[2001:db8::1]:7700"});
    CHECK_THAT(d.problem(base + "receivers = [\"192.0.2.10\"]\n"), Catch::Contains("is not HOST:PORT"));
    CHECK_THAT(d.problem(base + "receivers = [\"2001:db8::1:7700\"]\n"), Catch::Contains("without brackets"));
    CHECK_THAT(d.problem(base + "receivers = [\"a:1\", \"A:1\"]\n"), Catch::Contains("listed twice"));
    CHECK_THAT(d.problem(base + "receivers = []\n"), Catch::Contains("an empty list"));
    // Those announced on the network too, when asked for: TOML's true or false.
    CHECK_FALSE(c.cast.find_receivers);
    CHECK(load_kiosk_config(d.write("kiosk.toml", base + "find_receivers = true\n")).cast.find_receivers);
    CHECK_THAT(d.problem(base + "find_receivers = \"true\"\n"), Catch::Contains("write true or false without quotes"));
    CHECK_THAT(d.problem(base + "find_receivers = 1\n"), Catch::Contains("must be true (also list"));
    // Neither without the court CA that proves them.
    CHECK_THAT(d.problem(minimal + "[cast]\nfind_receivers = true\n"), Catch::Contains("needs `cast.court_ca`"));
    CHECK_THAT(d.problem(minimal + "[cast]\nreceivers = [\"a:1\"]\n"), Catch::Contains("needs `cast.court_ca`"));
    CHECK_NOTHROW(load_kiosk_config(d.write("kiosk.toml", minimal + "[cast]\nfind_receivers = false\n")));
}

TEST_CASE("config: a cast receiver's private key must be owner-only and come with its certificate", "[config][receiver]") {
    ConfigDir d;
    const fs::path key = d.write("rx.key", "not checked here");
    fs::permissions(key, fs::perms::owner_read | fs::perms::group_read, fs::perm_options::replace);
    CHECK(receiver_problem(d, "[receiver]\nname = \"R\"\ncertificate = \"rx.pem\"\nprivate_key = \"rx.key\"\n") ==
          "key `receiver.private_key`: " + key.string() + " can be read by other users; make it owner-only (chmod 600)");
    CHECK(receiver_problem(d, "[receiver]\nname = \"R\"\ncertificate = \"rx.pem\"\n") ==
          "key `receiver.private_key` is missing: pairing needs both the certificate and its private key");
}

TEST_CASE("config: a cast receiver's file refuses what it does not know", "[config][receiver]") {
    ConfigDir d;
    CHECK(receiver_problem(d, "[receiver]\nname = \"R\"\npassphrase = \"x\"\n") ==
          "unknown key `receiver.passphrase`: expected name, listen, latency_ms, certificate or private_key");
    CHECK_THAT(receiver_problem(d, "[receiver]\nname = \"R\"\n[kiosk]\nid = \"k\"\n"),
               Catch::StartsWith("unknown table `[kiosk]`"));
    CHECK_THAT(receiver_problem(d, "name = \"R\"\n"), Catch::StartsWith("unknown key `name`"));
    CHECK_THAT(receiver_problem(d, ""), Catch::StartsWith("table `[receiver]` is missing"));
    CHECK_THAT(receiver_problem(d, "[receiver]\nlisten = \"0.0.0.0:7700\"\n"),
               Catch::StartsWith("key `receiver.name` is missing"));
    CHECK_THAT(receiver_problem(d, "[receiver]\nname = \"\"\n"), Catch::StartsWith("key `receiver.name`: must be"));
    CHECK_THAT(receiver_problem(d, "[receiver]\nname = \"R\"\nlisten = \"7700\"\n"),
               Catch::StartsWith("key `receiver.listen`: must be HOST:PORT"));
    CHECK_THAT(receiver_problem(d, "[receiver]\nname = \"R\"\nlisten = \"h:70000\"\n"),
               Catch::StartsWith("key `receiver.listen`"));
    CHECK_THAT(receiver_problem(d, "[receiver]\nname = \"R\"\nlatency_ms = 5\n"),
               Catch::StartsWith("key `receiver.latency_ms`: must be a whole number"));
    CHECK_THAT(receiver_problem(d, "[receiver]\nname = \"R\"\nlatency_ms = \"120\"\n"),
               Catch::StartsWith("key `receiver.latency_ms`"));
}
