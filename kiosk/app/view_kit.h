// Small drawing helpers the kiosk's screens share: a whole-window panel, large buttons, centred
// text, the party colours, and text from the strings table with its arguments filled in.
#pragma once

#include "kiosk/app/strings.h"

#include <imgui.h>

#include <cstdio>
#include <string>

namespace courtplay::kiosk::app::kit {

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

// A window that covers `height` pixels of the screen from `top` (all of it by default).
bool begin_panel(const char* id, float top = 0, float height = 0, float alpha = 1.0f);
void end_panel();
// A button at least `width` x `height` (touch-sized by default); true when pressed.
bool button(const std::string& label, float width = 0, float height = 90, const ImVec4* colour = nullptr);
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
