// Small drawing helpers the kiosk's screens share: a whole-window panel, large buttons, centred
// text, the party colours, and text from the strings table with its arguments filled in.
#pragma once

#include "kiosk/app/strings.h"

#include <imgui.h>

#include <cstdio>
#include <string>
#include <vector>

namespace courtplay::kiosk::app::kit {

// What one frame's screen put where, in window pixels: each thing a person can touch, and each
// line of text the kit drew. Kept so that a test can prove that nothing overlaps and that all of
// it is inside the window, whatever the display's size. Buttons keep their label (words of the
// strings table, key symbols); text keeps none, as it may be a session's (a case, a clip title).
struct Drawn {
    ImVec2 min, max;
    bool touchable = false;
    std::string label;
};
struct ScreenLayout {
    float scale = 1;  // the screen's pixels per design pixel (the design is 1920x1080)
    std::vector<Drawn> drawn;
};
// The layout of the ImGui context being drawn (KioskWindow's): reached through ImGui's own
// context, as the kit's helpers are, rather than threaded through every screen's calls.
ScreenLayout& layout();
// `design` pixels of the 1920x1080 design, in this screen's pixels.
inline float px(float design) { return design * layout().scale; }
// The item just drawn (ImGui's last item), added to the layout.
void note_touchable(const std::string& label);
void note_text();

// The party banner's colours: each party its own, neither like a warning.
inline const ImVec4 kCps{0.05f, 0.22f, 0.55f, 1.0f};
inline const ImVec4 kDefence{0.45f, 0.10f, 0.42f, 1.0f};
inline const ImVec4 kGood{0.10f, 0.55f, 0.20f, 1.0f};
inline const ImVec4 kWarn{0.85f, 0.55f, 0.05f, 1.0f};
inline const ImVec4 kBad{0.80f, 0.10f, 0.10f, 1.0f};
inline const ImVec4 kDim{0.70f, 0.70f, 0.70f, 1.0f};

// The table's text with printf arguments (the same in every language).
template <typename... Args>
std::string fmt(Text text, Language lang, Args... args) {
    char buf[512];
    std::snprintf(buf, sizeof buf, tr(text, lang), args...);
    return buf;
}
inline std::string fmt(Text text, Language lang) { return tr(text, lang); }

// Sizes below are in the screen's pixels: a screen passes px(design pixels).
// A window that covers `height` pixels of the screen from `top` (all of it by default).
bool begin_panel(const char* id, float top = 0, float height = 0, float alpha = 1.0f);
void end_panel();
// A button at least `width` x `height` (touch-sized, px(90) high, by default); true when pressed.
bool button(const std::string& label, float width = 0, float height = 0, const ImVec4* colour = nullptr);
void centred(const std::string& text, ImFont* font = nullptr, const ImVec4* colour = nullptr);
// A centred 3x4 keypad of digits with Delete and a green `go` key: what was pressed ("0".."9",
// "delete", "go"), or empty.
std::string digit_keypad(Language lang, const std::string& go);
void wrapped(const std::string& text, const ImVec4* colour = nullptr);
// "1 h 05 min", "4 min 10 s": a countdown a person reads at a glance.
std::string duration_words(int64_t seconds);
// "12 Nov 2026 14:03:22" in UK time from ISO 8601 UTC; the input itself when it cannot be read.
std::string uk_time_of(const std::string& iso_utc);
// "1:23.4" from milliseconds.
std::string clip_length(int64_t ms);

}  // namespace courtplay::kiosk::app::kit
