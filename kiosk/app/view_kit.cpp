#include "kiosk/app/view_kit.h"

#include "auth/court_time.h"

#include <ctime>

namespace courtplay::kiosk::app::kit {

ScreenLayout& layout() {
    if (void* own = ImGui::GetIO().UserData) return *static_cast<ScreenLayout*>(own);
    static ScreenLayout unscaled;  // a context KioskWindow did not make: design pixels, nothing kept
    unscaled.drawn.clear();
    return unscaled;
}

void note_touchable(const std::string& label) {
    layout().drawn.push_back({ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), true, label});
}

void note_text() { layout().drawn.push_back({ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), false, {}}); }

bool begin_panel(const char* id, float top, float height, float alpha) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x, vp->Pos.y + top));
    ImGui::SetNextWindowSize(ImVec2(vp->Size.x, height > 0 ? height : vp->Size.y - top));
    ImGui::SetNextWindowBgAlpha(alpha);
    return ImGui::Begin(id, nullptr,
                        ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                            ImGuiWindowFlags_NoBringToFrontOnFocus);
}

void end_panel() { ImGui::End(); }

bool button(const std::string& label, float width, float height, const ImVec4* colour) {
    if (colour) ImGui::PushStyleColor(ImGuiCol_Button, *colour);
    const ImVec2 text = ImGui::CalcTextSize(label.c_str());
    const bool pressed =
        ImGui::Button(label.c_str(), ImVec2(std::max(width, text.x + px(48)), height > 0 ? height : px(90)));
    note_touchable(label);
    if (colour) ImGui::PopStyleColor();
    return pressed;
}

void centred(const std::string& text, ImFont* font, const ImVec4* colour) {
    if (font) ImGui::PushFont(font);
    const float w = ImGui::CalcTextSize(text.c_str()).x;
    ImGui::SetCursorPosX(std::max(0.0f, (ImGui::GetWindowWidth() - w) / 2));
    if (colour) ImGui::TextColored(*colour, "%s", text.c_str());
    else ImGui::TextUnformatted(text.c_str());
    note_text();
    if (font) ImGui::PopFont();
}

void wrapped(const std::string& text, const ImVec4* colour) {
    if (colour) ImGui::PushStyleColor(ImGuiCol_Text, *colour);
    ImGui::TextWrapped("%s", text.c_str());
    note_text();
    if (colour) ImGui::PopStyleColor();
}

std::string duration_words(int64_t s) {
    if (s < 0) s = 0;
    char buf[64];
    if (s >= 86400) std::snprintf(buf, sizeof buf, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    else if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld h %02lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else std::snprintf(buf, sizeof buf, "%lld min %02lld s", (long long)(s / 60), (long long)(s % 60));
    return buf;
}

std::string uk_time_of(const std::string& iso_utc) {
    const std::optional<int64_t> t = auth::parse_iso8601(iso_utc);
    if (!t) return iso_utc;
    const std::time_t local = static_cast<std::time_t>(*t + auth::uk_offset_s(*t));
    std::tm tm{};
    gmtime_r(&local, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%d %b %Y %H:%M:%S", &tm);
    return buf;
}

std::string clip_length(int64_t ms) {
    char buf[32];
    const int64_t s = ms / 1000;
    std::snprintf(buf, sizeof buf, "%lld:%02lld.%lld", (long long)(s / 60), (long long)(s % 60), (long long)(ms % 1000 / 100));
    return buf;
}

std::string digit_keypad(Language lang, const std::string& go) {
    std::string pressed;
    const float key = px(150), gap = px(16), height = px(100), left = (ImGui::GetWindowWidth() - (3 * key + 2 * gap)) / 2;
    static constexpr const char* kKeys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9"};
    for (int i = 0; i < 9; ++i) {
        if (i % 3 == 0) ImGui::SetCursorPosX(left);
        else ImGui::SameLine(0, gap);
        if (ImGui::Button(kKeys[i], ImVec2(key, height))) pressed = kKeys[i];
        note_touchable(kKeys[i]);
    }
    ImGui::SetCursorPosX(left);
    if (ImGui::Button(tr(Text::key_delete, lang), ImVec2(key, height))) pressed = "delete";
    note_touchable(tr(Text::key_delete, lang));
    ImGui::SameLine(0, gap);
    if (ImGui::Button("0", ImVec2(key, height))) pressed = "0";
    note_touchable("0");
    ImGui::SameLine(0, gap);
    ImGui::PushStyleColor(ImGuiCol_Button, kGood);
    if (ImGui::Button(go.c_str(), ImVec2(key, height))) pressed = "go";
    note_touchable(go);
    ImGui::PopStyleColor();
    return pressed;
}

}  // namespace courtplay::kiosk::app::kit
