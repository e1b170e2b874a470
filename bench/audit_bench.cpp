// The audit journal's benchmark program, run by bench/audit (docs/benchmarks.md, "Audit journal").
//
//   audit_bench append --dir DIR [--count N]
//       Durable append latency: Journal::append of one event (a seek, as a clerk makes them),
//       and its peer, a bare 4 KiB pwrite + fdatasync to a file in the same folder, in
//       alternating blocks so both see the same disk and the same noise. Prints JSON.
//   audit_bench ship --data DIR --journal DIR [--events N] [--bodies DIR]
//       Shipping throughput: a journal of N events (batches of 20, as sessions write them)
//       shipped by audit::Shipper to the reference service running in this process on loopback
//       TLS. With --bodies, first writes the request bodies the shipper will send, one file
//       each, so that bench/audit can send the same bytes with curl. Prints JSON.
#include "audit/journal.h"
#include "audit/shipper.h"
#include "config/kiosk_config.h"
#include "server/service.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

using namespace courtplay;
namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double micros_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

json percentiles(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto at = [&](double q) { return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]; };
    return {{"p50_us", at(0.50)}, {"p99_us", at(0.99)}, {"max_us", v.back()}, {"n", v.size()}};
}

audit::Event seek_event(int i) {
    audit::Event e{audit::event_type::seek};
    e.subject = {"se_0123456789abcdef", "sh_k4w4cnviij74", "defence", "cl_p6quqow3gud2", std::string(64, 'c')};
    e.position_ms = i * 40;
    e.details = {{"from_ms", i * 40}, {"to_ms", i * 40 + 5000}};
    return e;
}

int run_append(const fs::path& dir, int count) {
    fs::remove_all(dir);
    audit::Journal journal({dir / "journal", dir / "keys" / "audit.key", "bench-kiosk"});
    const fs::path bare_file = dir / "bare.dat";
    const int fd = ::open(bare_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot write " + bare_file.string());
    const std::vector<char> block(4096, 'x');
    std::vector<double> appends, bares;
    off_t offset = 0;
    constexpr int kBlock = 50;
    for (int done = 0; done < count; done += kBlock) {
        for (int i = 0; i < kBlock; ++i) {
            const auto t0 = Clock::now();
            journal.append(seek_event(done + i));
            appends.push_back(micros_since(t0));
        }
        for (int i = 0; i < kBlock; ++i) {
            const auto t0 = Clock::now();
            if (::pwrite(fd, block.data(), block.size(), offset) != static_cast<ssize_t>(block.size()) || ::fdatasync(fd) != 0)
                throw std::runtime_error("the bare write failed");
            offset += static_cast<off_t>(block.size());
            bares.push_back(micros_since(t0));
        }
    }
    ::close(fd);
    const json a = percentiles(appends), b = percentiles(bares);
    const json out = {{"append", a}, {"bare_write_fdatasync", b},
                      {"p99_ratio", a["p99_us"].get<double>() / b["p99_us"].get<double>()},
                      {"p50_ratio", a["p50_us"].get<double>() / b["p50_us"].get<double>()}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

int run_ship(const fs::path& data, const fs::path& journal_dir, int events, const fs::path& bodies) {
    fs::remove_all(journal_dir);
    const config::KioskConfig cfg = config::load_kiosk_config(data / "kiosk.toml");
    audit::Journal journal({journal_dir / "journal", journal_dir / "keys" / "audit.key", cfg.kiosk_id});
    std::vector<audit::Event> batch;
    for (int i = 0; i < events; ++i) {
        batch.push_back(seek_event(i));
        if (batch.size() == 20 || i + 1 == events) {
            journal.append(batch);
            batch.clear();
        }
    }
    audit::ShipperOptions o;
    o.url = cfg.service.url;
    o.tls = {cfg.service.ca_file, cfg.service.spki_pin, 30};
    if (!bodies.empty()) {
        fs::create_directories(bodies);
        int64_t from = 0;
        for (int n = 0;; ++n) {
            const auto lines = journal.read_after(from, o.batch_records);
            if (lines.empty()) break;
            std::ofstream(bodies / ("batch-" + std::to_string(100000 + n) + ".json")) << audit::batch_request(cfg.kiosk_id, lines, false).dump();
            from = std::get<audit::Seal>(lines.back()).seq;
        }
    }
    server::ServiceOptions so;
    so.data = data;
    server::Service service(so);
    service.start();
    audit::Shipper shipper(journal, o);
    const auto t0 = Clock::now();
    const audit::ShipResult r = shipper.ship();
    const double seconds = micros_since(t0) / 1e6;
    service.stop();
    if (r.problem || r.left != 0) {
        std::fprintf(stderr, "audit_bench: shipping stopped: %s\n", r.problem.value_or("events left").c_str());
        return 1;
    }
    const json out = {{"events", events}, {"seconds", seconds}, {"events_per_s", events / seconds}};
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("courtplay's audit journal benchmark program (run by bench/audit)");
    std::string dir, data, journal_dir, bodies;
    int count = 2000, events = 50000;
    CLI::App* append = app.add_subcommand("append", "Durable append latency against a bare 4 KiB write + fdatasync");
    append->add_option("--dir", dir, "A scratch folder on the disk to measure")->required();
    append->add_option("--count", count, "Appends (and bare writes)");
    CLI::App* ship = app.add_subcommand("ship", "Shipping throughput to the reference service on loopback");
    ship->add_option("--data", data, "A data folder made by courtplay-server init")->required();
    ship->add_option("--journal", journal_dir, "A scratch folder for the kiosk's journal")->required();
    ship->add_option("--events", events, "Events to ship");
    ship->add_option("--bodies", bodies, "Write the request bodies here first");
    app.require_subcommand(1);
    CLI11_PARSE(app, argc, argv);
    try {
        if (*append) return run_append(dir, count);
        return run_ship(data, journal_dir, events, bodies);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "audit_bench: %s\n", e.what());
        return 1;
    }
}
