// The waiting screen and the code entry: what a clerk sees first, and the only way in.
#include "kiosk/app/ui_model.h"
#include "kiosk/app/view_kit.h"
#include "kiosk/app/views.h"

#include "auth/court_time.h"

#include <ctime>

namespace courtplay::kiosk::app {
namespace {

std::string uk_clock(int64_t now, const char* format) {
    const std::time_t local = static_cast<std::time_t>(now + auth::uk_offset_s(now));
    std::tm tm{};
    gmtime_r(&local, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

// "7KQ2-M9XD-4H__-____-____": what is typed, in the groups of the share notice.
std::string code_as_typed(const std::string& typed) {
    std::string out;
    for (size_t i = 0; i < 20; ++i) {
        if (i && i % 4 == 0) out += '-';
        out += i < typed.size() ? typed[i] : '_';
    }
    return out;
}

// In the bottom-right corner, or below what the screen shows when that reaches the corner: never
// over it, however small the display.
void language_button(const UiModel& m, Intents& out) {
    const std::string label = std::string(tr(Text::language_switch, m.language)) + "  (F2)";
    const float x = ImGui::GetWindowWidth() - ImGui::CalcTextSize(label.c_str()).x - kit::px(100);
    const float corner = ImGui::GetWindowHeight() - kit::px(110);
    ImGui::SetCursorPos(ImVec2(x, std::max(corner, ImGui::GetCursorPosY() + kit::px(10))));
    if (kit::button(label, 0, kit::px(80))) out.push_back({Intent::switch_language});
}

void keypad(Intents& out, Language lang) {
    static constexpr char kSymbols[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32
    const float key = kit::px(118), gap = kit::px(14), height = kit::px(96);
    const float left = (ImGui::GetWindowWidth() - (8 * key + 7 * gap)) / 2;
    for (int i = 0; i < 32; ++i) {
        if (i % 8 == 0) ImGui::SetCursorPosX(left);
        else ImGui::SameLine(0, gap);
        const char label[2] = {kSymbols[i], 0};
        if (ImGui::Button(label, ImVec2(key, height))) out.push_back({Intent::type_char, 0, 0, label});
        kit::note_touchable(label);
    }
    ImGui::Dummy(ImVec2(0, kit::px(10)));
    ImGui::SetCursorPosX(left);
    const float wide = (8 * key + 7 * gap - 3 * gap) / 4;
    if (kit::button(tr(Text::key_delete, lang), wide, height)) out.push_back({Intent::delete_char});
    ImGui::SameLine(0, gap);
    if (kit::button(tr(Text::key_clear, lang), wide, height)) out.push_back({Intent::clear_code});
    ImGui::SameLine(0, gap);
    if (kit::button(tr(Text::cancel, lang), wide, height)) out.push_back({Intent::cancel_code});
    ImGui::SameLine(0, gap);
    if (kit::button(tr(Text::open_share, lang), wide, height, &kit::kGood)) out.push_back({Intent::submit_code});
}

}  // namespace

void draw_waiting(const UiModel& m, Intents& out) {
    kit::begin_panel("waiting");
    const Language lang = m.language;
    ImGui::Dummy(ImVec2(0, kit::px(40)));
    kit::centred(m.court + (m.room.empty() ? "" : "  \u00b7  " + m.room), m.fonts.large);
    ImGui::Dummy(ImVec2(0, kit::px(20)));
    kit::centred(uk_clock(m.now, "%H:%M"), m.fonts.huge);
    kit::centred(uk_clock(m.now, "%A %d %B %Y"), nullptr, &kit::kDim);
    ImGui::Dummy(ImVec2(0, kit::px(40)));
    kit::centred(tr(Text::waiting_prompt, lang), m.fonts.large);
    ImGui::Dummy(ImVec2(0, kit::px(20)));
    const std::string touch = tr(Text::waiting_touch, lang);
    const float w = kit::px(900);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - w) / 2);
    if (kit::button(touch, w, kit::px(120), &kit::kCps)) out.push_back({Intent::start_code});
    if (!m.demo_codes.empty()) {
        ImGui::Dummy(ImVec2(0, kit::px(24)));
        kit::centred(tr(Text::demo_codes, lang), nullptr, &kit::kDim);
        for (const auto& [label, code] : m.demo_codes) kit::centred(label + "   " + code, m.fonts.code);
    }
    language_button(m, out);
    kit::end_panel();
}

void draw_code(const UiModel& m, Intents& out) {
    kit::begin_panel("code");
    const Language lang = m.language;
    ImGui::Dummy(ImVec2(0, kit::px(30)));
    kit::centred(tr(Text::code_title, lang), m.fonts.large);
    kit::centred(tr(Text::code_hint, lang), nullptr, &kit::kDim);
    ImGui::Dummy(ImVec2(0, kit::px(20)));
    kit::centred(code_as_typed(m.typed), m.fonts.code);
    ImGui::Dummy(ImVec2(0, kit::px(20)));
    const float text_left = kit::px(160);
    ImGui::PushTextWrapPos(ImGui::GetWindowWidth() - text_left);
    switch (m.desk.stage) {
    case DeskStage::redeeming:
        kit::centred(tr(Text::redeeming, lang), m.fonts.large);
        break;
    case DeskStage::refused:
    case DeskStage::unreachable:
    case DeskStage::audit_blocked: {
        const bool refused = m.desk.stage == DeskStage::refused;
        const Text title = refused ? Text::refused_title
                           : m.desk.stage == DeskStage::unreachable ? Text::unreachable_title : Text::audit_blocked_title;
        kit::centred(tr(title, lang), m.fonts.large, &kit::kBad);
        ImGui::SetCursorPosX(text_left);
        kit::wrapped(m.desk.message);
        if (!refused) {
            ImGui::SetCursorPosX(text_left);
            kit::wrapped(tr(m.desk.stage == DeskStage::unreachable ? Text::unreachable_hint : Text::audit_blocked_hint, lang));
        }
        ImGui::Dummy(ImVec2(0, kit::px(30)));
        ImGui::SetCursorPosX(text_left);
        if (kit::button(tr(Text::back, lang), kit::px(300))) out.push_back({Intent::dismiss});
        if (m.desk.stage == DeskStage::unreachable) {
            ImGui::SameLine(0, kit::px(30));
            if (kit::button(tr(Text::try_again, lang), kit::px(300), 0, &kit::kGood)) out.push_back({Intent::submit_code});
        }
        break;
    }
    default:
        if (m.code_not_right) kit::centred(tr(Text::code_not_right, lang), nullptr, &kit::kWarn);
        else ImGui::Dummy(ImVec2(0, ImGui::GetTextLineHeight()));
        ImGui::Dummy(ImVec2(0, kit::px(20)));
        keypad(out, lang);
        break;
    }
    ImGui::PopTextWrapPos();
    kit::end_panel();
}

}  // namespace courtplay::kiosk::app
