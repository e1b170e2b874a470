// `courtplay-server serve` as its own process, and a read-only look into its database, for tests that need the real binary: started on a
// free loopback port (read from its "listening on" line) or on the one given, stopped with SIGTERM
// or killed with any signal. Needs COURTPLAY_SERVER_BIN, the path of the binary under test.
#pragma once

#include "support/testing.h"

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <cstdio>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace courtplay::testing {

class Serve {
public:
    // `port_wanted` 0: any free one. A given port is the one `init --listen` wrote into kiosk.toml, for a
    // service that must come back where the kiosk looks for it.
    explicit Serve(const std::string& data, const std::vector<std::string>& extra = {}, int port_wanted = 0) {
        static int made = 0;
        err_path_ = scratch_dir() + "/serve-" + std::to_string(++made) + ".err";
        std::vector<std::string> args{COURTPLAY_SERVER_BIN, "serve", "--data", data, "--listen",
                                      "127.0.0.1:" + std::to_string(port_wanted)};
        args.insert(args.end(), extra.begin(), extra.end());
        pid_ = fork();
        if (pid_ == 0) {
            if (!std::freopen(err_path_.c_str(), "w", stderr) || !std::freopen("/dev/null", "w", stdout)) _exit(127);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        const std::regex listening("listening on https://127\\.0\\.0\\.1:([0-9]+)");
        while (std::chrono::steady_clock::now() < deadline) {
            std::smatch m;
            const std::string err = read_file(err_path_);
            if (std::regex_search(err, m, listening)) {
                port = std::stoi(m[1]);
                return;
            }
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                FAIL("courtplay-server serve ended before listening: " << err);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        FAIL("courtplay-server serve did not say it was listening: " << read_file(err_path_));
    }
    ~Serve() { stop(); }

    // SIGTERM; the exit code (0 for a clean shut-down).
    int stop() { return kill(SIGTERM); }
    // Sends `signal` and waits for the process to end; its exit code (128 + the signal when killed).
    int kill(int signal) {
        if (pid_ <= 0) return exit_code_;
        ::kill(pid_, signal);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return exit_code_;
    }
    std::string log() const { return read_file(err_path_); }

    int port = 0;

private:
    pid_t pid_ = -1;
    int exit_code_ = -1;
    std::string err_path_;
};

// The rows `sql` selects from DIR/share.db, every column as text ("" for NULL).
inline std::vector<std::vector<std::string>> query(const std::string& data, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((data + "/share.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, &sqlite3_close);
    sqlite3_stmt* raw = nullptr;
    INFO(sql);
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &raw, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, &sqlite3_finalize);
    std::vector<std::vector<std::string>> rows;
    while (sqlite3_step(raw) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int i = 0; i < sqlite3_column_count(raw); ++i) {
            const auto* t = sqlite3_column_text(raw, i);
            row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace courtplay::testing
