// A-B loop and the permitted segment: playback and seeking stay inside them.
#include "support/player_harness.h"
#include "support/testing.h"

#include <catch2/catch.hpp>

using namespace courtplay;
using namespace courtplay::testing;

namespace {

std::string clip() {
    assets::SampleSpec spec;
    spec.path = "limits.mp4";
    return fixture(spec);
}


}  // namespace

TEST_CASE("an A-B loop plays A to B again and again", "[player][loop]") {
    Harness h(clip());
    h.player().set_loop(sec(1.0), sec(1.6));
    h.player().seek(sec(1.0));
    REQUIRE(h.settle());
    const size_t mark = h.shown().size() - 1;
    h.run_for(2000000);
    auto shown = h.shown();
    int wraps = 0;
    for (size_t i = mark; i < shown.size(); ++i) {
        INFO("frame " << shown[i].code);
        CHECK(shown[i].code >= 25);
        CHECK(shown[i].code <= 40);
        if (i > mark && shown[i].code < shown[i - 1].code) {
            ++wraps;
            CHECK(shown[i].code == 25);
        }
    }
    CHECK(wraps >= 2);
    h.player().clear_loop();
    REQUIRE(h.run_to_end());
    CHECK(h.last_code() == 99);
}

TEST_CASE("a permitted segment: the first frame shown is its start, seeks and play stay inside", "[player][segment]") {
    player::PlayerOptions options;
    options.segment_in = sec(1.0);
    options.segment_out = sec(2.0);
    Harness h(clip(), options);
    REQUIRE(h.run_until([&] { return !h.shown().empty(); }));
    CHECK(h.shown().front().code == 25);
    h.player().pause();
    h.player().seek(0);
    REQUIRE(h.settle());
    CHECK(h.last_code() == 25);
    h.player().back();
    REQUIRE(h.settle());
    CHECK(h.last_code() == 25);  // cannot step out of the segment either
    h.player().seek(sec(3.5));
    REQUIRE(h.settle());
    CHECK(h.last_code() == 50);
    h.player().step();
    REQUIRE(h.settle());
    CHECK(h.last_code() == 50);
    h.player().seek(sec(1.5));
    h.player().play();
    REQUIRE(h.run_to_end());
    for (const Shown& s : h.shown()) {
        CHECK(s.code >= 25);
        CHECK(s.code <= 50);
    }
    CHECK(h.last_code() == 50);
    for (const Heard& x : h.heard()) CHECK(x.media <= sec(2.0));
}
