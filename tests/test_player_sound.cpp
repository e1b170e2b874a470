// Sound: sync with the picture as heard, speed without pitch change, volume, mute.
#include "support/player_harness.h"
#include "support/testing.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <thread>

using namespace courtplay;
using namespace courtplay::testing;

namespace {

std::string clip() {
    assets::SampleSpec spec;
    spec.path = "sound.mp4";
    spec.seconds = 5;
    spec.click_every = 0.5;
    return fixture(spec);
}

// Each click as heard: (when heard, media time of the click).
std::vector<std::pair<Micros, Micros>> clicks(const std::vector<Heard>& heard, double rate_expected = 0) {
    std::vector<std::pair<Micros, Micros>> out;
    for (const Heard& h : heard) {
        if (h.onset < 0) continue;
        if (rate_expected > 0 && h.rate != rate_expected) continue;
        const double per_sample = 1e6 / 48000;
        out.emplace_back(h.heard_at + static_cast<Micros>(h.onset * per_sample),
                         h.media + static_cast<Micros>(h.onset * per_sample * h.rate));
    }
    return out;
}

}  // namespace

TEST_CASE("each click is heard when the frame with the same time is on screen", "[player][sync]") {
    Harness h(clip());
    REQUIRE(h.run_to_end());
    auto shown = h.shown();
    auto heard = clicks(h.heard());
    REQUIRE(heard.size() >= 9);  // clicks at 0, 0.5, ... 4.5 s
    int matched = 0;
    for (const auto& click : heard) {
        const Micros heard_at = click.first, media = click.second;
        // The frame of the click: clicks fall on frame boundaries (every 12.5 frames -> on 0.5 s).
        auto frame = std::find_if(shown.begin(), shown.end(), [&](const Shown& s) {
            return s.media <= media && media < s.media + 40000;
        });
        if (frame == shown.end()) continue;
        ++matched;
        INFO("click at media " << media << " heard " << (heard_at - frame->at) / 1000.0 << " ms after its frame");
        // A behaviour check, not a timing target: broken sync is off by a frame period or more.
        CHECK(std::llabs(heard_at - frame->at) < 60000);
    }
    CHECK(matched >= 8);
    const auto& stats = h.player().stats();
    REQUIRE_FALSE(stats.av_offset_ms.empty());
}

namespace {
// A screen that takes `took` to put each frame up, as a 1080p window on a machine without a GPU
// takes a few milliseconds.
struct SlowScreen final : player::VideoSink {
    std::chrono::microseconds took;
    explicit SlowScreen(std::chrono::microseconds t) : took(t) {}
    void present(const player::VideoFrame&, const player::FramePosition&) override { std::this_thread::sleep_for(took); }
};
double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
}
}  // namespace

// The offset is taken once the sinks have drawn. Handed over when due, every frame would be seen
// at least the draw's 15 ms late (sound early: IS-191 allows 15 ms); handed over ahead by the
// measured draw time and the player's aim (player/present_lead.h), it is seen a little before its
// sound, on IS-191's wide side.
TEST_CASE("a screen that is slow to draw gets each frame ahead of its time, so it is seen at it", "[player][sync]") {
    Harness h(clip());
    SlowScreen screen(std::chrono::milliseconds(15));
    h.player().add_sink(&screen);
    REQUIRE(h.run_to_end());
    const auto& stats = h.player().stats();
    REQUIRE(stats.av_offset_ms.size() >= 100);
    const double p50 = median(stats.av_offset_ms);
    INFO("median audio clock minus frame time, after the 15 ms draw: " << p50 << " ms");
    const double aim = -player::PresentLead::kAimEarly / 1000.0;
    CHECK(p50 < aim + 7.5);
    CHECK(p50 > aim - 7.5);
    CHECK(stats.frames_dropped <= 2);
}

// The kiosk's console draws its window after tick() returns, outside the sinks, and says when the
// picture reached the screen (Player::on_screen_at). Without that the lead would cover only the
// sinks' instant present, and every frame would be seen the window's 15 ms late, its sound 5 ms
// before it; with it, the picture is up the player's aim before its sound. Measured by the clicks
// as heard, against when this test's "window" had drawn their frames.
TEST_CASE("a window that draws after the tick says when each picture was on screen, and gets it ahead by that",
          "[player][sync]") {
    assets::SampleSpec spec;
    spec.path = "sound-clicks-100ms.mp4";
    spec.seconds = 5;
    spec.click_every = 0.1;
    Harness h(fixture(spec));
    std::vector<Shown> on_screen;  // each frame, `at` when the window had drawn it
    size_t presented = 0;
    REQUIRE(h.run_until([&] {
        const std::vector<Shown> shown = h.shown();
        if (shown.size() != presented) {
            presented = shown.size();
            std::this_thread::sleep_for(std::chrono::milliseconds(15));  // the window's draw
            const Micros at = player::monotonic_now();
            h.player().on_screen_at(at);
            on_screen.push_back(shown.back());
            on_screen.back().at = at;
        }
        return h.player().ended();
    }, 30000000));
    std::vector<double> sound_after_picture_ms;
    for (const auto& click : clicks(h.heard())) {
        const Micros heard_at = click.first, media = click.second;  // not a binding: clang 14 cannot capture one
        auto frame = std::find_if(on_screen.begin(), on_screen.end(),
                                  [&](const Shown& s) { return s.media <= media && media < s.media + 40000; });
        // When the frame's own first instant was heard: the click is up to a frame into it.
        if (frame != on_screen.end())
            sound_after_picture_ms.push_back(static_cast<double>(heard_at - (media - frame->media) - frame->at) / 1000.0);
    }
    REQUIRE(sound_after_picture_ms.size() >= 30);  // clicks every 0.1 s over 5 s
    const double p50 = median(sound_after_picture_ms);
    INFO("median time from a picture on screen to its sound: " << p50 << " ms");
    const double aim = player::PresentLead::kAimEarly / 1000.0;
    CHECK(p50 > aim - 7.5);
    CHECK(p50 < aim + 7.5);
    // The stats say the same: their offset is taken when the window had drawn.
    const auto& stats = h.player().stats();
    REQUIRE(stats.av_offset_ms.size() >= 100);
    CHECK(median(stats.av_offset_ms) == Approx(-aim).margin(7.5));
    CHECK(stats.frames_dropped <= 2);
}

TEST_CASE("at double speed the sound runs twice as fast through media time", "[player][rate]") {
    Harness h(clip());
    h.player().set_rate(2.0);
    REQUIRE(h.run_to_end());
    auto heard = clicks(h.heard(), 2.0);
    REQUIRE(heard.size() >= 5);
    // Heard times come from the count of samples played, so this ratio is exact, not a timing guess.
    const double media = static_cast<double>(heard.back().second - heard.front().second);
    const double wall = static_cast<double>(heard.back().first - heard.front().first);
    CHECK(media / wall == Approx(2.0).epsilon(0.03));
    // The pictures keep up: the clip ends in about half its length.
    CHECK(h.player().stats().frames_presented + h.player().stats().frames_dropped >= 120);
}

TEST_CASE("quarter speed and 4x are accepted and clamped outside that range", "[player][rate]") {
    Harness h(clip());
    h.player().set_rate(0.1);
    REQUIRE(h.settle());
    CHECK(h.player().state(0).rate == 0.25);
    h.run_for(1200000);
    auto slow = clicks(h.heard(), 0.25);
    REQUIRE(slow.size() >= 1);
    h.player().set_rate(9);
    REQUIRE(h.settle());
    CHECK(h.player().state(0).rate == 4.0);
    REQUIRE(h.run_to_end());
    auto fast = clicks(h.heard(), 4.0);
    REQUIRE(fast.size() >= 2);
    const double media = static_cast<double>(fast.back().second - fast.front().second);
    const double wall = static_cast<double>(fast.back().first - fast.front().first);
    CHECK(media / wall == Approx(4.0).epsilon(0.05));
}

TEST_CASE("volume scales the sound and mute silences it", "[player][volume]") {
    Harness h(clip());
    h.player().set_volume(0.5f);
    h.run_for(1100000);
    float loudest = 0;
    for (const Heard& x : h.heard()) loudest = std::max(loudest, x.peak);
    CHECK(loudest == Approx(0.4).margin(0.05));  // clicks are 0.8 full scale

    h.player().set_muted(true);
    REQUIRE(h.settle());
    const size_t mark = h.heard().size();
    h.run_for(1100000);
    auto heard = h.heard();
    REQUIRE(heard.size() > mark + 10);
    for (size_t i = mark + 2; i < heard.size(); ++i) CHECK(heard[i].peak == 0.0f);
}
