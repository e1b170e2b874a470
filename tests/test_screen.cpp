// The window on a real X server (Xvfb): rotation metadata turns the picture on screen, and the
// picture is letterboxed, not stretched. Pixels are read back from the renderer.
#include "kiosk/app/kiosk_window.h"
#include "kiosk/screen.h"
#include "watermark/mark_stage.h"
#include "watermark/watermark.h"

#include <catch2/catch.hpp>
#include <imgui.h>

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

Pixels read_back(SDL_Renderer* r) {
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
            Pixels px = read_back(screen.renderer());
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
        const Pixels px = read_back(screen.renderer());
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

TEST_CASE("a rectangle of the picture lands where the turned picture puts it", "[screen]") {
    // A 640x480 picture drawn into 400x300 at (100, 0); its top quarter, turned each way.
    const SDL_Rect dst{100, 0, 400, 300}, top{0, 0, 640, 120};
    auto is = [](SDL_Rect r, SDL_Rect want) {
        INFO(r.x << "," << r.y << " " << r.w << "x" << r.h);
        return r.x == want.x && r.y == want.y && r.w == want.w && r.h == want.h;
    };
    CHECK(is(kiosk::picture_to_screen(dst, 0, 640, 480, top), {100, 0, 400, 75}));
    CHECK(is(kiosk::picture_to_screen(dst, 90, 640, 480, top), {375, -50, 75, 400}));   // to the right
    CHECK(is(kiosk::picture_to_screen(dst, 180, 640, 480, top), {100, 225, 400, 75}));  // to the bottom
    CHECK(is(kiosk::picture_to_screen(dst, 270, 640, 480, top), {150, -50, 75, 400}));  // to the left
}

// Issue 7: nothing the window draws over the picture (the position display, the evidence badge)
// may cover the watermark, wherever its five places put it and however the picture is turned.
TEST_CASE("the position display and the badge never cover the watermark", "[screen][watermark]") {
    need_video();
    for (int rotation : {0, 90}) {
        for (int spot = 0; spot < 5; ++spot) {
            DYNAMIC_SECTION("rotation " << rotation << ", the mark's place " << spot) {
                // A mid-grey picture, so the mark's light and dark letters both show on it.
                AVFrame* f = av_frame_alloc();
                f->format = AV_PIX_FMT_YUV420P;
                f->width = 640;
                f->height = 360;
                av_frame_get_buffer(f, 0);
                for (int y = 0; y < 360; ++y) std::memset(f->data[0] + y * f->linesize[0], 128, 640);
                for (int p = 1; p < 3; ++p)
                    for (int y = 0; y < 180; ++y) std::memset(f->data[p] + y * f->linesize[p], 128, 320);
                player::VideoFrame frame;
                frame.picture = std::shared_ptr<const AVFrame>(f, [](const AVFrame* x) {
                    auto* y = const_cast<AVFrame*>(x);
                    av_frame_free(&y);
                });
                watermark::WatermarkOptions wo;
                wo.text = "PAUSED REVIEW\nCPS \u00b7 01YZ1234526";
                watermark::Watermark mark(wo);
                // The mark moves every 20 s through its five places: this second is in place `spot`.
                watermark::MarkStage stage([spot] { return int64_t(spot) * 20 * 1000000 + 1; });
                stage.add_mark(&mark);
                player::ClipInfo clip;
                clip.rotation = rotation;
                kiosk::ScreenOptions options;
                options.width = rotation ? 450 : 800;  // the turned picture fills the window
                options.height = rotation ? 800 : 450;
                kiosk::Screen screen(options, clip);
                screen.keep_clear_of(&mark);
                stage.add_output(&screen);

                // Paused with a badge: both drawn over the picture.
                player::PlayerState paused;
                paused.paused = true;
                screen.set_state(paused);
                screen.set_badge({kiosk::EvidenceBadge::Tone::verified, "VERIFIED  SHA-256 matches the grant"});
                stage.present(frame, {});
                screen.redraw();  // ImGui sizes a new auto-sized window on its first frame, draws it from the second
                const Pixels with = read_back(screen.renderer());
                // Playing, position display hidden, no badge: the picture alone.
                screen.set_state(player::PlayerState{});
                screen.show_osd(0);
                screen.set_badge({});
                screen.redraw();
                screen.redraw();
                const Pixels without = read_back(screen.renderer());
                REQUIRE(with.w == without.w);

                const watermark::Box b = mark.last_box();
                REQUIRE(b.width > 0);
                const SDL_Rect area{0, 0, with.w, with.h};
                // Where the picture is drawn: filling the window (its aspect is the picture's).
                const SDL_Rect dst = rotation ? SDL_Rect{(with.w - with.h) / 2, (with.h - with.w) / 2, with.h, with.w} : area;
                const SDL_Rect on = kiosk::picture_to_screen(dst, rotation, 640, 360, SDL_Rect{b.x, b.y, b.width, b.height});
                int covered = 0, elsewhere = 0;
                for (int y = 0; y < with.h; ++y)
                    for (int x = 0; x < with.w; ++x) {
                        const size_t at = static_cast<size_t>((y * with.w + x) * 4);
                        const bool same = std::memcmp(&with.rgb[at], &without.rgb[at], 3) == 0;
                        const bool in_mark = x >= on.x && x < on.x + on.w && y >= on.y && y < on.y + on.h;
                        if (!same) ++(in_mark ? covered : elsewhere);
                    }
                INFO("the mark on screen at " << on.x << "," << on.y << " " << on.w << "x" << on.h);
                CHECK(covered == 0);       // not one pixel of the mark drawn over
                CHECK(elsewhere > 2000);   // and the display and the badge were drawn, elsewhere
            }
        }
    }
}

// A repaint takes only the rows the stage says changed (the watermark's box, once a second while
// paused): those rows come out exactly as a whole upload gives them, and the rest stay as they were.
namespace {

// A picture of flat blocks (so that scaling, which blends only at their edges, keeps their
// centres): the top half in `top` (Y, U, V), the bottom half split into `left` and `right`.
using Yuv = std::array<uint8_t, 3>;
std::shared_ptr<const AVFrame> blocks(int w, int h, AVPixelFormat format, Yuv top, Yuv left, Yuv right) {
    AVFrame* f = av_frame_alloc();
    f->format = format;
    f->width = w;
    f->height = h;
    av_frame_get_buffer(f, 0);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const Yuv& c = y < h / 2 ? top : x < w / 2 ? left : right;
            f->data[0][y * f->linesize[0] + x] = c[0];
            if (y % 2 == 0 && x % 2 == 0) {
                f->data[1][y / 2 * f->linesize[1] + x / 2] = c[1];
                f->data[2][y / 2 * f->linesize[2] + x / 2] = c[2];
            }
        }
    return std::shared_ptr<const AVFrame>(f, [](const AVFrame* x) {
        auto* y = const_cast<AVFrame*>(x);
        av_frame_free(&y);
    });
}

// A window of its own with SDL's software renderer on it, the picture drawn through a texture.
struct TextureWindow {
    SDL_Window* window = nullptr;
    SDL_Renderer* renderer = nullptr;
    std::unique_ptr<kiosk::VideoTexture> texture;
    TextureWindow(int w, int h) {
        SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        window = SDL_CreateWindow("texture", 0, 0, w, h, 0);
        REQUIRE(window);
        renderer = SDL_CreateRenderer(window, -1, 0);
        REQUIRE(renderer);
        texture = std::make_unique<kiosk::VideoTexture>(renderer);
    }
    ~TextureWindow() {
        texture.reset();
        SDL_DestroyRenderer(renderer);
        SDL_DestroyWindow(window);
    }
    Pixels draw() {
        SDL_SetRenderDrawColor(renderer, 0, 0, 0, 255);
        SDL_RenderClear(renderer);
        int w = 0, h = 0;
        SDL_GetRendererOutputSize(renderer, &w, &h);
        texture->draw(SDL_Rect{0, 0, w, h}, 0);
        return read_back(renderer);
    }
};

std::array<int, 3> rgb_at(const Pixels& p, int x, int y) {
    const size_t at = static_cast<size_t>((y * p.w + x) * 4);
    return {p.rgb[at + 2], p.rgb[at + 1], p.rgb[at]};  // ARGB8888 little-endian: B G R A
}

bool near(std::array<int, 3> a, std::array<int, 3> b) {
    for (int i = 0; i < 3; ++i)
        if (std::abs(a[i] - b[i]) > 3) return false;
    return true;
}

}  // namespace

// The play window without a GPU converts the picture straight into its framebuffer: the same
// colours (BT.601 or BT.709, limited or full range, as SDL chooses them for a YUV texture) in the
// same place (letterboxed, scaled) as the texture path the kiosk's own windows use.
TEST_CASE("the play window draws a picture straight into its framebuffer as a texture would", "[screen]") {
    need_video();
    struct Case { const char* name; int w, h; AVPixelFormat format; };
    for (Case c : {Case{"SD, limited range, scaled up", 320, 180, AV_PIX_FMT_YUV420P},
                   Case{"HD, limited range (BT.709)", 1280, 720, AV_PIX_FMT_YUV420P},
                   Case{"full range (JPEG)", 320, 240, AV_PIX_FMT_YUVJ420P}}) {
        DYNAMIC_SECTION(c.name) {
            const auto picture = blocks(c.w, c.h, c.format, {180, 60, 200}, {80, 200, 60}, {150, 100, 120});
            kiosk::ScreenOptions options;
            options.width = 640;
            options.height = 480;
            kiosk::Screen screen(options, player::ClipInfo{});
            REQUIRE(screen.renderer() != nullptr);
            screen.set_state(player::PlayerState{});
            screen.show_osd(0);  // nothing drawn over the picture
            player::VideoFrame frame;
            frame.picture = picture;
            screen.present(frame, {});
            const Pixels direct = read_back(screen.renderer());
            REQUIRE(direct.w == 640);

            TextureWindow textured(640, 480);
            REQUIRE(textured.texture->upload(picture.get()));
            const Pixels through = textured.draw();
            // The picture's place: as wide as the window, centred; black above and below.
            const int ph = 640 * c.h / c.w, top = (480 - ph) / 2;
            for (auto [x, y] : {std::pair{320, top + ph / 4}, {160, top + ph * 3 / 4}, {480, top + ph * 3 / 4}}) {
                INFO("at " << x << "," << y << ": " << rgb_at(direct, x, y)[0] << "," << rgb_at(direct, x, y)[1] << ","
                           << rgb_at(direct, x, y)[2] << " through a texture " << rgb_at(through, x, y)[0] << ","
                           << rgb_at(through, x, y)[1] << "," << rgb_at(through, x, y)[2]);
                CHECK(near(rgb_at(direct, x, y), rgb_at(through, x, y)));
            }
            if (top > 2) {
                CHECK(rgb_at(direct, 320, top / 2) == std::array<int, 3>{0, 0, 0});
                CHECK(rgb_at(direct, 320, 479 - top / 2) == std::array<int, 3>{0, 0, 0});
            }
        }
    }
}

// A resized window has a new framebuffer: the renderer follows it, and the picture fills the new
// size (drawing through the old one would write into freed memory, which ASan would report).
TEST_CASE("the play window follows its framebuffer when its size changes", "[screen]") {
    need_video();
    kiosk::ScreenOptions options;
    options.width = 640;
    options.height = 360;
    kiosk::Screen screen(options, player::ClipInfo{});
    screen.set_state(player::PlayerState{});
    screen.show_osd(0);
    player::VideoFrame frame;
    frame.picture = blocks(320, 180, AV_PIX_FMT_YUV420P, {180, 60, 200}, {80, 200, 60}, {150, 100, 120});
    screen.present(frame, {});
    const auto before = rgb_at(read_back(screen.renderer()), 320, 90);
    SDL_SetWindowSize(screen.window(), 960, 540);
    for (int i = 0; i < 50; ++i) {  // until the X server has resized it
        SDL_PumpEvents();
        int w = 0, h = 0;
        SDL_GetWindowSize(screen.window(), &w, &h);
        if (w == 960) break;
        SDL_Delay(20);
    }
    screen.redraw();
    const Pixels after = read_back(screen.renderer());
    REQUIRE(after.w == 960);
    REQUIRE(after.h == 540);
    CHECK(near(rgb_at(after, 480, 135), before));      // the top block, now at the new size
    CHECK(near(rgb_at(after, 240, 405), rgb_at(after, 240, 400)));
    CHECK_FALSE(near(rgb_at(after, 240, 405), before));  // the bottom left block is another colour
}

// The texture path's repaint (the kiosk's windows, and the play window with a GPU or a turned
// picture) uploads only the rows said to have changed, and those exactly as a whole upload does.
TEST_CASE("a texture repaint uploads the changed rows only, and those exactly as a whole upload", "[screen]") {
    need_video();
    // Black, then the same with two coloured bands: rows 100-119 (said to have changed) and
    // rows 200-219 (not said, so a repaint must not take them).
    auto make = [](bool bands) {
        AVFrame* f = av_frame_alloc();
        f->format = AV_PIX_FMT_YUV420P;
        f->width = 320;
        f->height = 240;
        av_frame_get_buffer(f, 0);
        for (int y = 0; y < 240; ++y) {
            const bool first = bands && y >= 100 && y < 120, second = bands && y >= 200 && y < 220;
            std::memset(f->data[0] + y * f->linesize[0], first || second ? 180 : 16, 320);
            if (y % 2 == 0) {  // the bands in different colours, so a row taken from the wrong place shows
                std::memset(f->data[1] + y / 2 * f->linesize[1], first ? 60 : second ? 200 : 128, 160);
                std::memset(f->data[2] + y / 2 * f->linesize[2], first ? 200 : second ? 60 : 128, 160);
            }
        }
        return std::shared_ptr<const AVFrame>(f, [](const AVFrame* x) {
            auto* y = const_cast<AVFrame*>(x);
            av_frame_free(&y);
        });
    };
    TextureWindow window(640, 480);  // twice the picture: picture row y is window rows 2y and 2y + 1
    REQUIRE(window.texture->upload(make(false).get()));
    const auto banded = make(true);
    REQUIRE(window.texture->upload(banded.get(), player::PictureRows{100, 20}));
    const Pixels repainted = window.draw();
    REQUIRE(window.texture->upload(banded.get()));
    const Pixels whole = window.draw();
    REQUIRE(repainted.w == 640);
    REQUIRE(whole.w == 640);
    for (int y = 200; y < 240; ++y) CHECK(rgb_at(repainted, 320, y) == rgb_at(whole, 320, y));  // rows 100-119
    CHECK(whole.at(320, 420) > 100);       // row 210 is in the second band...
    CHECK(repainted.at(320, 420) < 40);    // ...which the repaint was not told of: still black
    CHECK(repainted.at(320, 100) < 40);    // and above the bands, black in both
}

// The kiosk's window draws again only the band of a paused picture whose watermark clock moved on,
// and only while its controls draw exactly what they drew before; anything else is drawn whole.
TEST_CASE("the kiosk's window redraws only the band it is given, and all of it when its controls change", "[screen]") {
    need_video();
    kiosk::app::KioskWindow window({.windowed = true, .width = 640, .height = 480});
    SDL_Renderer* r = window.renderer();
    // The "picture": the top 400 rows in one colour; under it a line of ImGui text.
    auto frame = [&](Uint8 red, Uint8 green, Uint8 blue, const char* label, std::optional<SDL_Rect> only) {
        window.begin_frame();
        ImGui::SetNextWindowPos(ImVec2(0, 400));
        ImGui::SetNextWindowSize(ImVec2(640, 80));
        ImGui::Begin("controls", nullptr, ImGuiWindowFlags_NoDecoration);
        ImGui::TextUnformatted(label);
        ImGui::End();
        const bool drawn = window.end_frame(
            [&] {
                SDL_SetRenderDrawColor(r, red, green, blue, 255);
                const SDL_Rect picture{0, 0, 640, 400};
                SDL_RenderFillRect(r, &picture);
            },
            only);
        if (drawn) window.present();
        return drawn;
    };
    auto red_at = [&](int y) {
        Pixels p;
        p.w = 640, p.h = 480;
        p.rgb.resize(640 * 480 * 4);
        SDL_RenderReadPixels(r, nullptr, SDL_PIXELFORMAT_ARGB8888, p.rgb.data(), 640 * 4);
        return int(p.rgb[static_cast<size_t>((y * 640 + 20) * 4 + 2)]);  // ARGB in memory: B G R A
    };
    REQUIRE(frame(255, 0, 0, "Play", std::nullopt));
    REQUIRE(red_at(50) == 255);
    // The same controls, the picture changed in rows 100-149 only: just those are drawn again.
    CHECK(frame(0, 0, 255, "Play", SDL_Rect{0, 100, 640, 50}));
    CHECK(red_at(120) == 0);
    CHECK(red_at(50) == 255);
    CHECK(red_at(300) == 255);
    // Nothing changed: nothing is drawn.
    CHECK_FALSE(frame(0, 255, 0, "Play", SDL_Rect{0, 0, 0, 0}));
    CHECK(red_at(50) == 255);
    // The controls changed (another label): the whole window, whatever band was given.
    CHECK(frame(0, 255, 0, "Pause", SDL_Rect{0, 100, 640, 50}));
    CHECK(red_at(50) == 0);
    CHECK(red_at(300) == 0);
}
