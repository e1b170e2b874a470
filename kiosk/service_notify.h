// The kiosk's word to systemd when it runs as courtplay.service (Type=notify, WatchdogSec):
// READY=1 once the window is up, WATCHDOG=1 from the main loop, STOPPING=1 on a graceful exit.
// Started any other way (no NOTIFY_SOCKET), every call does nothing.
#pragma once

#include <cstdint>

namespace courtplay::kiosk {

class ServiceNotifier {
public:
    // Reads NOTIFY_SOCKET and WATCHDOG_USEC (for this process) once, here.
    ServiceNotifier();

    void ready();
    // Call every turn of the main loop: sends WATCHDOG=1 when a quarter of the watchdog's time
    // has passed since the last one, so a loop that turns often does not flood the manager.
    // `now_us` is a monotonic clock in microseconds.
    void alive(int64_t now_us);
    void stopping();  // once; later calls do nothing

    bool watchdog_enabled() const { return watchdog_us_ > 0; }

private:
    void send(const char* state);

    bool managed_ = false;      // NOTIFY_SOCKET was set
    uint64_t watchdog_us_ = 0;  // 0: no watchdog asked for
    int64_t last_alive_us_ = 0;
    bool sent_alive_ = false;
    bool stopping_ = false;
    bool warned_ = false;       // a failure was logged
};

}  // namespace courtplay::kiosk
