// courtplay-server end to end: the real binary makes a data folder, adds clips, makes, passes on and
// revokes shares, and serves HTTPS on a free loopback port; the tests talk to it with httplib's
// SSLClient verifying against the folder's own CA, and read its database with the SQLite C API.
#include "auth/base64url.h"
#include "auth/grant.h"
#include "auth/jws.h"
#include "auth/keys.h"
#include "auth/share_token.h"
#include "config/kiosk_config.h"
#include "server/certs.h"
#include "server/service.h"
#include "support/serve_process.h"
#include "support/testing.h"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

using nlohmann::json;
namespace fs = std::filesystem;
namespace auth = courtplay::auth;
namespace testing = courtplay::testing;
using courtplay::testing::Serve;
using courtplay::testing::query;

namespace {

testing::RunResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), COURTPLAY_SERVER_BIN);
    return testing::run(args);
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

// A fresh folder name in the scratch folder (init makes it).
std::string fresh_dir(const std::string& name) {
    static int counter = 0;
    return testing::scratch_dir() + "/" + name + std::to_string(counter++);
}

std::string init_data(const std::vector<std::string>& extra = {}) {
    const std::string dir = fresh_dir("data");
    std::vector<std::string> args{"init", "--data", dir};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = cli(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return dir;
}

const std::string& clip_file() {
    static const std::string path = [] {
        courtplay::assets::SampleSpec spec;
        spec.path = "server-clip.mp4";
        spec.seconds = 3.0;
        return testing::fixture(spec);
    }();
    return path;
}

std::string add_clip(const std::string& data, const std::string& title = "BWV camera 7") {
    const auto r = cli({"clip", "add", "--data", data, clip_file(), "--title", title, "--device", "BWV-0007"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return trimmed(r.out);
}

std::string share_create(const std::vector<std::string>& args) {
    std::vector<std::string> all{"share", "create"};
    all.insert(all.end(), args.begin(), args.end());
    const auto r = cli(all);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return trimmed(r.out);
}

// The share id `share create`/`onward` announced on stderr.
std::string announced_share_id(const testing::RunResult& r) {
    std::smatch m;
    REQUIRE(std::regex_search(r.err, m, std::regex("share (sh_[a-z2-7]{12})")));
    return m[1];
}

// `courtplay-server serve` in the background on a free loopback port, stopped with SIGTERM.

std::unique_ptr<httplib::SSLClient> client(const std::string& data, int port, const std::string& host = "localhost") {
    auto c = std::make_unique<httplib::SSLClient>(host, port);
    c->set_ca_cert_path(data + "/ca/ca.pem");
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(5);
    c->set_read_timeout(10);
    return c;
}

httplib::Result redeem(const std::string& data, int port, const std::string& token,
                       const std::string& kiosk = "kiosk-1") {
    return client(data, port)->Post("/v1/redeem", json{{"token", token}, {"kiosk", kiosk}}.dump(), "application/json");
}

httplib::Result get(const std::string& data, int port, const std::string& path, const std::string& access,
                    httplib::Headers extra = {}) {
    if (!access.empty()) extra.emplace("Authorization", "Bearer " + access);
    return client(data, port)->Get(path, extra);
}

std::string error_code(const httplib::Result& r) {
    REQUIRE(r);
    const json j = json::parse(r->body, nullptr, false);
    REQUIRE(j.is_object());
    return j.value("error", "");
}

auth::Grant verified_grant(const std::string& data, const std::string& jws, const std::string& party) {
    const auth::VerifyKey key = auth::VerifyKey::load_jwk(data + "/issuers/" + party + ".jwk");
    return auth::grant_from_claims(json::parse(auth::jws_verify(jws, key)));
}

unsigned file_mode(const std::string& path) {
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// Rows of a query on the service's database, each column as text ("" for NULL).

std::string db_bytes(const std::string& data) {
    std::string all;
    for (const char* f : {"/share.db", "/share.db-wal", "/share.db-shm"}) all += testing::read_file(data + f);
    return all;
}

std::string sha256_of(const std::string& bytes) { return auth::hex(auth::sha256(bytes)); }

}  // namespace

TEST_CASE("server: init makes a data folder with private keys and a CA-signed certificate and a kiosk config", "[server]") {
    const std::string data = init_data({"--listen", "127.0.0.1:9443"});
    CHECK(file_mode(data) == 0700);
    CHECK(file_mode(data + "/kiosk") == 0700);
    for (const char* key : {"/ca/ca.key", "/tls/server.key", "/issuers/cps.key", "/issuers/defence.key"}) {
        INFO(key);
        CHECK(file_mode(data + key) == 0600);
    }
    // The issuer keys load, and their public halves are the JWKs the kiosk is told to trust.
    for (const char* party : {"cps", "defence"}) {
        const auto key = auth::SigningKey::load_pem(data + "/issuers/" + party + ".key");
        CHECK(auth::VerifyKey::load_jwk(data + "/issuers/" + party + ".jwk").raw() == key.public_key().raw());
    }

    const auto config = courtplay::config::load_kiosk_config(data + "/kiosk.toml");
    const fs::path root = fs::canonical(data);
    CHECK(config.kiosk_id == "kiosk-1");
    CHECK(config.state_dir == root / "kiosk");
    CHECK(config.service.url == "https://localhost:9443");
    CHECK(config.service.ca_file == root / "ca" / "ca.pem");
    REQUIRE(config.issuers.size() == 2);
    CHECK(config.issuers.at("cps").issuer == "https://localhost:9443/issuers/cps");
    CHECK(config.issuers.at("cps").key == root / "issuers" / "cps.jwk");
    CHECK(config.issuers.at("defence").issuer == "https://localhost:9443/issuers/defence");

    SECTION("a second init over the same folder is refused") {
        const std::string before = testing::read_file(data + "/issuers/cps.key");
        const auto r = cli({"init", "--data", data});
        CHECK(r.exit_code != 0);
        CHECK(r.err.find("already exists") != std::string::npos);
        CHECK(testing::read_file(data + "/issuers/cps.key") == before);
    }
    SECTION("the stored listen address is where serve listens by default") {
        const auto rows = query(data, "SELECT value FROM settings WHERE key = 'listen'");
        REQUIRE(rows.size() == 1);
        CHECK(rows[0][0] == "127.0.0.1:9443");
    }
}

TEST_CASE("server: clip add copies the clip and stores its SHA-256 and size and duration and refuses a non-clip", "[server]") {
    const std::string data = init_data();
    const auto r = cli({"clip", "add", "--data", data, clip_file(), "--title", "Custody suite", "--recorded-at",
                        "2026-03-01T10:30:00+01:00", "--device", "CCTV-3"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(std::regex_match(r.out, std::regex("cl_[a-z2-7]{12}\n")));
    const std::string id = trimmed(r.out);

    const std::string bytes = testing::read_file(clip_file());
    const auto rows = query(data, "SELECT sha256, bytes, duration_ms, recorded_at, device, title, file FROM clips WHERE id = '" + id + "'");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0][0] == sha256_of(bytes));
    CHECK(std::stoll(rows[0][1]) == static_cast<long long>(bytes.size()));
    CHECK(std::abs(std::stoll(rows[0][2]) - 3000) <= 100);
    CHECK(rows[0][3] == "2026-03-01T09:30:00Z");
    CHECK(rows[0][4] == "CCTV-3");
    CHECK(rows[0][5] == "Custody suite");
    CHECK(testing::read_file(data + "/clips/" + rows[0][6]) == bytes);

    SECTION("a file FFmpeg cannot read") {
        const std::string text = testing::scratch_dir() + "/notes.txt";
        testing::write_file(text, "not a video, just some notes\n");
        const auto bad = cli({"clip", "add", "--data", data, text, "--title", "Notes"});
        CHECK(bad.exit_code != 0);
        CHECK(bad.out.empty());
        CHECK(bad.err.find("cannot read") != std::string::npos);
        CHECK(query(data, "SELECT id FROM clips").size() == 1);
    }
    SECTION("a data folder that is not one") {
        const auto bad = cli({"clip", "add", "--data", fresh_dir("nothing"), clip_file(), "--title", "x"});
        CHECK(bad.exit_code != 0);
        CHECK(bad.err.find("init") != std::string::npos);
    }
}

TEST_CASE("server: share create prints only the token and stores only its hash", "[server]") {
    const std::string data = init_data();
    const std::string clip = add_clip(data);
    const auto r = cli({"share", "create", "--data", data, "--party", "cps", "--case", "01AB2345678", "--clips", clip,
                        "--perms", "view,cache", "--expires", "8h", "--segment", clip + ":0.5-2.25"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(std::regex_match(r.out, std::regex("[0-9A-Z]{4}(-[0-9A-Z]{4}){4}\n")));
    const std::string token = trimmed(r.out);
    CHECK(auth::read_share_token(token).token == token);
    const std::string id = announced_share_id(r);

    const auto rows = query(data, "SELECT token_sha256, seg_in_ms, seg_out_ms, perms FROM shares JOIN share_clips ON "
                                  "share_id = id WHERE id = '" + id + "'");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0][0] == sha256_of(token));
    CHECK(rows[0][1] == "500");
    CHECK(rows[0][2] == "2250");
    CHECK(rows[0][3] == "view,cache");
    std::string bare = token;
    std::erase(bare, '-');
    const std::string everything = db_bytes(data);
    CHECK(everything.find(token) == std::string::npos);
    CHECK(everything.find(bare) == std::string::npos);

    SECTION("refusals") {
        const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
            {{"--clips", "cl_nosuchclip0"}, "no clip cl_nosuchclip0"},
            {{"--clips", clip, "--segment", clip + ":1-9"}, "past the end"},
            {{"--clips", clip, "--expires", "2020-01-01T00:00:00Z"}, "not in the future"},
            {{"--clips", clip, "--perms", "view,print"}, "--perms"},
            {{"--clips", clip, "--party", "police"}, "--party"},
        };
        for (const auto& [override_args, message] : cases) {
            std::vector<std::string> args{"share", "create", "--data", data, "--case", "URN"};
            std::map<std::string, std::string> given{{"--party", "cps"}, {"--perms", "view"}, {"--expires", "1h"}};
            std::vector<std::string> rest;
            for (size_t i = 0; i < override_args.size(); i += 2) {
                if (given.count(override_args[i])) given[override_args[i]] = override_args[i + 1];
                else rest.insert(rest.end(), {override_args[i], override_args[i + 1]});
            }
            for (const auto& [k, v] : given) args.insert(args.end(), {k, v});
            args.insert(args.end(), rest.begin(), rest.end());
            const auto bad = cli(args);
            INFO(message << ": " << bad.err);
            CHECK(bad.exit_code != 0);
            CHECK(bad.out.empty());
            CHECK(bad.err.find(message) != std::string::npos);
        }
        CHECK(query(data, "SELECT id FROM shares").size() == 1);
    }
}

TEST_CASE("server: redeem hands out a grant signed by the party issuer and an access token to status and clip bytes", "[server]") {
    const std::string data = init_data();
    const std::string clip = add_clip(data, "Arrest, BWV");
    const std::string other_clip = add_clip(data, "Not shared");
    const auto made = cli({"share", "create", "--data", data, "--party", "cps", "--case", "01AB2345678", "--clips", clip,
                           "--perms", "view,cache", "--expires", "2h", "--kiosk", "kiosk-1", "--segment", clip + ":1-2.5"});
    REQUIRE(made.exit_code == 0);
    const std::string token = trimmed(made.out);
    const std::string share_id = announced_share_id(made);
    const std::string cast_only = share_create({"--data", data, "--party", "defence", "--case", "01AB2345678",
                                                "--clips", clip, "--perms", "cast", "--expires", "2h"});
    Serve serve(data, {"--max-failures", "100"});

    SECTION("health") {
        auto r = client(data, serve.port)->Get("/v1/health");
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(json::parse(r->body) == json{{"ok", true}});
    }

    SECTION("the grant, the access token and what they open") {
        const int64_t before = std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch()).count();
        // Typed as a clerk might: lower case, spaces instead of dashes.
        std::string typed = token;
        std::replace(typed.begin(), typed.end(), '-', ' ');
        std::transform(typed.begin(), typed.end(), typed.begin(), [](unsigned char c) { return std::tolower(c); });
        auto r = redeem(data, serve.port, typed);
        REQUIRE(r);
        INFO(r->body);
        REQUIRE(r->status == 200);
        const json body = json::parse(r->body);
        const std::string base = "https://localhost:" + std::to_string(serve.port);
        CHECK(body["status_url"] == base + "/v1/shares/" + share_id + "/status");
        const std::string access = body["access_token"];
        CHECK(access.size() == 43);
        CHECK(auth::base64url_decode(access).value_or(std::vector<uint8_t>{}).size() == 32);

        const auth::Grant g = verified_grant(data, body["grant"], "cps");
        CHECK(g.grant_id.rfind("gr_", 0) == 0);
        CHECK(g.issuer == "https://localhost:8443/issuers/cps");
        CHECK(g.party == auth::Party::cps);
        CHECK(g.share_id == share_id);
        CHECK(g.case_ref == "01AB2345678");
        CHECK(g.kiosk == std::optional<std::string>("kiosk-1"));
        CHECK_FALSE(g.court);
        CHECK_FALSE(g.reshare);
        CHECK(g.issued_at >= before);
        CHECK(g.not_before <= g.issued_at);
        CHECK(std::abs(g.expires_at - (before + 7200)) <= 5);
        CHECK(g.watermark == "OFFICIAL-SENSITIVE \u00b7 prosecution evidence");
        REQUIRE(g.clips.size() == 1);
        const auth::GrantClip& c = g.clips[0];
        const std::string bytes = testing::read_file(clip_file());
        CHECK(c.id == clip);
        CHECK(c.title == "Arrest, BWV");
        CHECK(c.url == base + "/v1/clips/" + clip);
        CHECK(c.sha256 == sha256_of(bytes));
        CHECK(c.bytes == static_cast<int64_t>(bytes.size()));
        CHECK(std::abs(c.duration_ms - 3000) <= 100);
        CHECK(c.device == "BWV-0007");
        CHECK(c.segment == std::optional<auth::Segment>(auth::Segment{1000, 2500}));
        CHECK(c.perms == auth::Perms{true, true, false});
        // The kiosk's own check accepts it with the trust the kiosk config names.
        auth::TrustStore trust;
        trust.emplace(auth::Party::cps, auth::TrustedIssuer{"https://localhost:8443/issuers/cps",
                                                            auth::VerifyKey::load_jwk(data + "/issuers/cps.jwk")});
        const auto checked = auth::verify_grant(body["grant"].get<std::string>(), trust, {g.issued_at, 120, "kiosk-1"});
        CHECK_FALSE(checked.refusal);
        // The access token is stored as a hash only, with the grant it came with.
        CHECK(db_bytes(data).find(access) == std::string::npos);
        const auto rows = query(data, "SELECT share_id, grant_id FROM redemptions WHERE access_sha256 = '" +
                                          sha256_of(access) + "'");
        REQUIRE(rows.size() == 1);
        CHECK(rows[0] == std::vector<std::string>{share_id, g.grant_id});

        auto status = get(data, serve.port, "/v1/shares/" + share_id + "/status", access);
        REQUIRE(status);
        CHECK(status->status == 200);
        CHECK(json::parse(status->body) ==
              json{{"share_id", share_id}, {"state", "active"}, {"expires_at", g.expires_at}});
        CHECK(get(data, serve.port, "/v1/shares/" + share_id + "/status", "")->status == 401);
        CHECK(error_code(get(data, serve.port, "/v1/shares/" + share_id + "/status", "AAAA")) == "unauthorized");

        auto whole = get(data, serve.port, "/v1/clips/" + clip, access);
        REQUIRE(whole);
        CHECK(whole->status == 200);
        CHECK(whole->get_header_value("Accept-Ranges") == "bytes");
        CHECK(whole->body == bytes);

        auto part = get(data, serve.port, "/v1/clips/" + clip, access, {{"Range", "bytes=100-1123"}});
        REQUIRE(part);
        CHECK(part->status == 206);
        CHECK(part->get_header_value("Content-Range") == "bytes 100-1123/" + std::to_string(bytes.size()));
        CHECK(part->body == bytes.substr(100, 1024));

        auto tail = get(data, serve.port, "/v1/clips/" + clip, access, {{"Range", "bytes=-10"}});
        REQUIRE(tail);
        CHECK(tail->status == 206);
        CHECK(tail->body == bytes.substr(bytes.size() - 10));

        auto open_end = get(data, serve.port, "/v1/clips/" + clip, access,
                            {{"Range", "bytes=" + std::to_string(bytes.size() - 7) + "-"}});
        REQUIRE(open_end);
        CHECK(open_end->status == 206);
        CHECK(open_end->body == bytes.substr(bytes.size() - 7));

        // An end past the file is cut at its end.
        auto long_range = get(data, serve.port, "/v1/clips/" + clip, access, {{"Range", "bytes=20-99999999"}});
        REQUIRE(long_range);
        CHECK(long_range->status == 206);
        CHECK(long_range->get_header_value("Content-Range") ==
              "bytes 20-" + std::to_string(bytes.size() - 1) + "/" + std::to_string(bytes.size()));
        CHECK(long_range->body == bytes.substr(20));

        // Several ranges are not offered: the whole clip.
        auto several = get(data, serve.port, "/v1/clips/" + clip, access, {{"Range", "bytes=0-3,10-13"}});
        REQUIRE(several);
        CHECK(several->status == 200);
        CHECK(several->body == bytes);

        auto beyond = get(data, serve.port, "/v1/clips/" + clip, access,
                          {{"Range", "bytes=" + std::to_string(bytes.size()) + "-"}});
        REQUIRE(beyond);
        CHECK(beyond->status == 416);
        CHECK(beyond->get_header_value("Content-Range") == "bytes */" + std::to_string(bytes.size()));

        CHECK(get(data, serve.port, "/v1/clips/" + clip, "")->status == 401);
        CHECK(get(data, serve.port, "/v1/clips/" + clip, access + "x")->status == 401);
        auto not_shared = get(data, serve.port, "/v1/clips/" + other_clip, access);
        CHECK(not_shared->status == 403);
        CHECK(error_code(not_shared) == "forbidden");
    }

    SECTION("an access token opens only its own share") {
        auto mine = redeem(data, serve.port, token);
        auto theirs = redeem(data, serve.port, cast_only);
        REQUIRE(mine);
        REQUIRE(theirs);
        REQUIRE(mine->status == 200);
        REQUIRE(theirs->status == 200);
        const std::string their_access = json::parse(theirs->body)["access_token"];
        const auth::Grant their_grant = verified_grant(data, json::parse(theirs->body)["grant"], "defence");
        CHECK(their_grant.issuer == "https://localhost:8443/issuers/defence");
        CHECK_FALSE(their_grant.kiosk);
        CHECK(their_grant.watermark == "OFFICIAL-SENSITIVE \u00b7 disclosed to the defence");
        auto cross = get(data, serve.port, "/v1/shares/" + share_id + "/status", their_access);
        CHECK(cross->status == 401);
        CHECK(error_code(cross) == "unauthorized");
        // Cast only: the clip is in that share, but its bytes are not for viewing or caching.
        auto cast = get(data, serve.port, "/v1/clips/" + clip, their_access);
        CHECK(cast->status == 403);
        CHECK(error_code(cast) == "forbidden");
    }

    SECTION("refusals") {
        std::string mistyped = token;
        mistyped[0] = mistyped[0] == 'A' ? 'B' : 'A';
        const std::vector<std::tuple<std::string, int, std::string>> cases{
            {"{not json", 400, "malformed"},
            {json{{"kiosk", "kiosk-1"}}.dump(), 400, "malformed"},
            {json{{"token", mistyped}, {"kiosk", "kiosk-1"}}.dump(), 400, "malformed"},
            {json{{"token", auth::make_share_token()}, {"kiosk", "kiosk-1"}}.dump(), 404, "unknown_token"},
            {json{{"token", token}, {"kiosk", "kiosk-2"}}.dump(), 403, "wrong_kiosk"},
        };
        for (const auto& [body, status, code] : cases) {
            auto r = client(data, serve.port)->Post("/v1/redeem", body, "application/json");
            REQUIRE(r);
            INFO(body << " -> " << r->body);
            CHECK(r->status == status);
            CHECK(error_code(r) == code);
            CHECK_FALSE(json::parse(r->body).value("message", "").empty());
        }
        CHECK(query(data, "SELECT reason FROM redeem_failures").size() == cases.size());
    }
    CHECK(serve.stop() == 0);
    CHECK(serve.log().find("stopped") != std::string::npos);
}

TEST_CASE("server: onward shares can only narrow and revoking a share revokes its onward shares", "[server]") {
    const std::string data = init_data();
    const std::string clip_a = add_clip(data, "A");
    const std::string clip_b = add_clip(data, "B");
    const std::string extra = add_clip(data, "Not in the source");
    const auto made = cli({"share", "create", "--data", data, "--party", "cps", "--case", "URN-7", "--clips",
                           clip_a + "," + clip_b, "--perms", "view,cache", "--expires", "4h", "--reshare", "--segment",
                           clip_a + ":0.5-2.5"});
    REQUIRE(made.exit_code == 0);
    const std::string source_token = trimmed(made.out);
    const std::string source = announced_share_id(made);
    const std::string no_reshare = announced_share_id(cli({"share", "create", "--data", data, "--party", "cps", "--case",
                                                           "URN-7", "--clips", clip_a, "--perms", "view", "--expires", "4h"}));

    const auto onward = [&](const std::string& from, const std::vector<std::string>& more) {
        std::vector<std::string> args{"share", "onward", "--data", data, "--from", from, "--party", "defence"};
        args.insert(args.end(), more.begin(), more.end());
        return cli(args);
    };

    SECTION("refusals") {
        const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> cases{
            {source, {"--clips", clip_a, "--perms", "view,cast", "--expires", "1h"}, "wider"},
            {source, {"--clips", clip_a + "," + extra, "--perms", "view", "--expires", "1h"}, "not in share"},
            {source, {"--clips", clip_a, "--perms", "view", "--expires", "5h"}, "cannot outlive"},
            {source, {"--clips", clip_a, "--perms", "view", "--expires", "1h", "--segment", clip_a + ":0-1"}, "outside"},
            {no_reshare, {"--clips", clip_a, "--perms", "view", "--expires", "1h"}, "--reshare"},
            {"sh_nosuchshare", {"--clips", clip_a, "--perms", "view", "--expires", "1h"}, "no share"},
        };
        for (const auto& [from, args, message] : cases) {
            const auto r = onward(from, args);
            INFO(message << ": " << r.err);
            CHECK(r.exit_code != 0);
            CHECK(r.out.empty());
            CHECK(r.err.find(message) != std::string::npos);
        }
        CHECK(query(data, "SELECT id FROM shares WHERE parent_id IS NOT NULL").empty());
    }

    SECTION("a narrowed onward share, then revocation of the source") {
        // By token as well as by id; the segment of clip A carries over, clip B gets a narrower one.
        const auto r = onward(source_token, {"--clips", clip_a + "," + clip_b, "--perms", "view", "--expires", "3h",
                                             "--segment", clip_b + ":1-2"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const std::string onward_token = trimmed(r.out);
        const std::string onward_id = announced_share_id(r);
        const auto rows = query(data, "SELECT parent_id, reshare, party, case_ref FROM shares WHERE id = '" + onward_id + "'");
        REQUIRE(rows.size() == 1);
        CHECK(rows[0] == std::vector<std::string>{source, "0", "defence", "URN-7"});

        Serve serve(data);
        auto redeemed = redeem(data, serve.port, onward_token);
        REQUIRE(redeemed);
        REQUIRE(redeemed->status == 200);
        const json body = json::parse(redeemed->body);
        const auth::Grant g = verified_grant(data, body["grant"], "defence");
        CHECK(g.party == auth::Party::defence);
        CHECK_FALSE(g.reshare);
        REQUIRE(g.clips.size() == 2);
        CHECK(g.find_clip(clip_a)->segment == std::optional<auth::Segment>(auth::Segment{500, 2500}));
        CHECK(g.find_clip(clip_b)->segment == std::optional<auth::Segment>(auth::Segment{1000, 2000}));
        CHECK(g.find_clip(clip_a)->perms == auth::Perms{true, false, false});
        const std::string access = body["access_token"];
        CHECK(get(data, serve.port, "/v1/clips/" + clip_b, access)->status == 200);

        const auto revoked = cli({"share", "revoke", "--data", data, source});
        INFO(revoked.err);
        REQUIRE(revoked.exit_code == 0);
        CHECK(revoked.out.find("onward") != std::string::npos);
        CHECK(revoked.out.find(onward_id) != std::string::npos);

        for (const std::string& t : {source_token, onward_token}) {
            auto again = redeem(data, serve.port, t);
            REQUIRE(again);
            CHECK(again->status == 410);
            CHECK(error_code(again) == "revoked");
        }
        auto status = get(data, serve.port, "/v1/shares/" + onward_id + "/status", access);
        REQUIRE(status);
        CHECK(status->status == 200);
        CHECK(json::parse(status->body)["state"] == "revoked");
        auto bytes = get(data, serve.port, "/v1/clips/" + clip_b, access);
        CHECK(bytes->status == 410);
        CHECK(error_code(bytes) == "revoked");

        const auto from_revoked = onward(source, {"--clips", clip_a, "--perms", "view", "--expires", "1h"});
        CHECK(from_revoked.exit_code != 0);
        CHECK(from_revoked.err.find("revoked") != std::string::npos);
    }
}

TEST_CASE("server: an expired share is refused at redeem and status and clip fetch", "[server]") {
    const std::string data = init_data();
    const std::string clip = add_clip(data);
    const auto made = cli({"share", "create", "--data", data, "--party", "cps", "--case", "URN", "--clips", clip,
                           "--perms", "view", "--expires", "6s"});  // long enough to start a loaded server
    REQUIRE(made.exit_code == 0);
    const std::string token = trimmed(made.out), share_id = announced_share_id(made);
    Serve serve(data);
    auto r = redeem(data, serve.port, token);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    const std::string access = json::parse(r->body)["access_token"];
    std::this_thread::sleep_for(std::chrono::milliseconds(6100));

    auto again = redeem(data, serve.port, token);
    CHECK(again->status == 410);
    CHECK(error_code(again) == "expired");
    auto status = get(data, serve.port, "/v1/shares/" + share_id + "/status", access);
    CHECK(status->status == 200);
    CHECK(json::parse(status->body)["state"] == "expired");
    auto bytes = get(data, serve.port, "/v1/clips/" + clip, access);
    CHECK(bytes->status == 410);
    CHECK(error_code(bytes) == "expired");
    // A refusal is never cut to the range a streaming kiosk asked for.
    for (const char* range : {"bytes=10-", "bytes=100000-"}) {
        auto ranged = get(data, serve.port, "/v1/clips/" + clip, access, {{"Range", range}});
        CHECK(ranged->status == 410);
        CHECK(error_code(ranged) == "expired");
        CHECK(ranged->get_header_value("Content-Range").empty());
    }
}

TEST_CASE("server: failed redemptions are rate limited per address and recorded without the token", "[server]") {
    const std::string data = init_data();
    const std::string clip = add_clip(data);
    const std::string token = share_create({"--data", data, "--party", "cps", "--case", "URN", "--clips", clip,
                                            "--perms", "view", "--expires", "1h"});
    Serve serve(data, {"--max-failures", "3", "--failure-window", "4"});

    std::vector<std::string> tried;
    for (int i = 0; i < 3; ++i) {
        tried.push_back(auth::make_share_token());
        auto r = redeem(data, serve.port, tried.back());
        REQUIRE(r);
        CHECK(r->status == 404);
    }
    // Limited now, and a valid token gets exactly the answer an invalid one gets.
    auto valid = redeem(data, serve.port, token);
    auto invalid = redeem(data, serve.port, auth::make_share_token());
    for (const auto* r : {&valid, &invalid}) {
        REQUIRE(*r);
        CHECK((*r)->status == 429);
        CHECK(error_code(*r) == "rate_limited");
        const int retry = std::stoi((*r)->get_header_value("Retry-After"));
        CHECK(retry >= 1);
        CHECK(retry <= 4);
        CHECK(json::parse((*r)->body)["retry_after_s"] == retry);
    }
    CHECK(json::parse(valid->body)["message"] == json::parse(invalid->body)["message"]);

    const auto rows = query(data, "SELECT address, reason, token_hash_prefix, at FROM redeem_failures ORDER BY id");
    REQUIRE(rows.size() == 5);
    for (size_t i = 0; i < rows.size(); ++i) {
        CHECK(rows[i][0] == "127.0.0.1");
        CHECK(rows[i][1] == (i < 3 ? "unknown_token" : "rate_limited"));
        CHECK(rows[i][2].size() == 4);
    }
    CHECK(rows[0][2] == sha256_of(tried[0]).substr(0, 4));
    const std::string everything = db_bytes(data);
    for (const std::string& t : tried) CHECK(everything.find(t) == std::string::npos);
    CHECK(everything.find(token) == std::string::npos);

    // Once the window has passed, the valid token works again.
    std::this_thread::sleep_for(std::chrono::milliseconds(4200));
    auto later = redeem(data, serve.port, token);
    REQUIRE(later);
    CHECK(later->status == 200);
}

TEST_CASE("server: serve uses a certificate given with --cert and --key and expired or wrong-name ones fail TLS", "[server]") {
    const std::string data = init_data();
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string dir = data + "/extra-certs";
    fs::create_directory(dir);
    courtplay::server::issue_server_cert(data, "localhost", now - 10 * 86400, now - 86400, dir + "/expired.pem",
                                         dir + "/expired.key");
    courtplay::server::issue_server_cert(data, "elsewhere.example", now - 3600, now + 86400, dir + "/other.pem",
                                         dir + "/other.key");
    CHECK(file_mode(dir + "/expired.key") == 0600);

    {
        Serve good(data);
        auto r = client(data, good.port)->Get("/v1/health");
        REQUIRE(r);
        CHECK(r->status == 200);
    }
    for (const char* name : {"expired", "other"}) {
        INFO(name);
        Serve bad(data, {"--cert", dir + "/" + name + ".pem", "--key", dir + "/" + name + ".key"});
        auto r = client(data, bad.port)->Get("/v1/health");
        CHECK_FALSE(r);
        CHECK(r.error() == httplib::Error::SSLServerVerification);
        // Without verification the same server answers: it is the certificate that is refused.
        httplib::SSLClient lax("localhost", bad.port);
        lax.enable_server_certificate_verification(false);
        auto ok = lax.Get("/v1/health");
        REQUIRE(ok);
        CHECK(ok->status == 200);
    }
}

TEST_CASE("server: a data folder for an IP address gets an IP certificate and the service runs in-process", "[server]") {
    const std::string data = init_data({"--hostname", "127.0.0.1", "--listen", "127.0.0.1:8443"});
    courtplay::server::ServiceOptions options;
    options.data = data;
    options.listen = courtplay::server::ListenAddress{"127.0.0.1", 0};
    courtplay::server::Service service(options);
    service.start();
    REQUIRE(service.port() > 0);
    CHECK(service.listen_url() == "https://127.0.0.1:" + std::to_string(service.port()));
    auto r = client(data, service.port(), "127.0.0.1")->Get("/v1/health");
    REQUIRE(r);
    CHECK(r->status == 200);
    // The name "localhost" is not in this certificate.
    CHECK_FALSE(client(data, service.port(), "localhost")->Get("/v1/health"));
    service.stop();
    service.stop();  // twice is harmless
}

// A service stopped at once after start() (a kiosk closing during start-up, a test's section
// ending) used to race its serving thread: stop() skipped httplib's stop() when the thread had not
// reached listen yet, then joined a thread that listened for ever. The test program hangs (and its
// hang guard aborts it with every thread's stack) without the fix.
TEST_CASE("server: a service stopped right after it starts stops, every time", "[server]") {
    const std::string data = init_data({"--hostname", "127.0.0.1", "--listen", "127.0.0.1:8443"});
    courtplay::server::ServiceOptions options;
    options.data = data;
    options.listen = courtplay::server::ListenAddress{"127.0.0.1", 0};
    for (int round = 0; round < 200; ++round) {
        courtplay::server::Service service(options);
        service.start();
        const int port = service.port();
        service.stop();
        // Stopped means closed: nobody answers on its port any more.
        httplib::SSLClient probe("127.0.0.1", port);
        probe.enable_server_certificate_verification(false);
        probe.set_connection_timeout(1);
        REQUIRE_FALSE(probe.Get("/v1/health"));
    }
}
