// Pure logic, linked without a pipeline: the commands file, the GOP history, time formats.
#include "kiosk/command_script.h"
#include "kiosk/timecode.h"
#include "player/frame_history.h"

#include <catch2/catch.hpp>

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
