// The window on a real X server (Xvfb): rotation metadata turns the picture on screen, and the
// picture is letterboxed, not stretched. Pixels are read back from the renderer.
#include "kiosk/screen.h"

#include <catch2/catch.hpp>

#include <array>
#include <cstdlib>
#include <cstring>

using namespace courtplay;

namespace {

// A 320x240 picture, white in its top quarter and black elsewhere: after turning, the white band
// shows which way the picture went.
std::shared_ptr<const AVFrame> banded_picture() {
    AVFrame* f = av_frame_alloc();
    f->format = AV_PIX_FMT_YUV420P;
    f->width = 320;
    f->height = 240;
    av_frame_get_buffer(f, 0);
    for (int y = 0; y < 240; ++y) std::memset(f->data[0] + y * f->linesize[0], y < 60 ? 235 : 16, 320);
    for (int p = 1; p < 3; ++p)
        for (int y = 0; y < 120; ++y) std::memset(f->data[p] + y * f->linesize[p], 128, 160);
    return std::shared_ptr<const AVFrame>(f, [](const AVFrame* x) {
        auto* y = const_cast<AVFrame*>(x);
        av_frame_free(&y);
    });
}

struct Pixels {
    int w = 0, h = 0;
    std::vector<uint8_t> rgb;
    int at(int x, int y) const { return rgb[static_cast<size_t>((y * w + x) * 4 + 1)]; }  // green channel
};

Pixels read_back(SDL_Window* window) {
    SDL_Renderer* r = SDL_GetRenderer(window);
    Pixels p;
    SDL_GetRendererOutputSize(r, &p.w, &p.h);
    p.rgb.resize(static_cast<size_t>(p.w * p.h * 4));
    SDL_RenderReadPixels(r, nullptr, SDL_PIXELFORMAT_ARGB8888, p.rgb.data(), p.w * 4);
    return p;
}

// SDL's video, started once for the program on the X server the suite runs under (scripts/test
// runs it under xvfb-run); without one the cases fail and say why.
void need_video() {
    struct Video {
        Video() {
            INFO("test_screen needs an X server: run it under xvfb-run, as scripts/test does");
            REQUIRE(std::getenv("DISPLAY") != nullptr);
            INFO(SDL_GetError());
            REQUIRE(SDL_Init(SDL_INIT_VIDEO) == 0);
        }
        ~Video() { SDL_Quit(); }
    };
    static Video video;
}

}  // namespace

TEST_CASE("rotation metadata turns the picture on screen", "[screen]") {
    need_video();
    struct Case { int rotation; const char* white_side; };
    for (Case c : {Case{0, "top"}, Case{90, "right"}, Case{180, "bottom"}, Case{270, "left"}}) {
        DYNAMIC_SECTION("rotation " << c.rotation) {
            player::ClipInfo clip;
            clip.rotation = c.rotation;
            kiosk::ScreenOptions options;
            options.width = 800;
            options.height = 800;
            kiosk::Screen screen(options, clip);
            player::VideoFrame frame;
            frame.picture = banded_picture();
            screen.set_state(player::PlayerState{});
            screen.present(frame, player::FramePosition{});
            Pixels px = read_back(screen.window());
            REQUIRE(px.w > 0);
            const int cx = px.w / 2, cy = px.h / 2;
            // Sample just inside each edge of the (letterboxed) picture, on its centre lines.
            const bool quarter = c.rotation % 180 != 0;
            const int pic_w = quarter ? px.w * 240 / 320 : px.w, pic_h = quarter ? px.h : px.h * 240 / 320;
            const int left = cx - pic_w / 2 + 8, right = cx + pic_w / 2 - 8;
            const int top = cy - pic_h / 2 + 8, bottom = cy + pic_h / 2 - 8;
            const std::string side = c.white_side;
            INFO("top " << px.at(cx, top) << " bottom " << px.at(cx, bottom) << " left " << px.at(left, cy)
                        << " right " << px.at(right, cy));
            CHECK((px.at(cx, top) > 200) == (side == "top"));
            CHECK((px.at(cx, bottom) > 200) == (side == "bottom"));
            CHECK((px.at(left, cy) > 200) == (side == "left"));
            CHECK((px.at(right, cy) > 200) == (side == "right"));
            // Letterboxed: outside the picture is black.
            if (quarter) CHECK(px.at(4, cy) < 40);
            else CHECK(px.at(cx, 4) < 40);
        }
    }
}

TEST_CASE("the evidence badge is on screen at all times, in its tone's colour", "[screen]") {
    need_video();
    player::ClipInfo clip;
    kiosk::ScreenOptions options;
    options.width = 800;
    options.height = 600;
    kiosk::Screen screen(options, clip);
    player::VideoFrame frame;
    frame.picture = banded_picture();
    player::PlayerState playing;
    playing.paused = false;
    screen.set_state(playing);
    screen.show_osd(0);  // the position display hidden: the badge must not depend on it
    // Red, green and blue at a point inside the badge (top right corner, 16 px in).
    auto badge_rgb = [&] {
        // ImGui sizes a new auto-sized window on its first frame and draws it from the second.
        screen.present(frame, player::FramePosition{});
        screen.present(frame, player::FramePosition{});
        const Pixels px = read_back(screen.window());
        const size_t at = static_cast<size_t>((24 * px.w + px.w - 24) * 4);
        return std::array<int, 3>{px.rgb[at + 2], px.rgb[at + 1], px.rgb[at]};  // ARGB8888 little-endian: B G R A
    };
    const auto none = badge_rgb();
    screen.set_badge({kiosk::EvidenceBadge::Tone::verified, "VERIFIED  SHA-256 matches the grant"});
    const auto green = badge_rgb();
    screen.set_badge({kiosk::EvidenceBadge::Tone::warning, "RECONNECTING to the share service"});
    const auto amber = badge_rgb();
    screen.set_badge({kiosk::EvidenceBadge::Tone::failed, "NOT THE ORIGINAL"});
    const auto red = badge_rgb();
    INFO("none " << none[0] << "," << none[1] << "," << none[2] << " green " << green[0] << "," << green[1] << ","
                 << green[2] << " amber " << amber[0] << "," << amber[1] << "," << amber[2]);
    CHECK(none[0] + none[1] + none[2] > 600);  // the white band of the picture shows through
    CHECK((green[1] > green[0] + 40 && green[1] > green[2] + 40));
    CHECK((amber[0] > amber[2] + 80 && amber[1] > amber[2] + 40));
    CHECK((red[0] > red[1] + 80 && red[0] > red[2] + 80));
}
