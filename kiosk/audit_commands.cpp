#include "kiosk/audit_commands.h"

#include "audit/journal.h"
#include "audit/shipper.h"
#include "config/kiosk_config.h"
#include "kiosk/audit_trail.h"
#include "kiosk/exit_codes.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

namespace courtplay::kiosk {
namespace {

// Runs `body` with the config read, turning config and journal errors into exit codes.
int with_config(const std::string& config_file, const std::function<int(const config::KioskConfig&)>& body) {
    try {
        return body(config::load_kiosk_config(config_file));
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::bad_arguments;
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::audit;
    }
}

}  // namespace

int run_audit_list(const std::string& config_file) {
    return with_config(config_file, [](const config::KioskConfig& cfg) {
        const audit::JournalListing listing = audit::list_journal(cfg.audit.dir);
        for (const audit::JournalEntry& e : listing.entries) {
            nlohmann::json line = e.record.event;
            line["delivered"] = e.delivered;
            std::printf("%s\n", line.dump().c_str());
        }
        if (listing.fault) {
            std::fprintf(stderr, "courtplay: %s\n", listing.fault->c_str());
            return exit_code::audit;
        }
        return exit_code::ok;
    });
}

int run_audit_flush(const std::string& config_file, int timeout_s) {
    using clock = std::chrono::steady_clock;
    return with_config(config_file, [timeout_s](const config::KioskConfig& cfg) {
        audit::Journal journal({cfg.audit.dir, cfg.audit.key_file, cfg.kiosk_id});
        const auto deadline = clock::now() + std::chrono::seconds(timeout_s);
        audit::ShipperOptions o = shipper_options(cfg);
        o.tls.timeout_s = std::min(o.tls.timeout_s, timeout_s);  // no single request outlasts the time given
        audit::Shipper shipper(journal, o);
        auto backoff = std::chrono::milliseconds(250);
        for (;;) {
            const audit::ShipResult r = shipper.ship();
            if (r.left == 0) {
                std::fprintf(stderr, "courtplay: every audit event is delivered (up to event %lld)\n",
                             static_cast<long long>(r.delivered));
                return exit_code::ok;
            }
            const auto now = clock::now();
            if (r.refused || now + backoff >= deadline) {
                std::fprintf(stderr,
                             "courtplay: %s. %lld audit events are still undelivered; they are kept and sent later.\n",
                             r.problem.value_or("the audit service did not take every event").c_str(),
                             static_cast<long long>(r.left));
                return exit_code::network;
            }
            std::this_thread::sleep_for(backoff);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(4000));
        }
    });
}

}  // namespace courtplay::kiosk
