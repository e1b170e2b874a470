// Containers, codecs and the odd files evidence arrives as: each plays every frame in order.
#include "support/player_harness.h"
#include "support/testing.h"

#include <catch2/catch.hpp>

using namespace courtplay;
using namespace courtplay::testing;

namespace {


struct Pair {
    const char* name;
    const char* container;
    const char* video;
    const char* audio;
};

constexpr Pair kPairs[] = {
    {"mp4-h264-aac.mp4", "mp4", "libx264", "aac"},
    {"mov-h264-pcm.mov", "mov", "libx264", "pcm_s16le"},
    {"mkv-hevc-opus.mkv", "matroska", "libx265", "libopus"},
    {"mkv-vp9-opus.mkv", "matroska", "libvpx-vp9", "libopus"},
    {"ts-h264-mp2.ts", "mpegts", "libx264", "mp2"},
    {"ts-hevc-aac.ts", "mpegts", "libx265", "aac"},
    {"avi-mpeg4-mp3.avi", "avi", "mpeg4", "libmp3lame"},
    {"avi-mjpeg-pcm.avi", "avi", "mjpeg", "pcm_s16le"},
    {"mp4-mpeg4-mp3.mp4", "mp4", "mpeg4", "libmp3lame"},
};

assets::SampleSpec spec_of(const Pair& p) {
    assets::SampleSpec s;
    s.path = p.name;
    s.container = p.container;
    s.video_codec = p.video;
    s.audio_codec = p.audio;
    s.seconds = 2;
    return s;
}

// Plays to the end and checks every frame came out once, in order, and sound was heard.
void plays_every_frame(const std::string& path, int frames, bool with_sound) {
    Harness h(path);
    REQUIRE(h.run_to_end());
    auto shown = h.shown();
    REQUIRE_FALSE(shown.empty());
    CHECK(shown.front().code == 0);
    CHECK(shown.back().code == frames - 1);
    for (size_t i = 1; i < shown.size(); ++i) CHECK(shown[i].code > shown[i - 1].code);
    const auto& stats = h.player().stats();
    CHECK(stats.frames_presented + stats.frames_dropped == frames);
    if (with_sound) {
        int onsets = 0;
        for (const Heard& x : h.heard()) onsets += x.onset >= 0;
        CHECK(onsets >= 2);  // clicks at 0 and 1 s
    }
}

}  // namespace

TEST_CASE("every container and codec pair plays every frame in order with sound", "[player][formats]") {
    for (const Pair& p : kPairs) {
        DYNAMIC_SECTION(p.name) {
            std::string path = fixture(spec_of(p));
            plays_every_frame(path, 50, true);
        }
    }
}

TEST_CASE("exact seek works in every container, MPEG-TS included", "[player][formats][seek]") {
    for (const Pair& p : kPairs) {
        DYNAMIC_SECTION(p.name) {
            Harness h(fixture(spec_of(p)));
            h.player().pause();
            for (double t : {1.52, 0.36, 1.96, 1.0}) {
                h.player().seek(sec(t));
                REQUIRE(h.settle());
                INFO("seek " << t);
                CHECK(h.last_code() == static_cast<int>(t * 25 + 1e-9));
            }
            h.player().back();
            REQUIRE(h.settle());
            CHECK(h.last_code() == 24);
        }
    }
}

TEST_CASE("odd picture sizes play", "[player][formats]") {
    assets::SampleSpec s;
    s.path = "odd-321x241.mp4";
    s.width = 321;
    s.height = 241;
    s.seconds = 1.2;
    plays_every_frame(fixture(s), 30, true);
}

TEST_CASE("a clip without sound plays on the system clock", "[player][formats]") {
    assets::SampleSpec s;
    s.path = "video-only.mp4";
    s.audio_codec = "";
    s.seconds = 1.2;
    Harness h(fixture(s));
    REQUIRE(h.run_to_end());
    CHECK(h.shown().size() + static_cast<size_t>(h.player().stats().frames_dropped) == 30);
    CHECK(h.last_code() == 29);
    CHECK(h.player().stats().av_offset_ms.empty());
}

TEST_CASE("a clip without pictures plays its sound to the end", "[player][formats]") {
    assets::SampleSpec s;
    s.path = "audio-only.mka";
    s.container = "matroska";
    s.video_codec = "";
    s.seconds = 1.6;
    s.click_every = 0.5;
    Harness h(fixture(s));
    REQUIRE(h.run_to_end());
    CHECK(h.shown().empty());
    int onsets = 0;
    for (const Heard& x : h.heard()) onsets += x.onset >= 0;
    CHECK(onsets == 4);  // 0, 0.5, 1.0, 1.5 s
    CHECK(h.player().state(player::monotonic_now()).position >= sec(1.5));
}

TEST_CASE("variable frame rate: each frame is shown at its own time", "[player][formats]") {
    assets::SampleSpec s;
    s.path = "vfr.mkv";
    s.container = "matroska";
    s.vfr = true;
    s.seconds = 2;
    auto ticks = assets::sample_frame_ticks(s);
    Harness h(fixture(s));
    REQUIRE(h.run_to_end());
    auto shown = h.shown();
    REQUIRE(shown.size() >= ticks.size() - 2);
    for (const Shown& f : shown) {
        REQUIRE(f.code >= 0);
        REQUIRE(static_cast<size_t>(f.code) < ticks.size());
        CHECK(f.media == sec(static_cast<double>(ticks[static_cast<size_t>(f.code)]) / 25.0));
    }
    // Exact seek into a long frame shows that frame.
    h.player().pause();
    for (size_t k : {5u, 17u, 30u}) {
        if (k + 1 >= ticks.size() || ticks[k + 1] - ticks[k] < 2) continue;
        h.player().seek(sec((static_cast<double>(ticks[k]) + 1.0) / 25.0));
        REQUIRE(h.settle());
        CHECK(h.last_code() == static_cast<int>(k));
    }
}

TEST_CASE("rotation and recording time are read from the file", "[player][formats]") {
    for (int rotation : {90, 180, 270}) {
        DYNAMIC_SECTION("rotation " << rotation) {
            assets::SampleSpec s;
            s.path = "rotated" + std::to_string(rotation) + ".mp4";
            s.rotation = rotation;
            s.seconds = 0.4;
            s.creation_time = "2026-03-01T09:30:00.000000Z";
            Harness h(fixture(s));
            // The file's display matrix turns counter-clockwise; the player turns the picture
            // clockwise by the opposite amount to show it upright (as ffmpeg's autorotate does).
            CHECK(h.player().clip().rotation == (360 - rotation) % 360);
            CHECK(h.player().clip().creation_time.rfind("2026-03-01T09:30:00", 0) == 0);
        }
    }
}
