// Small parts, linked without a pipeline: the commands file, the GOP history, time formats, and
// the demo's tied child process.
#include "kiosk/command_script.h"
#include "kiosk/tied_child.h"
#include "kiosk/timecode.h"
#include "player/frame_history.h"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace courtplay;

TEST_CASE("commands file: every command, comments, order by time", "[script]") {
    auto cmds = kiosk::parse_script(
        "# a comment\n\n1.5 seek 10.25\n0 pause   # trailing comment\n2 step\n2 back\n3 rate 0.25\n4 volume 1\n"
        "5 mute\n5 unmute\n6 jump -30\n7 loop 1 2.5\n8 loop off\n9 play\n10 quit\n");
    using K = kiosk::ScriptCommand::Kind;
    REQUIRE(cmds.size() == 13);
    CHECK(cmds[0].kind == K::Pause);
    CHECK(cmds[1].kind == K::Seek);
    CHECK(cmds[1].a == 10.25);
    CHECK(cmds[2].kind == K::Step);  // same time: file order kept
    CHECK(cmds[3].kind == K::Back);
    CHECK(cmds[4].a == 0.25);
    CHECK(cmds[8].kind == K::Jump);
    CHECK(cmds[8].a == -30);
    CHECK(cmds[9].kind == K::Loop);
    CHECK(cmds[9].b == 2.5);
    CHECK(cmds[10].kind == K::LoopOff);
    CHECK(cmds[12].kind == K::Quit);
}

TEST_CASE("commands file: each mistake is refused with its line and reason", "[script]") {
    auto refused = [](const std::string& text, const std::string& words) {
        try {
            kiosk::parse_script(text);
        } catch (const kiosk::ScriptError& e) {
            INFO(e.what());
            CHECK(std::string(e.what()).find(words) != std::string::npos);
            return true;
        }
        return false;
    };
    CHECK(refused("1 pause\nx play\n", "line 2"));
    CHECK(refused("-1 play\n", "not a time"));
    CHECK(refused("1\n", "no command"));
    CHECK(refused("1 dance\n", "unknown command 'dance'"));
    CHECK(refused("1 seek\n", "takes 1 argument"));
    CHECK(refused("1 pause now\n", "takes 0 argument"));
    CHECK(refused("1 seek abc\n", "not a number"));
    CHECK(refused("1 seek -2\n", "0 seconds or more"));
    CHECK(refused("1 rate 5\n", "between 0.25 and 4"));
    CHECK(refused("1 volume 1.5\n", "between 0 and 1"));
    CHECK(refused("1 loop 3 2\n", "A < B"));
    CHECK(refused("1 seek nan\n", "not a number"));
    CHECK(refused("1e999 play\n", "not a time"));
}

namespace {
player::VideoFrame frame_at(player::Micros t) {
    player::VideoFrame f;
    f.time = t;
    return f;  // no picture: zero bytes
}
}  // namespace

TEST_CASE("frame history: a cursor over one contiguous run", "[history]") {
    player::FrameHistory h(1 << 20);
    CHECK(h.current() == nullptr);
    for (int i = 0; i < 5; ++i) h.append(frame_at(i));  // preroll
    CHECK(h.current() == nullptr);
    h.append_current(frame_at(5));
    REQUIRE(h.current());
    CHECK(h.current()->time == 5);
    CHECK_FALSE(h.can_step_forward());
    CHECK(h.step_back().time == 4);
    CHECK(h.step_back().time == 3);
    CHECK(h.step_forward().time == 4);
    h.keep_before(1);
    CHECK(h.first().time == 3);
    CHECK(h.size() == 3);
    h.clear();
    CHECK(h.empty());
    CHECK_FALSE(h.can_step_back());
}

TEST_CASE("time formats for people", "[timecode]") {
    CHECK(kiosk::format_media_time(0) == "0:00:00.000");
    CHECK(kiosk::format_media_time(3723004000) == "1:02:03.004");
    CHECK(kiosk::format_media_time(-1500000) == "-0:00:01.500");
    CHECK(kiosk::format_rate(0.25) == "0.25x");
    auto t = kiosk::parse_utc("2026-03-01T09:30:00.000000Z");
    REQUIRE(t);
    CHECK(*t == 1772357400LL * 1000000);
    CHECK(kiosk::recording_time("2026-03-01T09:30:00.000000Z", 61500000).value() == "2026-03-01 09:31:01.500 UTC");
    CHECK_FALSE(kiosk::parse_utc("yesterday"));
    CHECK_FALSE(kiosk::parse_utc("2026-13-01T09:30:00Z"));
    CHECK_FALSE(kiosk::recording_time("", 0));
}

// `courtplay --demo`'s share service ends with the kiosk, however the kiosk ends: here the kiosk
// is a process that starts it and dies at once without any clean-up (_exit, as Xlib's handler
// ends a kiosk whose X server went away).
TEST_CASE("a tied child is stopped when the process that started it dies", "[process]") {
    const std::string dir = std::filesystem::temp_directory_path() / ("courtplay-tied-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    const pid_t kiosk = ::fork();
    REQUIRE(kiosk >= 0);
    if (kiosk == 0) {
        pid_t child = -1;
        try {
            child = kiosk::spawn_tied({"sleep", "60"}, dir + "/out", dir + "/err");
        } catch (...) {
        }
        (void)!::write(pipe_fds[1], &child, sizeof child);
        ::_exit(0);
    }
    pid_t child = -1;
    REQUIRE(::read(pipe_fds[0], &child, sizeof child) == sizeof child);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    int status = 0;
    ::waitpid(kiosk, &status, 0);
    REQUIRE(child > 0);
    // Gone, or a zombie waiting for whoever adopted it: either way no longer running.
    auto running = [&] {
        std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) return false;
        const size_t end = line.rfind(')');
        return end != std::string::npos && end + 2 < line.size() && line[end + 2] != 'Z';
    };
    bool stopped = false;
    for (int i = 0; i < 100 && !(stopped = !running()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!stopped) ::kill(child, SIGKILL);
    CHECK(stopped);

    // A program that is not there: exit 127, and the reason in its error file.
    const pid_t missing = kiosk::spawn_tied({"courtplay-no-such-program"}, dir + "/out", dir + "/err");
    REQUIRE(::waitpid(missing, &status, 0) == missing);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 127);
    std::ifstream err(dir + "/err");
    const std::string said((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
    CHECK(said.find("courtplay-no-such-program: not found") != std::string::npos);
    std::filesystem::remove_all(dir);
}
