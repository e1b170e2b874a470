#include "kiosk/screen.h"

#include "kiosk/timecode.h"

#include <imgui.h>
#include <backends/imgui_impl_sdl.h>
#include <backends/imgui_impl_sdlrenderer.h>

extern "C" {
#include <libswscale/swscale.h>
#include <libavutil/imgutils.h>
}

#include <filesystem>
#include <stdexcept>

namespace courtplay::kiosk {
namespace {

constexpr const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

bool is_420(int format) { return format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P; }

}  // namespace

namespace {

// Without a GPU, OpenGL is Mesa's software rasteriser: SDL's own software renderer on the X
// server's shared-memory framebuffer does the same work for less CPU, less memory and a faster
// start (measured in docs/benchmarks.md). An explicit SDL_RENDER_DRIVER still wins.
void prefer_software_without_gpu() {
    if (const char* chosen = SDL_GetHint(SDL_HINT_RENDER_DRIVER)) {
        // The software renderer on a GL-backed window framebuffer would still run llvmpipe.
        if (std::string(chosen) == "software") SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        return;
    }
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/dri", ec))
        if (entry.path().filename().string().rfind("renderD", 0) == 0) return;
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
}

}  // namespace

Screen::Screen(const ScreenOptions& options, const player::ClipInfo& clip)
    : clip_(clip), fullscreen_(options.fullscreen) {
    prefer_software_without_gpu();
    Uint32 flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    if (fullscreen_) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    window_ = SDL_CreateWindow(options.title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, options.width,
                               options.height, flags);
    if (!window_) throw std::runtime_error(std::string("cannot open a window: ") + SDL_GetError());
    renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_ACCELERATED);
    if (!renderer_) renderer_ = SDL_CreateRenderer(window_, -1, 0);
    if (!renderer_) {
        SDL_DestroyWindow(window_);
        throw std::runtime_error(std::string("cannot draw in the window: ") + SDL_GetError());
    }
    SDL_SetRenderDrawColor(renderer_, 0, 0, 0, 255);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // nothing of a session is written to disk
    if (FILE* f = std::fopen(kFont, "rb")) {
        std::fclose(f);
        io.Fonts->AddFontFromFileTTF(kFont, 26.0f);
    }
    ImGui_ImplSDL2_InitForSDLRenderer(window_);
    ImGui_ImplSDLRenderer_Init(renderer_);
    imgui_ = true;
    osd_until_ = SDL_GetTicks() + 3000;
    redraw();  // black at once; the first present also sets up the X framebuffer, off the first frame's path
}

Screen::~Screen() {
    if (imgui_) {
        ImGui_ImplSDLRenderer_Shutdown();
        ImGui_ImplSDL2_Shutdown();
        ImGui::DestroyContext();
    }
    sws_freeContext(sws_);
    if (texture_) SDL_DestroyTexture(texture_);
    SDL_DestroyRenderer(renderer_);
    SDL_DestroyWindow(window_);
}

void Screen::present(const player::VideoFrame& frame, const player::FramePosition& position) {
    position_ = position;
    if (upload(frame.picture.get())) redraw();
}

// Puts the picture into a YUV texture: 4:2:0 directly, anything else through libswscale.
bool Screen::upload(const AVFrame* p) {
    if (!p || p->width <= 0 || p->height <= 0) return false;
    if (!texture_ || texture_w_ != p->width || texture_h_ != p->height) {
        if (texture_) SDL_DestroyTexture(texture_);
        texture_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING, p->width, p->height);
        if (!texture_) return false;
        texture_w_ = p->width;
        texture_h_ = p->height;
    }
    if (p->sample_aspect_ratio.num > 0 && p->sample_aspect_ratio.den > 0) sar_ = p->sample_aspect_ratio;
    SDL_SetYUVConversionMode(player::is_full_range(*p) ? SDL_YUV_CONVERSION_JPEG : SDL_YUV_CONVERSION_AUTOMATIC);
    if (is_420(p->format))
        return SDL_UpdateYUVTexture(texture_, nullptr, p->data[0], p->linesize[0], p->data[1], p->linesize[1],
                                    p->data[2], p->linesize[2]) == 0;

    sws_ = sws_getCachedContext(sws_, p->width, p->height, static_cast<AVPixelFormat>(p->format), p->width,
                                p->height, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr);
    if (!sws_) return false;
    uint8_t* dst[4];
    int dst_linesize[4];
    int size = av_image_get_buffer_size(AV_PIX_FMT_YUV420P, p->width, p->height, 32);
    converted_.resize(static_cast<size_t>(size));
    av_image_fill_arrays(dst, dst_linesize, converted_.data(), AV_PIX_FMT_YUV420P, p->width, p->height, 32);
    sws_scale(sws_, p->data, p->linesize, 0, p->height, dst, dst_linesize);
    return SDL_UpdateYUVTexture(texture_, nullptr, dst[0], dst_linesize[0], dst[1], dst_linesize[1], dst[2],
                                dst_linesize[2]) == 0;
}

void Screen::redraw() {
    SDL_RenderClear(renderer_);
    if (texture_) {
        int out_w = 0, out_h = 0;
        SDL_GetRendererOutputSize(renderer_, &out_w, &out_h);
        // Picture size as displayed: sample aspect ratio applied, then turned.
        double pw = texture_w_ * av_q2d(sar_), ph = texture_h_;
        const bool quarter = clip_.rotation == 90 || clip_.rotation == 270;
        double dw = quarter ? ph : pw, dh = quarter ? pw : ph;
        double scale = std::min(out_w / dw, out_h / dh);
        SDL_Rect dst;
        dst.w = static_cast<int>(pw * scale + 0.5);
        dst.h = static_cast<int>(ph * scale + 0.5);
        dst.x = (out_w - dst.w) / 2;
        dst.y = (out_h - dst.h) / 2;
        SDL_RenderCopyEx(renderer_, texture_, nullptr, &dst, clip_.rotation, nullptr, SDL_FLIP_NONE);
    }
    draw_osd();
    SDL_RenderPresent(renderer_);
}

std::string Screen::osd_line() const {
    std::string line = format_media_time(position_.media) + "   frame " + std::to_string(position_.frame_number);
    if (auto wall = recording_time(clip_.creation_time, position_.media)) line += "   recorded " + *wall;
    return line;
}

void Screen::draw_osd() {
    const bool visible = state_.paused || SDL_TICKS_PASSED(osd_until_, SDL_GetTicks());
    if (!imgui_) return;
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();
    draw_badge();
    if (visible || state_.paused) {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + 16, vp->WorkPos.y + vp->WorkSize.y - 16), ImGuiCond_Always,
                                ImVec2(0, 1));
        ImGui::SetNextWindowBgAlpha(0.6f);
        ImGui::Begin("position", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                         ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
        ImGui::TextUnformatted(osd_line().c_str());
        std::string second = state_.paused ? "Paused" : "Playing";
        if (state_.rate != 1.0) second += "   speed " + format_rate(state_.rate);
        second += state_.muted ? "   sound off" : "   volume " + std::to_string(static_cast<int>(state_.volume * 100 + 0.5f)) + "%";
        if (state_.loop_a != player::kNoTime)
            second += "   loop " + format_media_time(state_.loop_a) + " to " + format_media_time(state_.loop_b);
        ImGui::TextUnformatted(second.c_str());
        ImGui::End();
    }
    ImGui::Render();
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
}

void Screen::draw_badge() {
    if (badge_.text.empty()) return;
    // Green only for proven evidence; amber while the network is away; red when it failed.
    ImVec4 colour;
    switch (badge_.tone) {
        case EvidenceBadge::Tone::verified: colour = ImVec4(0.05f, 0.45f, 0.15f, 0.9f); break;
        case EvidenceBadge::Tone::checking: colour = ImVec4(0.25f, 0.25f, 0.25f, 0.9f); break;
        case EvidenceBadge::Tone::warning: colour = ImVec4(0.75f, 0.45f, 0.0f, 0.9f); break;
        case EvidenceBadge::Tone::failed: colour = ImVec4(0.7f, 0.05f, 0.05f, 0.9f); break;
    }
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x - 16, vp->WorkPos.y + 16), ImGuiCond_Always,
                            ImVec2(1, 0));
    ImGui::PushStyleColor(ImGuiCol_WindowBg, colour);
    ImGui::Begin("evidence", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                     ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
    ImGui::TextUnformatted(badge_.text.c_str());
    ImGui::End();
    ImGui::PopStyleColor();
}

bool Screen::handle(const SDL_Event& event) { return imgui_ && ImGui_ImplSDL2_ProcessEvent(&event); }

void Screen::toggle_fullscreen() {
    fullscreen_ = !fullscreen_;
    SDL_SetWindowFullscreen(window_, fullscreen_ ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
}

}  // namespace courtplay::kiosk
