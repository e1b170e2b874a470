// systemd's manager's end of NOTIFY_SOCKET for tests: a unix datagram socket in a fresh folder,
// read as the manager would. NOTIFY_SOCKET names it in this process while `named` is true (a
// spawned program is given "NOTIFY_SOCKET=" + path() instead); the watchdog variables are cleared
// before and after.
#pragma once

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

namespace courtplay::testing {

class ManagerSocket {
public:
    explicit ManagerSocket(bool named = true) {
        char dir[] = "/tmp/courtplay-notify-XXXXXX";
        REQUIRE(::mkdtemp(dir) != nullptr);
        dir_ = dir;
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const std::string at = path();
        REQUIRE(at.size() < sizeof addr.sun_path);
        std::memcpy(addr.sun_path, at.c_str(), at.size() + 1);
        REQUIRE(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
        clear_env();
        if (named) ::setenv("NOTIFY_SOCKET", at.c_str(), 1);
    }
    ~ManagerSocket() {
        clear_env();
        ::close(fd_);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    ManagerSocket(const ManagerSocket&) = delete;
    ManagerSocket& operator=(const ManagerSocket&) = delete;

    std::string path() const { return (dir_ / "notify").string(); }

    // Every message waiting now, in order. sd_notify's send has returned, so whatever was sent
    // is already queued on this socket.
    std::vector<std::string> received() {
        std::vector<std::string> out;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
            if (n < 0) break;
            out.emplace_back(buf, static_cast<size_t>(n));
        }
        return out;
    }

private:
    static void clear_env() {
        for (const char* name : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) ::unsetenv(name);
    }
    std::filesystem::path dir_;
    int fd_ = -1;
};

}  // namespace courtplay::testing
