#include "kiosk/screen.h"

#include "kiosk/bare_desktop.h"
#include "kiosk/timecode.h"
#include "watermark/watermark.h"

#include <imgui.h>
#include <backends/imgui_impl_sdl.h>
#include <backends/imgui_impl_sdlrenderer.h>

#include <algorithm>
#include <cfloat>
#include <filesystem>
#include <future>
#include <stdexcept>

namespace courtplay::kiosk {
namespace {

constexpr const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// The on-screen display's font rasterised into ImGui's atlas: some 10 ms, made on a thread of its
// own while the window is made and first shown, rather than by the first ImGui frame. No ImGui
// context exists meanwhile, and the atlas touches nothing else.
std::unique_ptr<ImFontAtlas> build_osd_font() {
    auto atlas = std::make_unique<ImFontAtlas>();
    if (FILE* f = std::fopen(kFont, "rb")) {
        std::fclose(f);
        atlas->AddFontFromFileTTF(kFont, 26.0f);
    }
    unsigned char* pixels = nullptr;
    int width = 0, height = 0;
    atlas->GetTexDataAsRGBA32(&pixels, &width, &height);  // what the renderer's font texture is made from
    return atlas;
}

enum class Corner { top_left, top_right, bottom_left, bottom_right };

// A window of `size` in `corner` of the viewport, 16 px in: its top-left point.
ImVec2 corner_at(Corner corner, ImVec2 size) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const bool right = corner == Corner::top_right || corner == Corner::bottom_right;
    const bool bottom = corner == Corner::bottom_left || corner == Corner::bottom_right;
    return ImVec2(right ? vp->WorkPos.x + vp->WorkSize.x - 16 - size.x : vp->WorkPos.x + 16,
                  bottom ? vp->WorkPos.y + vp->WorkSize.y - 16 - size.y : vp->WorkPos.y + 16);
}

bool overlaps(ImVec2 at, ImVec2 size, const SDL_Rect& r) {
    return at.x < r.x + r.w && r.x < at.x + size.x && at.y < r.y + r.h && r.y < at.y + size.y;
}

// The first corner, in the order given, where a window of `size` covers neither the mark nor any
// of `others`; failing that (a narrow window), the first that leaves the mark clear: the mark
// matters, the others are only not to be hidden when there is room.
ImVec2 place_clear_of(std::initializer_list<Corner> order, ImVec2 size, const std::optional<SDL_Rect>& mark,
                      const std::vector<SDL_Rect>& others = {}) {
    auto clear = [&](ImVec2 at, bool of_others) {
        if (mark && overlaps(at, size, *mark)) return false;
        return !of_others || std::none_of(others.begin(), others.end(), [&](const SDL_Rect& r) { return overlaps(at, size, r); });
    };
    for (bool of_others : {true, false})
        for (Corner c : order)
            if (clear(corner_at(c, size), of_others)) return corner_at(c, size);
    return corner_at(*order.begin(), size);  // a mark across the whole picture: nowhere is clear
}

// The size ImGui gives an auto-sized window of these lines in the current style.
ImVec2 panel_size(std::initializer_list<const std::string*> lines) {
    const ImGuiStyle& style = ImGui::GetStyle();
    ImVec2 size(0, style.WindowPadding.y * 2 - style.ItemSpacing.y);
    for (const std::string* line : lines) {
        const ImVec2 text = ImGui::CalcTextSize(line->c_str());
        size.x = std::max(size.x, text.x);
        size.y += text.y + style.ItemSpacing.y;
    }
    size.x += style.WindowPadding.x * 2;
    return size;
}

}  // namespace

Screen::Screen(const ScreenOptions& options, player::ClipInfo clip)
    : clip_(std::move(clip)), fullscreen_(options.fullscreen), windowed_{0, 0, options.width, options.height} {
    std::future<std::unique_ptr<ImFontAtlas>> font = std::async(std::launch::async, build_osd_font);
    prefer_software_without_gpu();
    Uint32 flags = SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI;
    SDL_Rect place{SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, options.width, options.height};
    bare_desktop_ = bare_x11_desktop();
    if (fullscreen_ && bare_desktop_ && SDL_GetDisplayBounds(0, &place) == 0)
        flags |= SDL_WINDOW_BORDERLESS;  // the whole display, with no one to ask (bare_desktop.h)
    else if (fullscreen_)
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    window_ = SDL_CreateWindow(options.title.c_str(), place.x, place.y, place.w, place.h, flags);
    if (!window_) throw std::runtime_error(std::string("cannot open a window: ") + SDL_GetError());
    try {
        canvas_ = std::make_unique<VideoCanvas>(window_);
    } catch (const std::exception& e) {
        SDL_DestroyWindow(window_);
        throw std::runtime_error(std::string("cannot draw in the window: ") + e.what());
    }
    canvas_->set_rotation(clip_.rotation);

    // Black at once. The first present also sets up the X framebuffer, off the first frame's path.
    canvas_->draw(SDL_Rect{0, 0, 0, 0});  // no picture yet: all black
    canvas_->show();

    IMGUI_CHECKVERSION();
    font_ = font.get();
    ImGui::CreateContext(font_.get());
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // nothing of a session is written to disk
    ImGui_ImplSDL2_InitForSDLRenderer(window_);
    imgui_renderer_ = ImGui_ImplSDLRenderer_Init(canvas_->renderer());
    imgui_ = true;
    osd_until_ = SDL_GetTicks() + 3000;
    // One ImGui frame drawn but not shown: ImGui sizes a new auto-sized window on its first frame
    // and draws it from the second, so the first picture has its on-screen display.
    draw_osd();
}

Screen::~Screen() {
    if (imgui_renderer_) ImGui_ImplSDLRenderer_Shutdown();
    if (imgui_) {
        ImGui_ImplSDL2_Shutdown();
        ImGui::DestroyContext();
    }
    canvas_.reset();
    SDL_DestroyWindow(window_);
}

void Screen::set_clip(const player::ClipInfo& clip) {
    clip_ = clip;
    canvas_->set_rotation(clip.rotation);
    canvas_->prepare(clip.width, clip.height);  // a clip without pictures, or of unknown size: at the first
}

void Screen::present(const player::VideoFrame& frame, const player::FramePosition& position) {
    position_ = position;
    if (canvas_->take(frame.picture)) redraw();
}

void Screen::repaint(const player::VideoFrame& frame, const player::FramePosition& position,
                     player::PictureRows changed) {
    position_ = position;
    if (canvas_->take(frame.picture, changed)) redraw();
}

void Screen::redraw() {
    if (canvas_->stale()) {
        // A new framebuffer (the window's size changed): ImGui's font texture goes with the old renderer.
        if (imgui_renderer_) ImGui_ImplSDLRenderer_Shutdown();
        imgui_renderer_ = false;
        if (!canvas_->remake()) return;  // nothing is drawn until the window has a framebuffer again
        if (imgui_) imgui_renderer_ = ImGui_ImplSDLRenderer_Init(canvas_->renderer());
    }
    int out_w = 0, out_h = 0;
    SDL_GetRendererOutputSize(canvas_->renderer(), &out_w, &out_h);
    canvas_->draw(SDL_Rect{0, 0, out_w, out_h});
    draw_osd();
    canvas_->show();
}

std::string Screen::osd_line() const {
    std::string line = format_media_time(position_.media) + "   frame " + std::to_string(position_.frame_number);
    if (auto wall = recording_time(clip_.creation_time, position_.media)) line += "   recorded " + *wall;
    return line;
}

std::optional<SDL_Rect> Screen::mark_on_screen() const {
    if (!mark_) return std::nullopt;
    const watermark::Box box = mark_->last_box();
    int out_w = 0, out_h = 0;
    SDL_GetRendererOutputSize(canvas_->renderer(), &out_w, &out_h);
    std::optional<SDL_Rect> r = canvas_->on_screen(SDL_Rect{0, 0, out_w, out_h}, SDL_Rect{box.x, box.y, box.width, box.height});
    if (!r) return std::nullopt;
    // The renderer's pixels to ImGui's (they differ on a high-density display).
    const ImVec2 scale = ImGui::GetIO().DisplayFramebufferScale;
    if (scale.x > 0 && scale.y > 0 && (scale.x != 1 || scale.y != 1)) {
        const int x0 = static_cast<int>(r->x / scale.x), y0 = static_cast<int>(r->y / scale.y);
        r = SDL_Rect{x0, y0, static_cast<int>((r->x + r->w) / scale.x + 1) - x0, static_cast<int>((r->y + r->h) / scale.y + 1) - y0};
    }
    return r;
}

void Screen::draw_osd() {
    const bool visible = state_.paused || SDL_TICKS_PASSED(osd_until_, SDL_GetTicks());
    if (!imgui_renderer_) return;
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();
    const std::optional<SDL_Rect> mark = mark_on_screen();
    std::optional<SDL_Rect> position;  // where the position display went, for the badge to keep clear of
    if (visible || state_.paused) {
        const std::string first = osd_line();
        std::string second = state_.paused ? "Paused" : "Playing";
        if (state_.rate != 1.0) second += "   speed " + format_rate(state_.rate);
        second += state_.muted ? "   sound off" : "   volume " + std::to_string(static_cast<int>(state_.volume * 100 + 0.5f)) + "%";
        if (state_.loop_a != player::kNoTime)
            second += "   loop " + format_media_time(state_.loop_a) + " to " + format_media_time(state_.loop_b);
        const ImVec2 size = panel_size({&first, &second});
        const ImVec2 at = place_clear_of({Corner::bottom_left, Corner::top_left, Corner::bottom_right, Corner::top_right}, size, mark);
        position = SDL_Rect{static_cast<int>(at.x), static_cast<int>(at.y), static_cast<int>(size.x) + 1, static_cast<int>(size.y) + 1};
        ImGui::SetNextWindowPos(at, ImGuiCond_Always);
        ImGui::SetNextWindowBgAlpha(0.6f);
        ImGui::Begin("position", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                         ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
        ImGui::TextUnformatted(first.c_str());
        ImGui::TextUnformatted(second.c_str());
        ImGui::End();
    }
    draw_badge(mark, position);
    draw_notice();
    ImGui::Render();
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
}

void Screen::draw_badge(const std::optional<SDL_Rect>& mark, const std::optional<SDL_Rect>& position) {
    if (badge_.text.empty()) return;
    // Green only for proven evidence; amber while the network is away; red when it failed.
    ImVec4 colour;
    switch (badge_.tone) {
        case EvidenceBadge::Tone::verified: colour = ImVec4(0.05f, 0.45f, 0.15f, 0.9f); break;
        case EvidenceBadge::Tone::checking: colour = ImVec4(0.25f, 0.25f, 0.25f, 0.9f); break;
        case EvidenceBadge::Tone::warning: colour = ImVec4(0.75f, 0.45f, 0.0f, 0.9f); break;
        case EvidenceBadge::Tone::failed: colour = ImVec4(0.7f, 0.05f, 0.05f, 0.9f); break;
    }
    const ImVec2 size = panel_size({&badge_.text});
    std::vector<SDL_Rect> others;
    if (position) others.push_back(*position);
    ImGui::SetNextWindowPos(
        place_clear_of({Corner::top_right, Corner::bottom_right, Corner::top_left, Corner::bottom_left}, size, mark, others),
        ImGuiCond_Always);
    ImGui::PushStyleColor(ImGuiCol_WindowBg, colour);
    ImGui::Begin("evidence", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoInputs |
                     ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav);
    ImGui::TextUnformatted(badge_.text.c_str());
    ImGui::End();
    ImGui::PopStyleColor();
}

void Screen::draw_notice() {
    if (notice_.empty()) return;
    // Drawn at an explicit size from the one font in the atlas: a little soft that large, and
    // legible from the back of the room, which is what matters. The last line (the code) is the
    // largest.
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImFont* font = ImGui::GetFont();
    const float base = std::max(28.0f, vp->WorkSize.y / 14.0f);
    std::vector<std::pair<float, ImVec2>> sized;  // size, extent
    float total = 0;
    for (size_t i = 0; i < notice_.size(); ++i) {
        const float size = i + 1 == notice_.size() ? base * 1.8f : base;
        sized.emplace_back(size, font->CalcTextSizeA(size, FLT_MAX, 0, notice_[i].c_str()));
        total += sized.back().second.y * 1.15f;
    }
    ImDrawList* draw = ImGui::GetBackgroundDrawList();
    float y = vp->WorkPos.y + (vp->WorkSize.y - total) / 2;
    for (size_t i = 0; i < notice_.size(); ++i) {
        const auto& [size, extent] = sized[i];
        draw->AddText(font, size, ImVec2(vp->WorkPos.x + (vp->WorkSize.x - extent.x) / 2, y), IM_COL32_WHITE,
                      notice_[i].c_str());
        y += extent.y * 1.15f;
    }
}

bool Screen::handle(const SDL_Event& event) { return imgui_ && ImGui_ImplSDL2_ProcessEvent(&event); }

void Screen::toggle_fullscreen() {
    fullscreen_ = !fullscreen_;
    if (!bare_desktop_) {
        SDL_SetWindowFullscreen(window_, fullscreen_ ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        return;
    }
    // No window manager: the window itself covers its display, or goes back to the windowed size.
    SDL_Rect place{SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, windowed_.w, windowed_.h};
    if (fullscreen_ && SDL_GetDisplayBounds(std::max(0, SDL_GetWindowDisplayIndex(window_)), &place) != 0) {
        fullscreen_ = false;
        return;
    }
    SDL_SetWindowBordered(window_, fullscreen_ ? SDL_FALSE : SDL_TRUE);
    SDL_SetWindowSize(window_, place.w, place.h);
    SDL_SetWindowPosition(window_, place.x, place.y);
}

}  // namespace courtplay::kiosk
