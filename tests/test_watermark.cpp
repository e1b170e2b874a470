// The watermark stage on synthetic pictures: what is burned, where, into which copy, how it moves
// and sizes, and that its glyphs are drawn once. The same code runs behind `play` and `session`.
#include "config/watermark_template.h"
#include "watermark/mark_stage.h"
#include "watermark/watermark.h"

#include <catch2/catch.hpp>

extern "C" {
#include <libavutil/pixdesc.h>
}

#include <algorithm>
#include <cstring>
#include <set>

using namespace courtplay;
using watermark::Box;

namespace {

constexpr int64_t kNoon = 1'790'000'000'000'000;  // 2026-09-21, a wall-clock time in microseconds

std::shared_ptr<const AVFrame> picture(int w, int h, uint8_t luma, AVPixelFormat format = AV_PIX_FMT_YUV420P) {
    AVFrame* f = av_frame_alloc();
    f->format = format;
    f->width = w;
    f->height = h;
    REQUIRE(av_frame_get_buffer(f, 0) == 0);
    const AVPixFmtDescriptor* d = av_pix_fmt_desc_get(format);
    const bool wide = d->comp[0].depth > 8;  // 10-bit: two bytes a sample
    for (int p = 0; p < av_pix_fmt_count_planes(format); ++p) {
        const bool chroma = p > 0;
        const int rows = chroma ? AV_CEIL_RSHIFT(h, d->log2_chroma_h) : h;
        const size_t bytes = static_cast<size_t>(f->linesize[p]) * rows;
        if (wide) {
            auto* s = reinterpret_cast<uint16_t*>(f->data[p]);
            std::fill(s, s + bytes / 2, uint16_t(chroma ? 512 : luma * 4));
        } else {
            std::memset(f->data[p], chroma ? 128 : luma, bytes);
        }
    }
    return std::shared_ptr<const AVFrame>(f, [](const AVFrame* x) {
        auto* y = const_cast<AVFrame*>(x);
        av_frame_free(&y);
    });
}

// What an output is given: the marked pictures, and which of them were repaints.
struct Capture : player::VideoSink {
    std::vector<std::shared_ptr<const AVFrame>> presented, repainted;
    void present(const player::VideoFrame& f, const player::FramePosition&) override { presented.push_back(f.picture); }
    void repaint(const player::VideoFrame& f, const player::FramePosition&, player::PictureRows rows) override {
        repainted.push_back(f.picture);
        changed.push_back(rows);
    }
    std::vector<player::PictureRows> changed;
};

struct Rig {
    int64_t now = kNoon;
    watermark::Watermark mark;
    watermark::MarkStage stage{[this] { return now; }};
    Capture out;
    explicit Rig(std::string text = "CPS \u00b7 01YZ1234526 \u00b7 share sh_k3v9q2mw7t", int move_every_s = 20)
        : mark({.text = std::move(text), .move_every_s = move_every_s}) {
        stage.add_mark(&mark);
        stage.add_output(&out);
    }
    const AVFrame& show(std::shared_ptr<const AVFrame> p) {
        player::VideoFrame f;
        f.picture = std::move(p);
        stage.present(f, {});
        return *out.presented.back();
    }
};

// Luma samples that differ between two pictures of one size, and their bounding box.
struct Difference {
    int64_t count = 0;
    Box box;
};
Difference luma_difference(const AVFrame& a, const AVFrame& b) {
    Difference d;
    int x0 = a.width, y0 = a.height, x1 = -1, y1 = -1;
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x)
            if (a.data[0][y * a.linesize[0] + x] != b.data[0][y * b.linesize[0] + x]) {
                ++d.count;
                x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
            }
    if (d.count) d.box = {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    return d;
}

bool inside(const Box& inner, const Box& outer) {
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width &&
           inner.y + inner.height <= outer.y + outer.height;
}

}  // namespace

TEST_CASE("The watermark is burned into a copy: the decoded picture stays as decoded") {
    Rig rig;
    const auto decoded = picture(1920, 1080, 128);
    const std::vector<uint8_t> before(decoded->data[0], decoded->data[0] + decoded->linesize[0] * 1080);
    const AVFrame& marked = rig.show(decoded);
    CHECK(std::equal(before.begin(), before.end(), decoded->data[0]));
    REQUIRE(marked.width == 1920);
    REQUIRE(marked.height == 1080);
    REQUIRE(marked.data[0] != decoded->data[0]);
    const Difference d = luma_difference(marked, *decoded);
    const Box box = rig.mark.last_box();
    INFO("box " << box.x << "," << box.y << " " << box.width << "x" << box.height);
    CHECK(d.count > 10000);
    CHECK(inside(d.box, box));  // nothing outside the watermark's box changed
    CHECK(box.width * box.height < 1920 * 1080 / 8);
}

TEST_CASE("The watermark reads on dark, bright and mid-grey footage") {
    for (uint8_t background : {uint8_t(16), uint8_t(128), uint8_t(235)}) {
        DYNAMIC_SECTION("background luma " << int(background)) {
            Rig rig;
            const AVFrame& marked = rig.show(picture(1280, 720, background));
            const Box b = rig.mark.last_box();
            int lo = 255, hi = 0;
            for (int y = b.y; y < b.y + b.height; ++y)
                for (int x = b.x; x < b.x + b.width; ++x) {
                    lo = std::min<int>(lo, marked.data[0][y * marked.linesize[0] + x]);
                    hi = std::max<int>(hi, marked.data[0][y * marked.linesize[0] + x]);
                }
            // Light letters against their dark outline: the contrast does not depend on the footage.
            CHECK(hi - lo >= 120);
            CHECK(hi >= 200);
        }
    }
}

TEST_CASE("The watermark moves between five places as the wall clock runs") {
    Rig rig("CPS \u00b7 share sh_k3v9q2mw7t", 20);
    const auto decoded = picture(1280, 720, 90);
    std::vector<Box> places;
    for (int i = 0; i < 6; ++i) {
        rig.now = kNoon + int64_t(i) * 20'000'000;
        rig.show(decoded);
        places.push_back(rig.mark.last_box());
    }
    std::set<std::pair<int, int>> corners;
    for (int i = 0; i < 5; ++i) corners.insert({places[i].x, places[i].y});
    CHECK(corners.size() == 5);
    CHECK(places[5] == places[0]);  // and round again
    // Within one interval it stays put.
    rig.now = kNoon + 5'000'000;
    rig.show(decoded);
    CHECK(rig.mark.last_box() == places[0]);
    // Every place keeps the whole text inside the picture.
    for (const Box& b : places) CHECK(inside(b, Box{0, 0, 1280, 720}));
}

TEST_CASE("The watermark is sized to the picture and always fits in it") {
    Rig big, small;
    big.show(picture(1920, 1080, 60));
    small.show(picture(640, 360, 60));
    const double big_ratio = double(big.mark.last_box().height) / 1080, small_ratio = double(small.mark.last_box().height) / 360;
    CHECK(big_ratio == Approx(small_ratio).epsilon(0.25));
    Rig narrow(std::string(90, 'W') + " share sh_k3v9q2mw7t");
    narrow.show(picture(320, 240, 60));
    CHECK(narrow.mark.last_box().width <= 320);
    CHECK(narrow.mark.last_box().width > 0);
}

TEST_CASE("The time in the watermark moves on every second, also while paused") {
    Rig rig;
    const auto decoded = picture(1280, 720, 128);
    rig.show(decoded);
    const std::string first = rig.mark.text_at(rig.now);
    CHECK_THAT(first, Catch::Contains("sh_k3v9q2mw7t"));
    CHECK_THAT(first, Catch::Contains(watermark::utc_text(kNoon)));
    rig.now += 400'000;
    CHECK_FALSE(rig.stage.refresh());  // the same second: nothing to redraw
    rig.now += 700'000;
    REQUIRE(rig.stage.refresh());
    REQUIRE(rig.out.repainted.size() == 1);
    CHECK(rig.out.presented.size() == 1);  // a repaint is not a new presentation
    const Difference d = luma_difference(*rig.out.repainted[0], *rig.out.presented[0]);
    CHECK(d.count > 0);
    CHECK(inside(d.box, rig.mark.last_box()));
    CHECK(rig.mark.text_at(rig.now) != first);
}

// The rows, luma and chroma, in which two pictures of one size differ: first and one past the last.
player::PictureRows differing_rows(const AVFrame& a, const AVFrame& b) {
    int first = a.height, end = 0;
    for (int p = 0; p < 3; ++p) {
        const int shift = p == 0 ? 0 : 1, w = a.width >> shift, h = (a.height + shift) >> shift;
        for (int y = 0; y < h; ++y)
            if (std::memcmp(a.data[p] + y * a.linesize[p], b.data[p] + y * b.linesize[p], w) != 0) {
                first = std::min(first, y << shift);
                end = std::max(end, std::min(a.height, (y + 1) << shift));
            }
    }
    return end > first ? player::PictureRows{first, end - first} : player::PictureRows{};
}

TEST_CASE("A repaint names the rows it changed: where the mark was and where it is now") {
    Rig rig("CPS \u00b7 share sh_k3v9q2mw7t", 20);
    const auto decoded = picture(1280, 720, 90);
    rig.now = kNoon + 38'500'000;  // at kNoon + 40 s the mark moves from the top right to the centre
    rig.show(decoded);
    for (int i = 0; i < 3; ++i) {
        rig.now += 1'000'000;
        REQUIRE(rig.stage.refresh());
        REQUIRE(rig.out.repainted.size() == size_t(i + 1));
        const AVFrame& before = i == 0 ? *rig.out.presented.back() : *rig.out.repainted[i - 1];
        const player::PictureRows differ = differing_rows(before, *rig.out.repainted[i]);
        const player::PictureRows said = rig.out.changed[i];
        INFO("second " << (rig.now - kNoon) / 1'000'000 << ": differ " << differ.first << "+" << differ.count
                       << ", said " << said.first << "+" << said.count);
        REQUIRE(differ.count > 0);
        CHECK(said.first <= differ.first);
        CHECK(said.first + said.count >= differ.first + differ.count);
        // Not the whole picture: in one place, just the mark's rows; moving, the span of both places.
        CHECK(said.count <= (i == 1 ? 720 - 2 * 21 : rig.mark.last_box().height));
    }
}

TEST_CASE("Glyphs are rasterised once, not per frame") {
    Rig rig;
    const auto decoded = picture(1280, 720, 128);
    rig.show(decoded);
    const int64_t after_first = rig.mark.glyphs().rasterised();
    std::set<char32_t> seen;
    for (int i = 0; i < 300; ++i) {
        rig.now += 333'333;  // 100 seconds at 3 frames a second
        rig.show(decoded);
        for (char32_t c : watermark::decode_utf8(rig.mark.text_at(rig.now))) seen.insert(c);
    }
    CHECK(after_first > 20);
    CHECK(rig.mark.glyphs().rasterised() <= static_cast<int64_t>(seen.size()));
}

TEST_CASE("Pictures that are not 8-bit 4:2:0 are marked at their own size") {
    for (AVPixelFormat f : {AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUV444P, AV_PIX_FMT_NV12, AV_PIX_FMT_GRAY8,
                            AV_PIX_FMT_YUV420P10LE}) {
        DYNAMIC_SECTION(av_get_pix_fmt_name(f)) {
            Rig rig;
            const AVFrame& marked = rig.show(picture(640, 360, 100, f));
            CHECK(marked.width == 640);
            CHECK(marked.height == 360);
            CHECK((marked.format == AV_PIX_FMT_YUV420P || marked.format == AV_PIX_FMT_YUVJ420P));
            const Box b = rig.mark.last_box();
            CHECK(b.width > 100);
            int hi = 0;
            for (int y = b.y; y < b.y + b.height; ++y)
                for (int x = b.x; x < b.x + b.width; ++x) hi = std::max<int>(hi, marked.data[0][y * marked.linesize[0] + x]);
            CHECK(hi >= 200);
        }
    }
}

TEST_CASE("A missing font stops the watermark, and so playback, with words for court IT") {
    try {
        watermark::Watermark w({.text = "x", .font_file = "/nonexistent/font.ttf"});
        FAIL("no error");
    } catch (const watermark::FontError& e) {
        CHECK_THAT(e.what(), Catch::Contains("fonts-dejavu-core"));
    }
}

TEST_CASE("Watermark text: UTF-8, control characters and length") {
    using watermark::decode_utf8;
    CHECK(decode_utf8("Caerdydd \xc5\xb5") == U"Caerdydd \u0175");
    CHECK(decode_utf8("a\xff" "b") == U"a\uFFFDb");
    CHECK(decode_utf8("\xc0\xaf") == U"\uFFFD\uFFFD");  // an overlong '/'
    CHECK(decode_utf8("\xe2\x82") == U"\uFFFD\uFFFD");  // cut short
    // Control characters are not drawn: the same picture as without them.
    Rig plain("ab[31m"), controls("a\tb\x1b[31m\r");
    CHECK(luma_difference(plain.show(picture(640, 360, 128)), controls.show(picture(640, 360, 128))).count == 0);
    // The time is always there, even with no text at all.
    CHECK(plain.mark.text_at(kNoon) == "ab[31m\n" + watermark::utc_text(kNoon));
    Rig empty("");
    empty.show(picture(640, 360, 128));
    CHECK(empty.mark.last_box().width > 100);
}

TEST_CASE("The config's watermark template: placeholders, required names, the grant's label") {
    using config::fill_watermark_template;
    using config::watermark_template_problem;
    CHECK_FALSE(watermark_template_problem(config::kDefaultWatermarkTemplate));
    CHECK_THAT(*watermark_template_problem("{party} {share_id}"), Catch::Contains("lacks {session_id}"));
    CHECK_THAT(*watermark_template_problem("{party} {share_id} {session_id} {sesion}"),
               Catch::Contains("unknown placeholder {sesion}"));
    CHECK_THAT(*watermark_template_problem("{party} {share_id} {session_id} {"), Catch::Contains("no '}'"));
    CHECK(fill_watermark_template("{party} {share_id} {session_id} {utc} {x}",
                                  {{"party", "DEFENCE"}, {"share_id", "sh_1"}, {"session_id", "s-2"}}) ==
          "DEFENCE sh_1 s-2 {utc} {x}");
    CHECK(fill_watermark_template("{party}", {{"party", "CPS"}, {"label", "OFFICIAL-SENSITIVE"}}) ==
          "OFFICIAL-SENSITIVE\nCPS");
    CHECK(fill_watermark_template("[{label}] {party}", {{"party", "CPS"}, {"label", "OS"}}) == "[OS] CPS");
}
