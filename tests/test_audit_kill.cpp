// Exactly once, whatever happens: kiosk sessions and `audit flush` runs killed with SIGKILL at
// random points, hundreds of times, while the real audit service is up, down, and flapping. In
// the end the service holds every event the kiosk's journal holds, each once, with every chain
// and seal intact (`courtplay-server audit verify`).
//
// COURTPLAY_AUDIT_KILL_ROUNDS sets the number of rounds (default 200; the sanitizer run uses fewer).
#include "audit/journal.h"
#include "server/sqlite.h"
#include "support/share_fixture.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <thread>

using namespace courtplay;
using namespace courtplay::testing;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

int rounds() {
    const char* env = std::getenv("COURTPLAY_AUDIT_KILL_ROUNDS");
    return env ? std::max(1, std::atoi(env)) : 200;
}

}  // namespace

TEST_CASE("Killed at random, with the service up, down and flapping: every journaled event reaches the service once") {
    ServiceFolder svc("audit-kill");
    const std::string clip = fixture({.path = "audit-kill.mp4", .width = 160, .height = 90, .seconds = 2});
    const std::string clip_id = svc.add_clip(clip, "CCTV, Station Road");
    const std::string token =
        svc.share({"--party", "cps", "--case", "01YZ1234526", "--clips", clip_id, "--perms", "view", "--expires", "2h"});
    const std::string script = (svc.data / "controls.txt").string();
    write_file(script, "0.1 pause\n0.2 step\n0.3 back\n0.4 seek 1.5\n0.5 play\n0.9 quit\n");

    std::mt19937 random(20261128);
    const int total = rounds();
    bool service_up = true;
    int killed = 0;
    for (int round = 0; round < total; ++round) {
        // A third of the rounds with the service up, a third down, a third flapping under the kiosk.
        const int phase = round * 3 / total;
        const bool flapping = phase == 2;
        const bool want_up = phase == 0 || (flapping && random() % 2);
        if (want_up != service_up) {
            want_up ? svc.start() : svc.stop();
            service_up = want_up;
        }
        const bool flush = random() % 4 == 0;  // sometimes the shipper is the one killed
        std::vector<std::string> args =
            flush ? std::vector<std::string>{"audit", "flush", "--config", svc.config(), "--timeout", "2"}
                  : std::vector<std::string>{"session", "--config", svc.config(), "--token", token, "--headless",
                                             "--commands", script};
        Spawned kiosk = spawn_courtplay(args);
        // Every eighth round runs to its end, so that however slow the machine (a sanitizer build
        // starts slowly) sessions do journal events between the kills.
        const bool to_the_end = round % 8 == 7;
        const auto before_kill = std::chrono::milliseconds(20 + random() % 600);
        if (flapping) {
            std::this_thread::sleep_for(before_kill / 2);
            service_up ? svc.stop() : svc.start();
            service_up = !service_up;
            std::this_thread::sleep_for(before_kill / 2);
        } else {
            std::this_thread::sleep_for(before_kill);
        }
        if (!to_the_end) kiosk.kill(SIGKILL);
        const RunResult r = kiosk.wait();
        if (r.exit_code == 128 + SIGKILL) ++killed;
        INFO("round " << round << ": " << r.err);
        // Whatever it did before it was killed, it never said the journal was damaged.
        CHECK_THAT(r.err, !Catch::Contains("damaged"));
    }
    CHECK(killed >= total / 4);  // the rest had finished (a session with the service down ends at once)

    if (!service_up) svc.start();
    const RunResult flushed = run_courtplay({"audit", "flush", "--config", svc.config(), "--timeout", "120"});
    INFO(flushed.err);
    REQUIRE(flushed.exit_code == 0);

    // The kiosk's journal, after every recovery, all delivered.
    const RunResult listed = run_courtplay({"audit", "list", "--config", svc.config()});
    REQUIRE(listed.exit_code == 0);
    std::map<int64_t, std::string> journal;  // seq -> id
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        const json e = json::parse(line);
        CHECK(e["delivered"] == true);
        journal[e["seq"].get<int64_t>()] = e["id"];
    }
    REQUIRE(journal.size() >= static_cast<size_t>(total / 8) * 3);  // a whole session journals 3 events at least
    CHECK(journal.begin()->first == 1);
    CHECK(journal.rbegin()->first == static_cast<int64_t>(journal.size()));

    // The service's database: the same events, each once.
    server::sqlite::Connection db(svc.data / "share.db", false);
    auto rows = db.prepare("SELECT seq, id FROM audit_events WHERE kiosk_id = 'kiosk-1' ORDER BY seq");
    std::map<int64_t, std::string> stored;
    std::set<std::string> ids;
    int64_t count = 0;
    while (rows.step()) {
        stored[rows.int64(0)] = rows.text(1);
        ids.insert(rows.text(1));
        ++count;
    }
    CHECK(count == static_cast<int64_t>(journal.size()));
    CHECK(ids.size() == journal.size());
    CHECK(stored == journal);

    const RunResult verified = server_cli({"audit", "verify", "--data", svc.data.string()});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    CHECK_THAT(verified.out, Catch::Contains(std::to_string(journal.size()) + " events from 1 kiosk"));
}
