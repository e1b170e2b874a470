#include "kiosk/app/kiosk_window.h"

#include "kiosk/presented_dump.h"
#include "kiosk/video_texture.h"

#include <imgui.h>
#include <imgui_internal.h>  // the context's TempBuffer, for forget_drawn_text()
#include <backends/imgui_impl_sdl.h>
#include <backends/imgui_impl_sdlrenderer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string_view>

namespace courtplay::kiosk::app {
namespace {

constexpr const char* kSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
constexpr const char* kSansBold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
constexpr const char* kMono = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf";

// Latin-1 and Latin Extended-A (Welsh: \u0175 \u0177 ...), punctuation, the check mark.
const ImWchar kRanges[] = {0x0020, 0x00FF, 0x0100, 0x017F, 0x2010, 0x205E, 0x2713, 0x2717, 0};
// The waiting screen's clock: digits and the colon only, which keeps its glyphs (300 px high on a
// 4K screen) from making the font texture larger than a graphics card takes.
const ImWchar kClockRanges[] = {0x0020, 0x003A, 0};

// The screens are designed for 1920x1080 and drawn larger or smaller to fill the window, as a
// whole (the smaller of the two ratios, so that nothing leaves it): 2/3 on a 1280x720 laptop, 2 on
// a 4K screen. In hundredths, so a window a pixel different does not make the fonts again.
float scale_for(int width, int height) {
    const float fit = std::min(width / 1920.0f, height / 1080.0f);
    return std::round(std::clamp(fit, 0.5f, 4.0f) * 100) / 100;
}

ImFont* load(const char* file, float size, const ImWchar* ranges = kRanges) {
    if (FILE* f = std::fopen(file, "rb")) {
        std::fclose(f);
        return ImGui::GetIO().Fonts->AddFontFromFileTTF(file, size, nullptr, ranges);
    }
    throw std::runtime_error(std::string("the font ") + file + " is missing (install the fonts-dejavu-core package)");
}

// Nothing of a session leaves through the clipboard.
const char* no_clipboard_text(void*) { return ""; }
void no_clipboard_set(void*, const char*) {}

// What ImGui draws, in 64 bits: its vertices, indices and commands. Equal digests, equal drawing
// (a hash rather than a copy, which would keep the text of a session in its glyphs).
size_t ui_digest(const ImDrawData& ui) {
    auto bytes = [](const void* p, size_t n) { return std::hash<std::string_view>{}({static_cast<const char*>(p), n}); };
    size_t h = bytes(&ui.DisplaySize, sizeof ui.DisplaySize) | 1;  // never 0, which means none
    auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
    for (int i = 0; i < ui.CmdListsCount; ++i) {
        const ImDrawList& list = *ui.CmdLists[i];
        mix(bytes(list.VtxBuffer.Data, list.VtxBuffer.size_in_bytes()));
        mix(bytes(list.IdxBuffer.Data, list.IdxBuffer.size_in_bytes()));
        for (const ImDrawCmd& cmd : list.CmdBuffer) {
            mix(bytes(&cmd.ClipRect, sizeof cmd.ClipRect));
            mix(reinterpret_cast<size_t>(cmd.TextureId));
            mix((size_t(cmd.VtxOffset) << 32) ^ (size_t(cmd.IdxOffset) << 1) ^ (size_t(cmd.ElemCount) << 17));
        }
    }
    return h | 1;
}

// Narrows every ImGui command to `area`: the backend sets its own clip rectangle per command.
void clip_to(ImDrawData& ui, const SDL_Rect& area) {
    for (int i = 0; i < ui.CmdListsCount; ++i)
        for (ImDrawCmd& cmd : ui.CmdLists[i]->CmdBuffer) {
            ImVec4& r = cmd.ClipRect;
            r.x = std::max(r.x, float(area.x));
            r.y = std::max(r.y, float(area.y));
            r.z = std::min(r.z, float(area.x + area.w));
            r.w = std::min(r.w, float(area.y + area.h));
        }
}

// Drawn at the font's size rather than enlarged (FontGlobalScale would blur the letters).
Fonts load_fonts(float scale) {
    ImGui::GetIO().Fonts->Clear();
    Fonts fonts;
    fonts.body = load(kSans, 34 * scale);  // the first: ImGui's default
    fonts.large = load(kSansBold, 52 * scale);
    fonts.huge = load(kSansBold, 150 * scale, kClockRanges);
    fonts.code = load(kMono, 60 * scale);
    return fonts;
}

void style(float scale) {
    ImGuiStyle& s = ImGui::GetStyle();
    s = ImGuiStyle();  // the sizes below are scaled from ImGui's own, not from the last scale's
    ImGui::StyleColorsDark(&s);
    s.WindowPadding = ImVec2(24, 20);
    s.FramePadding = ImVec2(20, 14);
    s.ItemSpacing = ImVec2(16, 14);
    s.FrameRounding = 10;
    s.WindowRounding = 0;
    s.WindowBorderSize = 0;
    s.Colors[ImGuiCol_WindowBg] = ImVec4(0.06f, 0.06f, 0.07f, 1);
    s.Colors[ImGuiCol_Button] = ImVec4(0.22f, 0.24f, 0.28f, 1);
    s.Colors[ImGuiCol_ButtonHovered] = ImVec4(0.32f, 0.36f, 0.42f, 1);
    s.Colors[ImGuiCol_ButtonActive] = ImVec4(0.45f, 0.50f, 0.58f, 1);
    s.Colors[ImGuiCol_NavHighlight] = ImVec4(1.0f, 0.85f, 0.2f, 1);  // where the keyboard is, clearly
    s.ScaleAllSizes(scale);
}

// SDL's index of the console's display: by output name or 1-based position ([displays] console).
int console_display(const std::string& wanted) {
    if (wanted.empty()) return 0;
    const int n = SDL_GetNumVideoDisplays();
    for (int i = 0; i < n; ++i) {
        const char* name = SDL_GetDisplayName(i);
        if ((name && wanted == name) || wanted == std::to_string(i + 1)) return i;
    }
    std::fprintf(stderr, "courtplay: the console display %s is not connected; the kiosk opens on the first display\n",
                 wanted.c_str());
    return 0;
}

}  // namespace

KioskWindow::KioskWindow(const WindowOptions& options) {
    // No close and no minimise: the window is the kiosk. Keys the window manager would take
    // (Alt+Tab, Super) are grabbed while it is fullscreen.
    SDL_SetHint(SDL_HINT_QUIT_ON_LAST_WINDOW_CLOSE, "0");
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");  // the kiosk handles SIGTERM itself (kiosk_app.cpp)
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
    SDL_SetHint(SDL_HINT_ALLOW_ALT_TAB_WHILE_GRABBED, "0");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "1");  // allowed until evidence plays
    prefer_software_without_gpu();
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) throw std::runtime_error(std::string("no display: ") + SDL_GetError());
    offscreen_ = std::string(SDL_GetCurrentVideoDriver()) == "offscreen";
    // SDL draws every Wayland window through EGL and loads it itself when the window is made, but
    // then says only "EGL not initialized": loaded here first, a failure names its cause.
    if (std::string(SDL_GetCurrentVideoDriver()) == "wayland" && SDL_GL_LoadLibrary(nullptr) != 0)
        throw std::runtime_error(
            std::string("cannot draw on the Wayland display: its OpenGL libraries (EGL) could not be loaded: ") +
            SDL_GetError());
    Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
    if (!options.windowed && !offscreen_) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
    const int display = console_display(options.display);
    window_ = SDL_CreateWindow("courtplay", SDL_WINDOWPOS_CENTERED_DISPLAY(display),
                               SDL_WINDOWPOS_CENTERED_DISPLAY(display), options.width, options.height, flags);
    if (!window_) throw std::runtime_error(std::string("cannot open the kiosk's window: ") + SDL_GetError());
    if (!options.windowed && !offscreen_) SDL_SetWindowKeyboardGrab(window_, SDL_TRUE);
    renderer_ = SDL_CreateRenderer(window_, -1, offscreen_ ? SDL_RENDERER_SOFTWARE : 0);
    if (!renderer_) {
        SDL_DestroyWindow(window_);
        throw std::runtime_error(std::string("cannot draw in the kiosk's window: ") + SDL_GetError());
    }
    SDL_RendererInfo info{};
    keeps_frame_ = SDL_GetRendererInfo(renderer_, &info) == 0 && info.name && std::string(info.name) == "software";
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // nothing of a session is written to disk
    io.LogFilename = nullptr;
    io.UserData = &layout_;  // the screens' helpers (view_kit) record and scale through it
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    layout_.scale = scale_for(width(), height());
    fonts_ = load_fonts(layout_.scale);
    style(layout_.scale);
    ImGui_ImplSDL2_InitForSDLRenderer(window_);
    ImGui_ImplSDLRenderer_Init(renderer_);
    io.GetClipboardTextFn = no_clipboard_text;
    io.SetClipboardTextFn = no_clipboard_set;
    SDL_EnableScreenSaver();
}

KioskWindow::~KioskWindow() {
    ImGui_ImplSDLRenderer_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
    SDL_DestroyRenderer(renderer_);
    SDL_DestroyWindow(window_);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

int KioskWindow::width() const {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    return w;
}

int KioskWindow::height() const {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer_, &w, &h);
    return h;
}

bool KioskWindow::handle(const SDL_Event& event) {
    ImGui_ImplSDL2_ProcessEvent(&event);
    switch (event.type) {
    case SDL_MOUSEMOTION:
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_MOUSEWHEEL:
    case SDL_FINGERDOWN:
    case SDL_FINGERMOTION:
    case SDL_KEYDOWN:
    case SDL_TEXTINPUT:
        idle_cursor(event.type == SDL_KEYDOWN || event.type == SDL_TEXTINPUT);
        return true;
    default:
        return false;
    }
}

// The window moved to a display of another size (or became fullscreen after it was made): the
// fonts are made again at the new size, between frames, as ImGui requires.
void KioskWindow::fit_to_window() {
    const float scale = scale_for(width(), height());
    if (scale == layout_.scale) return;
    layout_.scale = scale;
    fonts_ = load_fonts(scale);
    ImGui_ImplSDLRenderer_DestroyFontsTexture();  // the backend makes it again from the new atlas
    style(scale);
}

void KioskWindow::begin_frame() {
    fit_to_window();
    layout_.drawn.clear();
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();
}

bool KioskWindow::end_frame(const std::function<void()>& draw_video, std::optional<SDL_Rect> only) {
    ImGui::Render();
    ImDrawData* ui = ImGui::GetDrawData();
    const size_t digest = ui_digest(*ui);
    if (!keeps_frame_ || digest != drawn_ui_) only.reset();
    drawn_ui_ = digest;
    SDL_SetRenderDrawColor(renderer_, 0, 0, 0, 255);
    if (!only) {
        SDL_RenderSetClipRect(renderer_, nullptr);
        SDL_RenderClear(renderer_);
    } else {
        if (SDL_RectEmpty(&*only)) return false;
        SDL_RenderSetClipRect(renderer_, &*only);  // the picture and ImGui draw inside it only
        SDL_RenderFillRect(renderer_, &*only);
        clip_to(*ui, *only);
    }
    draw_video();
    ImGui_ImplSDLRenderer_RenderDrawData(ui);
    SDL_RenderSetClipRect(renderer_, nullptr);
    return true;
}

void KioskWindow::present() { SDL_RenderPresent(renderer_); }

std::optional<std::string> KioskWindow::screenshot(const std::filesystem::path& file) const {
    RgbPicture rgb;
    rgb.width = width();
    rgb.height = height();
    rgb.pixels.resize(static_cast<size_t>(rgb.width) * rgb.height * 3);
    if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_RGB24, rgb.pixels.data(), rgb.width * 3) != 0)
        return std::string("cannot read the screen back: ") + SDL_GetError();
    return write_png(file, rgb);
}

void KioskWindow::evidence_playing(bool playing) {
    if (playing) SDL_DisableScreenSaver();
    else SDL_EnableScreenSaver();
}

SDL_Rect KioskWindow::bounds() const {
    SDL_Rect r{};
    SDL_GetWindowPosition(window_, &r.x, &r.y);
    SDL_GetWindowSize(window_, &r.w, &r.h);
    return r;
}

void KioskWindow::forget_drawn_text() {
    if (ImGuiContext* g = ImGui::GetCurrentContext()) explicit_bzero(g->TempBuffer, sizeof g->TempBuffer);
}

void KioskWindow::take_focus() {
    if (offscreen_) return;
    SDL_RaiseWindow(window_);
    SDL_SetWindowInputFocus(window_);
}

void KioskWindow::idle_cursor(bool idle) {
    if (idle == cursor_hidden_) return;
    cursor_hidden_ = idle;
    SDL_ShowCursor(idle ? SDL_DISABLE : SDL_ENABLE);
}

}  // namespace courtplay::kiosk::app
