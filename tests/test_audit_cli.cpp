// The audit trail as outside checks see it: `courtplay session` against the real share service
// over real TLS, then `courtplay audit list`; a journal on a real full disk and a read-only one
// (nothing is shown); the backlog limit.
#include "audit/journal.h"
#include "config/kiosk_config.h"
#include "support/share_fixture.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace courtplay;
using namespace courtplay::testing;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string short_clip() { return fixture({.path = "audit-short.mp4", .width = 320, .height = 180, .seconds = 3}); }

// A service with one clip shared to the defence, and a kiosk config with extra [audit] settings.
struct AuditService : ServiceFolder {
    std::string clip_id, token, kiosk_config;

    explicit AuditService(const std::string& name, const std::string& audit_settings = "")
        : ServiceFolder(name) {
        clip_id = add_clip(short_clip(), "Body-worn camera, PC 1234");
        token = share({"--party", "defence", "--case", "01YZ1234526", "--clips", clip_id, "--perms", "view",
                       "--expires", "2h"});
        kiosk_config = config();
        if (!audit_settings.empty()) {
            kiosk_config = (data / "kiosk-audit.toml").string();
            write_file(kiosk_config, read_file(config()) + "\n[audit]\n" + audit_settings + "\n");
        }
    }
    RunResult session(const std::string& commands, const std::string& frame_log) const {
        const std::string script = (data / "commands.txt").string();
        write_file(script, commands);
        return run_courtplay({"session", "--config", kiosk_config, "--token", token, "--headless", "--commands",
                              script, "--frame-log", frame_log});
    }
    std::vector<json> audit_list() const {
        const RunResult r = run_courtplay({"audit", "list", "--config", kiosk_config});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        std::vector<json> out;
        std::istringstream lines(r.out);
        for (std::string line; std::getline(lines, line);) out.push_back(json::parse(line));
        return out;
    }
};

std::vector<std::string> types(const std::vector<json>& events) {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e["type"]);
    return out;
}

const json& first_of(const std::vector<json>& events, const std::string& type) {
    for (const auto& e : events)
        if (e["type"] == type) return e;
    FAIL("no " << type << " event");
    static const json none;
    return none;
}

}  // namespace

TEST_CASE("A session records every step and control, in order, with who, what and where") {
    AuditService svc("audit-session");
    const std::string frames = (svc.data / "frames.tsv").string();
    const RunResult r = svc.session("0.3 pause\n0.4 seek 2.0\n0.5 step\n0.6 back\n0.7 rate 2\n0.8 loop 0.5 1.5\n"
                                    "0.9 play\n1.2 quit\n",
                                    frames);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::vector<json> events = svc.audit_list();
    CHECK(types(events) == std::vector<std::string>{"session.started", "token.redeemed", "grant.verified", "clip.opened",
                                                    "play", "pause", "seek", "frame.step", "frame.step", "rate.changed",
                                                    "loop.set", "play", "clip.closed", "session.ended"});
    // One session id and one share on every event; the clip and its SHA-256 on the clip's.
    const std::string session_id = events.front()["session_id"];
    CHECK(session_id.starts_with("se_"));
    for (size_t i = 0; i < events.size(); ++i) {
        INFO("event " << i << ": " << events[i].dump());
        CHECK(events[i]["seq"] == static_cast<int64_t>(i + 1));
        CHECK(events[i]["session_id"] == session_id);
        CHECK(events[i]["kiosk_id"] == "kiosk-1");
        CHECK(events[i]["delivered"] == true);  // shipped while it played, the last at exit
        CHECK(events[i]["id"].get<std::string>().size() == 32);
        if (i >= 1) {
            CHECK(events[i]["party"] == "defence");
            CHECK(events[i]["share_id"].get<std::string>().starts_with("sh_"));
        }
    }
    const json& seek = first_of(events, "seek");
    CHECK(seek["details"]["to_ms"] == 2000);
    CHECK(first_of(events, "clip.opened")["clip_id"] == svc.clip_id);
    CHECK(first_of(events, "clip.opened")["sha256"].get<std::string>().size() == 64);
    CHECK(first_of(events, "frame.step")["details"]["direction"] == "forward");
    CHECK(events[8]["details"]["direction"] == "back");
    CHECK(first_of(events, "rate.changed")["details"]["rate_permille"] == 2000);
    CHECK(first_of(events, "loop.set")["details"] == json{{"a_ms", 500}, {"b_ms", 1500}});
    CHECK(events.back()["details"]["exit_code"] == 0);
    // The times run forward.
    for (size_t i = 1; i < events.size(); ++i) CHECK(events[i]["mono_ns"] >= events[i - 1]["mono_ns"]);

    // The service holds the same events, and gives them to the defence, whose share it is.
    const RunResult exported = server_cli({"audit", "export", "--data", svc.data, "--party", "defence"});
    REQUIRE(exported.exit_code == 0);
    std::vector<std::string> ids, exported_ids;
    for (const auto& e : events) ids.push_back(e["id"]);
    std::istringstream lines(exported.out);
    for (std::string line; std::getline(lines, line);) exported_ids.push_back(json::parse(line)["id"]);
    CHECK(exported_ids == std::vector<std::string>(ids.begin() + 1, ids.end()));  // all but session.started: no share yet
    CHECK(server_cli({"audit", "export", "--data", svc.data, "--party", "cps"}).out.empty());
}

TEST_CASE("A refused share code is recorded with the reason") {
    AuditService svc("audit-refused");
    REQUIRE(server_cli({"share", "revoke", "--data", svc.data, svc.token}).exit_code == 0);
    const RunResult r = run_courtplay({"session", "--config", svc.kiosk_config, "--token", svc.token, "--headless"});
    CHECK(r.exit_code == 4);
    const auto events = svc.audit_list();
    CHECK(types(events) == std::vector<std::string>{"session.started", "token.refused", "session.ended"});
    CHECK(events[1]["details"]["reason"] == "revoked");
    CHECK(events[2]["details"]["exit_code"] == 4);
}

TEST_CASE("No journal, no playback: a full disk or a read-only one refuses before a frame is shown") {
    SmallDisk disk("audit-disk", "256k");
    AuditService svc("audit-failclosed", "dir = \"" + disk.path() + "/journal\"");
    const std::string frames = (svc.data / "frames.tsv").string();

    SECTION("a full disk") {
        {
            audit::Journal warm({disk.path() + "/journal", svc.data / "kiosk" / "keys" / "audit.key", "kiosk-1"});
        }
        std::ofstream filler(disk.path() + "/filler", std::ios::binary);
        const std::string block(4096, 'x');
        while (filler.write(block.data(), block.size())) {
        }
        filler.close();
        const RunResult r = svc.session("1 quit\n", frames);
        CHECK(r.exit_code == 7);
        CHECK_THAT(r.err, Catch::Contains("the audit journal cannot be written (the disk is full)"));
    }
    SECTION("a read-only disk") {
        {
            audit::Journal warm({disk.path() + "/journal", svc.data / "kiosk" / "keys" / "audit.key", "kiosk-1"});
        }
        disk.remount_read_only();
        const RunResult r = svc.session("1 quit\n", frames);
        CHECK(r.exit_code == 7);
        CHECK_THAT(r.err, Catch::Contains("(the disk is read-only)") &&
                              Catch::Contains("Nothing is played until the audit journal can be written"));
    }
    // Not a frame reached the screen, and no partial record is left behind.
    CHECK((!fs::exists(frames) || read_lines(frames).empty()));
    const audit::JournalListing listing = audit::list_journal(disk.path() + "/journal");
    CHECK_FALSE(listing.fault);
}

TEST_CASE("A backlog over the limit refuses new playback, and says what to do") {
    AuditService svc("audit-backlog", "max_backlog_events = 100");
    {
        const config::KioskConfig cfg = config::load_kiosk_config(svc.kiosk_config);
        audit::Journal j({cfg.audit.dir, cfg.audit.key_file, cfg.kiosk_id});
        std::vector<audit::Event> many(101, audit::Event{"frame.step"});
        j.append(many);
    }
    const std::string frames = (svc.data / "frames.tsv").string();
    const RunResult r = svc.session("1 quit\n", frames);
    CHECK(r.exit_code == 7);
    CHECK_THAT(r.err, Catch::Contains("101 audit events are waiting to be delivered to the audit service (the limit is 100)") &&
                          Catch::Contains("courtplay audit flush"));
    CHECK((!fs::exists(frames) || read_lines(frames).empty()));
}

TEST_CASE("audit flush: with the service down it says what is left (exit 5) and with it back everything goes once") {
    AuditService svc("audit-flush");
    svc.stop();
    const RunResult offline = run_courtplay({"session", "--config", svc.kiosk_config, "--token", svc.token, "--headless"});
    CHECK(offline.exit_code == 5);
    const size_t journaled = svc.audit_list().size();
    REQUIRE(journaled == 3);  // session.started, playback.error (unreachable), session.ended

    const RunResult down = run_courtplay({"audit", "flush", "--config", svc.kiosk_config, "--timeout", "2"});
    CHECK(down.exit_code == 5);
    CHECK_THAT(down.err, Catch::Contains("the audit service cannot be reached") &&
                             Catch::Contains("3 audit events are still undelivered; they are kept and sent later"));

    svc.start();
    const RunResult up = run_courtplay({"audit", "flush", "--config", svc.kiosk_config});
    CHECK(up.exit_code == 0);
    CHECK_THAT(up.err, Catch::Contains("every audit event is delivered (up to event 3)"));
    for (const json& e : svc.audit_list()) CHECK(e["delivered"] == true);
    // Flushing again sends nothing and stores nothing twice.
    CHECK(run_courtplay({"audit", "flush", "--config", svc.kiosk_config}).exit_code == 0);
    const RunResult exported = server_cli({"audit", "export", "--data", svc.data, "--party", "court"});
    CHECK(std::count(exported.out.begin(), exported.out.end(), '\n') == 3);
}
