// Catch2's implementation and main(), compiled once into courtplay_catch_main for every test
// program: it is the costliest file of the suite to compile (some 25 s of CPU each time).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace {

// ctest stops a test program at 300 s (tests/CMakeLists.txt) and shows only what it printed. A
// program still running at 250 s has hung: this prints where each of its threads is (gdb), then
// aborts, so the failure says where. (Programs the tests start have their own guard: Spawned::wait.)
struct HangWatch {
    HangWatch() {
        const char* set = std::getenv("COURTPLAY_TEST_HANG_S");  // to try the guard itself
        const int limit = set ? std::atoi(set) : 250;
        std::thread([limit] {
            std::this_thread::sleep_for(std::chrono::seconds(limit));
            std::fprintf(stderr, "\n[tests: this test program is still running after %d s; its threads:]\n", limit);
            std::fflush(stderr);
            const std::string gdb = "gdb -p " + std::to_string(::getpid()) + " -batch -ex 'thread apply all bt' 1>&2";
            (void)!std::system(gdb.c_str());
            std::abort();
        }).detach();
    }
} hang_watch;

}  // namespace
