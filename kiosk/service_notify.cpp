#include "kiosk/service_notify.h"

#include <systemd/sd-daemon.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace courtplay::kiosk {

ServiceNotifier::ServiceNotifier() {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    managed_ = socket && *socket;
    uint64_t usec = 0;
    // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID, if set, is this process.
    if (managed_ && sd_watchdog_enabled(0, &usec) > 0) watchdog_us_ = usec;
}

// A failed notification is logged once and otherwise ignored: the kiosk keeps working, and
// systemd's own timeouts (start, watchdog) say the rest.
void ServiceNotifier::send(const char* state) {
    const int r = sd_notify(0, state);
    if (r < 0 && !warned_) {
        warned_ = true;
        std::fprintf(stderr, "courtplay: could not tell systemd %s: %s\n", state, std::strerror(-r));
    }
}

void ServiceNotifier::ready() {
    if (managed_) send("READY=1");
}

void ServiceNotifier::alive(int64_t now_us) {
    if (!managed_ || !watchdog_us_) return;
    if (sent_alive_ && now_us - last_alive_us_ < static_cast<int64_t>(watchdog_us_ / 4)) return;
    sent_alive_ = true;
    last_alive_us_ = now_us;
    send("WATCHDOG=1");
}

void ServiceNotifier::stopping() {
    if (!managed_ || stopping_) return;
    stopping_ = true;
    send("STOPPING=1");
}

}  // namespace courtplay::kiosk
