// The share from the kiosk's side, against the real service over real TLS on loopback:
// `courtplay redeem` and `courtplay jws verify` as outside checks call them, every refusal,
// TLS failures, and a share revoked or expiring while a session is open.
#include "auth/base64url.h"
#include "auth/share_watch.h"
#include "server/certs.h"
#include "support/share_fixture.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

using namespace courtplay;
using namespace courtplay::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
// A service with one clip in it.
struct ShareService : ServiceFolder {
    std::string clip_id, clip_path;

    explicit ShareService(const std::string& name, server::ServiceOptions options = {})
        : ServiceFolder(name, options) {
        clip_path = fixture({.path = "share-clip.mp4", .width = 160, .height = 90, .seconds = 1.0});
        clip_id = add_clip(clip_path, "Body-worn camera, PC 1234",
                           {"--recorded-at", "2026-03-01T09:30:00Z", "--device", "BWV-7"});
    }
    // A CPS share of the clip; `extra` arguments are added.
    std::string share(std::vector<std::string> extra = {}, const std::string& expires = "2h") {
        std::vector<std::string> args{"--party", "cps", "--case", "01YZ1234526", "--clips", clip_id,
                                      "--perms", "view,cast", "--expires", expires};
        args.insert(args.end(), extra.begin(), extra.end());
        return ServiceFolder::share(args);
    }
};

// A copy of the service's kiosk config with one line replaced, to point the kiosk somewhere wrong.
std::string edited_config(const ShareService& s, const std::string& name, const std::string& pattern,
                          const std::string& replacement) {
    const std::string path = scratch_dir() + "/" + name + ".toml";
    write_file(path, std::regex_replace(read_file(s.config()), std::regex(pattern), replacement));
    return path;
}

std::string sha256_hex_of_file(const std::string& path) {
    const auto d = auth::sha256(read_file(path));
    return auth::hex(std::span<const uint8_t>(d));
}
}  // namespace

TEST_CASE("courtplay redeem prints exactly what the grant permits") {
    ShareService svc("redeem-ok");
    const std::string token = svc.share({"--segment", svc.clip_id + ":0.2-0.8", "--reshare"});
    // A clerk's typing: lower case, spaces for dashes.
    std::string typed = token;
    std::transform(typed.begin(), typed.end(), typed.begin(), ::tolower);
    std::replace(typed.begin(), typed.end(), '-', ' ');

    RunResult r = run_courtplay({"redeem", "--config", svc.config(), typed});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json g = json::parse(r.out);
    CHECK(g["party"] == "cps");
    CHECK(g["case"] == "01YZ1234526");
    CHECK(g["reshare"] == true);
    CHECK(g["share_id"].get<std::string>().size() > 3);
    CHECK(!g["watermark"].get<std::string>().empty());
    const int64_t exp = g["expires_at_unix"];
    CHECK(std::abs(exp - (unix_now() + 7200)) < 60);
    CHECK(g["expires_at"].is_string());
    CHECK(g["not_before"].is_string());
    REQUIRE(g["clips"].size() == 1);
    const json& c = g["clips"][0];
    CHECK(c["id"] == svc.clip_id);
    CHECK(c["title"] == "Body-worn camera, PC 1234");
    CHECK(c["sha256"] == sha256_hex_of_file(svc.clip_path));
    CHECK(c["bytes"] == fs::file_size(svc.clip_path));
    CHECK(std::abs(c["duration_ms"].get<int64_t>() - 1000) < 100);
    CHECK(c["perms"] == json::array({"view", "cast"}));
    CHECK(c["segment"] == json({{"in_ms", 200}, {"out_ms", 800}}));
}

// No ";" in a test name: CMake takes it for a list separator, and CTest would run two halves that
// match no test (and pass).
TEST_CASE("Refused shares exit 4 with a reason, a dead service or bad TLS exits 5") {
    ShareService svc("refusals");
    const std::string token = svc.share();

    SECTION("a typing mistake is caught without asking the service") {
        svc.stop();
        std::string typo = token;
        typo[0] = typo[0] == 'A' ? 'B' : 'A';
        RunResult r = run_courtplay({"redeem", "--config", svc.config(), typo});
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("typing mistake"));
    }
    SECTION("a code the service does not know") {
        // A well-formed code, but issued by another service.
        ShareService elsewhere("refusals-elsewhere");
        RunResult r = run_courtplay({"redeem", "--config", svc.config(), elsewhere.share()});
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("not recognised"));
    }
    SECTION("revoked") {
        REQUIRE(server_cli({"share", "revoke", "--data", svc.data, token}).exit_code == 0);
        RunResult r = run_courtplay({"redeem", "--config", svc.config(), token});
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("withdrawn"));
    }
    SECTION("expired") {
        const std::string brief = svc.share({}, "1s");
        std::this_thread::sleep_for(std::chrono::milliseconds(2200));
        RunResult r = run_courtplay({"redeem", "--config", svc.config(), brief});
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("expired"));
    }
    SECTION("for another kiosk") {
        RunResult r = run_courtplay({"redeem", "--config", svc.config(), svc.share({"--kiosk", "kiosk-99"})});
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("different courtroom kiosk"));
    }
    SECTION("signed by an issuer this kiosk does not trust") {
        ShareService other("refusals-other-issuers");
        const std::string cfg = edited_config(svc, "other-issuers", "\"[^\"]*issuers/(cps|defence)\\.jwk\"",
                                              "\"" + (other.data / "issuers/$1.jwk").string() + "\"");
        RunResult r = run_courtplay({"redeem", "--config", cfg, token});
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("does not trust"));
    }
    SECTION("the service is down") {
        svc.stop();
        RunResult r = run_courtplay({"redeem", "--config", svc.config(), token});
        CHECK(r.exit_code == 5);
        CHECK_THAT(r.err, Catch::Contains("could not be reached"));
    }
    SECTION("a certificate from a CA the config does not name") {
        ShareService other("refusals-other-ca");
        const std::string cfg = edited_config(svc, "other-ca", "ca_file = .*", "ca_file = \"" + (other.data / "ca/ca.pem").string() + "\"");
        RunResult r = run_courtplay({"redeem", "--config", cfg, token});
        CHECK(r.exit_code == 5);
        CHECK_THAT(r.err, Catch::Contains("secure connection"));
    }
    SECTION("a certificate for another host name") {
        const std::string cfg = edited_config(svc, "wrong-host", "https://localhost:", "https://127.0.0.1:");
        RunResult r = run_courtplay({"redeem", "--config", cfg, token});
        CHECK(r.exit_code == 5);
        CHECK_THAT(r.err, Catch::Contains("secure connection"));
    }
    SECTION("an expired server certificate") {
        svc.stop();
        const fs::path cert = svc.data / "tls/expired.pem", key = svc.data / "tls/expired.key";
        server::issue_server_cert(svc.data, "localhost", unix_now() - 10 * 86400, unix_now() - 86400, cert, key);
        svc.start({.cert = cert, .key = key});
        RunResult r = run_courtplay({"redeem", "--config", svc.config(), token});
        CHECK(r.exit_code == 5);
        CHECK_THAT(r.err, Catch::Contains("expired"));
    }
    SECTION("an SPKI pin: the right one passes, a wrong one fails") {
        // libcurl's pin form: sha256// + base64 of the SHA-256 of the DER public key.
        RunResult der = run({"sh", "-c", "openssl x509 -in " + (svc.data / "tls/server.pem").string() +
                                             " -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64"});
        REQUIRE(der.exit_code == 0);
        const std::string good = edited_config(svc, "pin-good", "\\[trust\\]", "spki_pin = \"sha256//" + trimmed(der.out) + "\"\n\n[trust]");
        // The pin belongs in [service]; the line above lands at the end of that table.
        CHECK(run_courtplay({"redeem", "--config", good, token}).exit_code == 0);
        const std::string bad = edited_config(svc, "pin-bad", "\\[trust\\]", "spki_pin = \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n\n[trust]");
        RunResult r = run_courtplay({"redeem", "--config", bad, token});
        CHECK(r.exit_code == 5);
    }
    SECTION("a config with a wrong key stops before anything else") {
        svc.stop();
        const std::string cfg = edited_config(svc, "bad-key", "timeout_s", "timeout_seconds");
        RunResult r = run_courtplay({"redeem", "--config", cfg, token});
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains("bad-key.toml") && Catch::Contains("timeout_seconds"));
    }
}

TEST_CASE("Failed codes are rate-limited, and the kiosk says to wait") {
    ShareService svc("rate-limit", {.max_failures = 3, .failure_window_s = 60});
    const std::string good = svc.share();
    ShareService elsewhere("rate-limit-elsewhere");
    int limited_at = -1;
    for (int i = 0; i < 5 && limited_at < 0; ++i) {
        RunResult r = run_courtplay({"redeem", "--config", svc.config(), elsewhere.share()});
        REQUIRE(r.exit_code == 4);
        if (r.err.find("Wait") != std::string::npos) limited_at = i;
    }
    CHECK(limited_at == 3);
    // While limited, even the right code is held back: guessing gains nothing.
    RunResult r = run_courtplay({"redeem", "--config", svc.config(), good});
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("Wait"));
}

TEST_CASE("courtplay jws verify checks a grant against an issuer's key") {
    ShareService svc("jws-verify");
    const config::KioskConfig cfg = config::load_kiosk_config(svc.config());
    auth::ShareService kiosk(cfg);
    auth::RedeemOutcome out = kiosk.redeem(svc.share(), unix_now());
    REQUIRE(out.redemption);
    const std::string jws = out.redemption->jws;
    const std::string file = scratch_dir() + "/grant.jws";
    write_file(file, jws + "\n");

    RunResult ok = run_courtplay({"jws", "verify", "--jwk", svc.data / "issuers/cps.jwk", file});
    REQUIRE(ok.exit_code == 0);
    CHECK(json::parse(ok.out)["share_id"] == out.redemption->grant.share_id);

    RunResult stdin_ok = run({"sh", "-c", std::string(COURTPLAY_BIN) + " jws verify --jwk " +
                                              (svc.data / "issuers/cps.jwk").string() + " - < " + file});
    CHECK(stdin_ok.exit_code == 0);
    CHECK(stdin_ok.out == ok.out);

    RunResult wrong_key = run_courtplay({"jws", "verify", "--jwk", svc.data / "issuers/defence.jwk", file});
    CHECK(wrong_key.exit_code == 1);
    CHECK_THAT(wrong_key.err, Catch::Contains("does not verify"));

    std::string tampered = jws;
    tampered[jws.find('.') + 5] ^= 1;
    write_file(file, tampered);
    CHECK(run_courtplay({"jws", "verify", "--jwk", svc.data / "issuers/cps.jwk", file}).exit_code == 1);
}

TEST_CASE("An open session ends when its share is revoked or expires") {
    ShareService svc("watch");
    const config::KioskConfig cfg = config::load_kiosk_config(svc.config());
    auth::ShareService kiosk(cfg);
    std::atomic<int> calls{0};
    std::string code;
    auto ended = [&](const auth::Refusal& why) {
        code = why.code;
        ++calls;
    };
    auto wait_for = [&](std::chrono::seconds limit) {
        const auto until = std::chrono::steady_clock::now() + limit;
        while (calls == 0 && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return calls.load();
    };

    SECTION("revoked at the service: the next status poll ends it") {
        const std::string token = svc.share();
        auth::RedeemOutcome out = kiosk.redeem(token, unix_now());
        REQUIRE(out.redemption);
        auth::ShareWatch watch(kiosk, *out.redemption, std::chrono::milliseconds(200), ended);
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
        CHECK(calls == 0);
        CHECK(watch.last_contact());
        REQUIRE(server_cli({"share", "revoke", "--data", svc.data, out.redemption->grant.share_id}).exit_code == 0);
        CHECK(wait_for(std::chrono::seconds(5)) == 1);
        CHECK(code == "revoked");
        CHECK(watch.ended()->code == "revoked");
    }
    SECTION("expiry by the kiosk's own clock, with the service unreachable") {
        auth::RedeemOutcome out = kiosk.redeem(svc.share({}, "4s"), unix_now());
        REQUIRE(out.redemption);
        svc.stop();
        auth::ShareWatch watch(kiosk, *out.redemption, std::chrono::milliseconds(100), ended);
        CHECK(wait_for(std::chrono::seconds(8)) == 1);
        CHECK(code == "expired");
        CHECK(unix_now() >= out.redemption->grant.expires_at);
    }
    SECTION("a service that cannot be reached does not end a share") {
        auth::RedeemOutcome out = kiosk.redeem(svc.share(), unix_now());
        REQUIRE(out.redemption);
        svc.stop();
        auth::ShareWatch watch(kiosk, *out.redemption, std::chrono::milliseconds(100), ended);
        CHECK(wait_for(std::chrono::seconds(1)) == 0);
    }
}

namespace {
// A longer clip, for sessions that must be stopped while they play.
struct SessionService : ShareService {
    std::string long_clip_id, long_clip_path;
    explicit SessionService(const std::string& name) : ShareService(name) {
        long_clip_path = fixture({.path = "share-long.mp4", .width = 160, .height = 90, .seconds = 8.0});
        long_clip_id = add_clip(long_clip_path, "CCTV, High Street");
    }
    // The kiosk config with the share status asked for every second.
    std::string fast_poll_config() const {
        return edited_config(*this, "fast-poll-" + data.filename().string(), "status_poll_s = [0-9]+", "status_poll_s = 1");
    }
};
}  // namespace

TEST_CASE("courtplay session plays only the granted segment of the verified clip, frame-exact") {
    SessionService svc("session-play");
    const std::string token = svc.share({"--segment", svc.clip_id + ":0.2-0.6"});
    const std::string log = scratch_dir() + "/session-play.log";
    RunResult r = run_courtplay({"session", "--config", svc.config(), "--token", token, "--clip", "1", "--headless",
                                 "--frame-log", log});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("verified"));
    const auto shown = read_frame_log(log);
    REQUIRE(!shown.empty());
    const auto reference = ffmpeg_framemd5(svc.clip_path);
    for (const FrameLine& f : shown) {
        INFO("media " << f.media);
        CHECK(f.media >= 0.2 - 1e-6);
        CHECK(f.media < 0.6 + 1e-6);
        auto same_time = std::find_if(reference.begin(), reference.end(),
                                      [&](const ReferenceFrame& ref) { return std::abs(ref.media - f.media) < 1e-3; });
        REQUIRE(same_time != reference.end());
        CHECK(same_time->md5 == f.md5);
    }
    CHECK(shown.front().media == Approx(0.2));
}

TEST_CASE("courtplay session refuses what the grant does not allow, and altered evidence") {
    SessionService svc("session-refuse");
    const std::string log = scratch_dir() + "/session-refuse.log";
    SECTION("a clip the share does not list") {
        RunResult r = run_courtplay({"session", "--config", svc.config(), "--token", svc.share(), "--clip",
                                     svc.long_clip_id, "--headless"});
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("has no clip"));
    }
    SECTION("a clip that may be cast but not viewed") {
        RunResult made = server_cli({"share", "create", "--data", svc.data, "--party", "cps", "--case", "X", "--clips",
                                     svc.clip_id, "--perms", "cast", "--expires", "1h"});
        REQUIRE(made.exit_code == 0);
        RunResult r = run_courtplay({"session", "--config", svc.config(), "--token", trimmed(made.out), "--headless"});
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("does not allow"));
    }
    SECTION("a clip altered on the service after it was shared: refused, nothing shown") {
        const std::string token = svc.share();
        const fs::path stored = svc.stored_clip(svc.clip_id);
        std::string bytes = read_file(stored);
        bytes[bytes.size() / 2] ^= 0x01;
        write_file(stored, bytes);
        RunResult r = run_courtplay({"session", "--config", svc.config(), "--token", token, "--headless", "--frame-log", log});
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Catch::Contains("NOT the original evidence"));
        CHECK(read_file(log).empty());
    }
}

TEST_CASE("Revocation or expiry during playback stops playback") {
    SessionService svc("session-stop");
    const std::string log = scratch_dir() + "/session-stop.log";
    SECTION("revoked while playing") {
        RunResult made = server_cli({"share", "create", "--data", svc.data, "--party", "defence", "--case", "X",
                                     "--clips", svc.long_clip_id, "--perms", "view", "--expires", "1h"});
        REQUIRE(made.exit_code == 0);
        RunResult r;
        std::thread session([&] {
            r = run_courtplay({"session", "--config", svc.fast_poll_config(), "--token", trimmed(made.out), "--headless",
                               "--frame-log", log});
        });
        // Revoke once the clip is on screen.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (read_file(log).empty() && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        RunResult revoke = server_cli({"share", "revoke", "--data", svc.data, trimmed(made.out)});
        session.join();
        REQUIRE(revoke.exit_code == 0);
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("withdrawn"));
        const auto shown = read_frame_log(log);
        REQUIRE(!shown.empty());
        CHECK(shown.back().media < 7.0);  // an 8 s clip, revoked in its first second, polled every second
    }
    SECTION("expired while playing") {
        RunResult made = server_cli({"share", "create", "--data", svc.data, "--party", "cps", "--case", "X", "--clips",
                                     svc.long_clip_id, "--perms", "view", "--expires", "4s"});
        REQUIRE(made.exit_code == 0);
        RunResult r = run_courtplay({"session", "--config", svc.config(), "--token", trimmed(made.out), "--headless",
                                     "--frame-log", log});
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("expired"));
        const auto shown = read_frame_log(log);
        REQUIRE(!shown.empty());
        CHECK(shown.back().media < 7.0);  // an 8 s clip, the share ending 4 s after it was made
    }
}
