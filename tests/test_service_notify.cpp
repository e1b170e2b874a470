// kiosk/service_notify: what systemd's manager receives, read from a real unix datagram socket
// that NOTIFY_SOCKET names, as it would be under courtplay.service (Type=notify, WatchdogSec).
#include "kiosk/service_notify.h"
#include "support/manager_socket.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

using courtplay::kiosk::ServiceNotifier;
using courtplay::testing::ManagerSocket;

namespace {

void ask_for_watchdog(const char* usec, pid_t pid) {
    ::setenv("WATCHDOG_USEC", usec, 1);
    ::setenv("WATCHDOG_PID", std::to_string(pid).c_str(), 1);
}

using Messages = std::vector<std::string>;

}  // namespace

TEST_CASE("service notify: ready and watchdog and stopping reach the manager's socket", "[service_notify]") {
    ManagerSocket manager;
    ask_for_watchdog("2000000", ::getpid());  // WatchdogSec=2s
    ServiceNotifier service;
    CHECK(service.watchdog_enabled());
    service.ready();
    CHECK(manager.received() == Messages{"READY=1"});

    service.alive(10'000'000);
    CHECK(manager.received() == Messages{"WATCHDOG=1"});
    // A loop turning every few ms does not flood the manager: one message per quarter interval.
    for (int64_t t = 10'001'000; t < 10'500'000; t += 1000) service.alive(t);
    CHECK(manager.received().empty());
    service.alive(10'500'000);
    CHECK(manager.received() == Messages{"WATCHDOG=1"});

    service.stopping();
    service.stopping();
    CHECK(manager.received() == Messages{"STOPPING=1"});
}

TEST_CASE("service notify: without WatchdogSec the watchdog is never fed", "[service_notify]") {
    ManagerSocket manager;
    ServiceNotifier service;
    CHECK_FALSE(service.watchdog_enabled());
    service.ready();
    service.alive(0);
    service.alive(60'000'000);
    service.stopping();
    CHECK(manager.received() == Messages{"READY=1", "STOPPING=1"});
}

TEST_CASE("service notify: another process's watchdog is not fed", "[service_notify]") {
    // WATCHDOG_PID names the service's main process; a child that inherited the variables is not it.
    ManagerSocket manager;
    ask_for_watchdog("2000000", ::getpid() + 1);
    ServiceNotifier service;
    CHECK_FALSE(service.watchdog_enabled());
    service.alive(0);
    CHECK(manager.received().empty());
}

TEST_CASE("service notify: outside systemd nothing is sent and nothing fails", "[service_notify]") {
    ManagerSocket manager(false);  // the socket exists but NOTIFY_SOCKET does not name it
    ask_for_watchdog("2000000", ::getpid());
    ServiceNotifier service;
    CHECK_FALSE(service.watchdog_enabled());
    service.ready();
    service.alive(0);
    service.stopping();
    CHECK(manager.received().empty());
}
