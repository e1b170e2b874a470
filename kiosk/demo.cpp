#include "kiosk/demo.h"

#include "audit/journal.h"
#include "config/kiosk_config.h"
#include "kiosk/app/demo_court.h"
#include "kiosk/app/demo_tour.h"
#include "kiosk/app/kiosk_app.h"
#include "kiosk/audit_trail.h"
#include "kiosk/exit_codes.h"

extern "C" {
#include <libavutil/log.h>
}

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

namespace courtplay::kiosk {
namespace {

bool has_display() {
    const char* x = std::getenv("DISPLAY");
    const char* wayland = std::getenv("WAYLAND_DISPLAY");
    return (x && *x) || (wayland && *wayland);
}

// What the journal holds after the demo, and what of it the service has.
void print_audit_summary(const config::KioskConfig& cfg, app::DemoCourt& court) {
    const audit::JournalListing listing = audit::list_journal(cfg.audit.dir);
    std::map<std::string, int> by_type;
    size_t delivered = 0;
    for (const audit::JournalEntry& e : listing.entries) {
        ++by_type[e.record.event.value("type", std::string("?"))];
        delivered += e.delivered ? 1 : 0;
    }
    std::printf("Audit trail: %zu events in the kiosk's journal, %zu delivered to the audit service\n",
                listing.entries.size(), delivered);
    for (const auto& [type, n] : by_type) std::printf("  %-18s %d\n", type.c_str(), n);
    try {
        std::printf("Audit service: %s", court.server({"audit", "verify", "--data", court.service_data().string()}).c_str());
    } catch (const std::exception& e) {
        std::printf("Audit service: %s\n", e.what());
    }
}

}  // namespace

int run_demo(const DemoOptions& options) {
    const bool scripted = options.headless || !has_display();
    av_log_set_level(AV_LOG_ERROR);  // the encoders' own chatter is not for the demo's reader
    if (!has_display()) setenv("SDL_VIDEODRIVER", "offscreen", 0);
    try {
        app::DemoCourt court;
        const app::DemoShares& shares = court.shares();
        std::fprintf(stderr,
                     "courtplay: demo: share codes  CPS %s   DEFENCE %s   (withdrawn: %s)\n"
                     "courtplay: demo: admin: Ctrl+Shift+A (or hold the top-left corner), PIN %s\n",
                     shares.cps.c_str(), shares.defence.c_str(), shares.withdrawn.c_str(), app::DemoCourt::kAdminPin);
        const config::KioskConfig cfg = config::load_kiosk_config(court.config());
        std::unique_ptr<AuditTrail> trail = open_audit_trail(cfg);
        if (!trail) return exit_code::audit;
        trail->start_shipping();

        app::KioskOptions ko;
        ko.window.windowed = options.windowed;
        ko.demo_codes = {{"CPS", shares.cps}, {"DEFENCE", shares.defence}};
        std::unique_ptr<app::DemoTour> tour;
        std::filesystem::path screens = std::filesystem::absolute(options.screenshots);
        if (scripted) {
            std::filesystem::create_directories(screens);
            tour = std::make_unique<app::DemoTour>(shares, app::DemoCourt::kAdminPin, screens);
            ko.driver = [&tour](app::KioskApp& a) { return (*tour)(a); };
            ko.sound = false;
        }
        int code = 0;
        {
            app::KioskApp kiosk(cfg, *trail, std::move(ko));
            code = kiosk.run();
        }
        trail.reset();  // the last events are shipped as it closes
        if (tour) {
            if (!tour->failure().empty()) {
                std::fprintf(stderr, "courtplay: demo: %s\n", tour->failure().c_str());
                code = 1;
            }
            std::printf("Screenshots of each screen (%zu) are in %s\n", tour->screenshots().size(), screens.c_str());
        }
        print_audit_summary(cfg, court);
        return code;
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "courtplay: demo: %s\n", e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "courtplay: demo: %s\n", e.what());
    }
    return 1;
}

}  // namespace courtplay::kiosk
