// The player's controls, proven on the frames it presents: each fixture frame carries its own
// number, so "the right frame" is read from the picture, not assumed.
#include "support/player_harness.h"
#include "support/testing.h"

#include <catch2/catch.hpp>

#include <random>

using namespace courtplay;
using namespace courtplay::testing;

namespace {

constexpr int kFps = 25;

// 4 s, 25 fps, keyframe every 25 frames, H.264 with B-frames, AAC with a click every second.
std::string clip() {
    assets::SampleSpec spec;
    spec.path = "controls.mp4";
    return fixture(spec);
}


// The frame an exact seek must show: the last one at or before the target.
int expected_code(double target, int frames = 100) {
    return std::clamp(static_cast<int>(std::floor(target * kFps + 1e-9)), 0, frames - 1);
}

std::vector<int> codes(const std::vector<Shown>& shown, size_t from = 0) {
    std::vector<int> out;
    for (size_t i = from; i < shown.size(); ++i) out.push_back(shown[i].code);
    return out;
}

}  // namespace

TEST_CASE("playing to the end shows every frame in order, from frame 0", "[player]") {
    Harness h(clip());
    REQUIRE(h.run_to_end());
    auto shown = h.shown();
    REQUIRE_FALSE(shown.empty());
    CHECK(shown.front().code == 0);
    CHECK(shown.front().media == 0);
    CHECK(shown.back().code == 99);
    for (size_t i = 1; i < shown.size(); ++i) REQUIRE(shown[i].code > shown[i - 1].code);
    const auto& stats = h.player().stats();
    CHECK(stats.frames_presented + stats.frames_dropped == 100);
    CHECK(static_cast<int64_t>(shown.size()) == stats.frames_presented);
}

TEST_CASE("exact seek shows the last frame at or before the target, never the keyframe", "[player][seek]") {
    Harness h(clip());
    h.player().pause();
    REQUIRE(h.settle());
    // Keyframes are at 0, 1, 2, 3 s: every target below lands between them or exactly on a frame.
    for (double target : {1.5, 0.04, 0.0399, 1.0, 0.999, 2.52, 3.96, 3.0001, 0.0, 2.0, 1.2345, 3.999}) {
        INFO("seek to " << target);
        h.player().seek(sec(target));
        REQUIRE(h.settle());
        CHECK(h.last_code() == expected_code(target));
        CHECK(h.shown().back().media == sec(expected_code(target) / 25.0));
    }
    SECTION("a target past the end shows the last frame") {
        h.player().seek(sec(60));
        REQUIRE(h.settle());
        CHECK(h.last_code() == 99);
    }
    CHECK(h.player().stats().seek_ms.size() >= 12);
}

TEST_CASE("frame steps go forward and back one frame, across keyframes, and stay paused", "[player][step]") {
    Harness h(clip());
    h.player().pause();
    h.player().seek(sec(1.2));  // frame 30; the keyframe before is 25
    REQUIRE(h.settle());
    REQUIRE(h.last_code() == 30);
    const size_t mark = h.shown().size();
    for (int i = 0; i < 10; ++i) h.player().back();  // 29 .. 20: crosses the keyframe at 25
    REQUIRE(h.settle());
    for (int i = 0; i < 12; ++i) h.player().step();  // 21 .. 32
    REQUIRE(h.settle());
    std::vector<int> expected;
    for (int c = 29; c >= 20; --c) expected.push_back(c);
    for (int c = 21; c <= 32; ++c) expected.push_back(c);
    CHECK(codes(h.shown(), mark) == expected);
    CHECK(h.player().state(0).paused);
    for (size_t i = mark; i < h.shown().size(); ++i) CHECK(h.shown()[i].paused);
    CHECK(h.player().stats().step_ms.size() == 22);
}

TEST_CASE("back at the first frame stays there, and step at the last frame stays there", "[player][step]") {
    Harness h(clip());
    h.player().pause();
    REQUIRE(h.settle());
    h.player().back();
    REQUIRE(h.settle());
    CHECK(h.last_code() == 0);
    h.player().seek(sec(3.96));
    REQUIRE(h.settle());
    h.player().step();
    h.player().step();
    REQUIRE(h.settle());
    CHECK(h.last_code() == 99);
    CHECK_FALSE(h.player().ended());  // paused at the end is not the end of playback
}

TEST_CASE("a paused seek storm shows exactly each target, nothing stale", "[player][seek][storm]") {
    Harness h(clip());
    h.player().pause();
    REQUIRE(h.settle());
    std::mt19937 rng(20261128);
    std::uniform_real_distribution<double> pick(0.0, 4.2);
    std::vector<int> expected;
    const size_t mark = h.shown().size();
    for (int i = 0; i < 300; ++i) {
        double t = pick(rng);
        h.player().seek(sec(t));
        expected.push_back(expected_code(t));
    }
    REQUIRE(h.settle(60000000));
    CHECK(codes(h.shown(), mark) == expected);
}

TEST_CASE("a playing seek storm: after each seek, its target first, then consecutive frames", "[player][seek][storm]") {
    Harness h(clip());
    REQUIRE(h.run_until([&] { return !h.shown().empty(); }));
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> pick(0.0, 3.5);
    std::vector<std::pair<int, int>> targets;  // serial expected -> code
    for (int i = 0; i < 100; ++i) {
        double t = pick(rng);
        h.player().seek(sec(t));
        // Let a few frames play between some seeks, none between others.
        if (i % 3 == 0) h.run_for(60000);
        REQUIRE(h.settle());
        targets.emplace_back(h.shown().back().serial, expected_code(t));
    }
    h.run_for(200000);
    auto shown = h.shown();
    for (const auto& target : targets) {
        const int serial = target.first, code = target.second;
        auto first = std::find_if(shown.begin(), shown.end(), [&](const Shown& s) { return s.serial == serial; });
        REQUIRE(first != shown.end());
        INFO("serial " << serial);
        CHECK(first->code == code);
        for (auto it = first + 1; it != shown.end() && it->serial == serial; ++it) CHECK(it->code > (it - 1)->code);
    }
    // Serials never go back: nothing of an older seek appears after a newer one.
    for (size_t i = 1; i < shown.size(); ++i) REQUIRE(shown[i].serial >= shown[i - 1].serial);
}

TEST_CASE("jumps move by whole seconds from the frame on screen", "[player][seek]") {
    Harness h(clip());
    h.player().pause();
    h.player().seek(sec(1.0));
    h.player().jump(sec(2.0));
    REQUIRE(h.settle());
    CHECK(h.last_code() == 75);
    h.player().jump(-sec(5.0));  // before the start: the first frame
    REQUIRE(h.settle());
    CHECK(h.last_code() == 0);
}

TEST_CASE("play after steps continues from the frame on screen with sound re-aligned", "[player][step]") {
    Harness h(clip());
    h.player().pause();
    h.player().seek(sec(2.0));
    for (int i = 0; i < 5; ++i) h.player().step();
    REQUIRE(h.settle());
    REQUIRE(h.last_code() == 55);
    const size_t mark = h.shown().size();
    const size_t heard_mark = h.heard().size();
    h.player().play();
    h.run_for(600000);
    auto after = codes(h.shown(), mark);
    REQUIRE(after.size() >= 3);
    CHECK(after.front() == 56);  // the frame on screen is not shown twice; playback goes on from it
    auto heard = h.heard();
    // Sound after play starts at the frame on screen (2.2 s), not where playback paused (2.0 s).
    REQUIRE(heard.size() > heard_mark);
    CHECK(heard[heard_mark].media >= sec(2.2));
    CHECK(heard[heard_mark].media - sec(2.2) < 30000);
}
