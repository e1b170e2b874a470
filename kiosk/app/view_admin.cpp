// Court IT's screen, behind a PIN: is the service there, is the audit trail delivered, what the
// cache holds, which displays there are; empty the cache; close the kiosk.
#include "kiosk/app/ui_model.h"
#include "kiosk/app/view_kit.h"
#include "kiosk/app/views.h"

#include "kiosk/clip_cache.h"

namespace courtplay::kiosk::app {

void draw_admin_pin(const UiModel& m, Intents& out) {
    kit::begin_panel("admin_pin");
    const Language lang = m.language;
    ImGui::Dummy(ImVec2(0, kit::px(60)));
    kit::centred(tr(Text::admin_title, lang), m.fonts.large);
    if (!m.admin.pin_set) {
        kit::centred(tr(Text::admin_no_pin, lang), nullptr, &kit::kWarn);
    } else {
        kit::centred(tr(Text::admin_pin, lang));
        kit::centred(std::string(m.admin.pin_typed.size(), '*') + "_", m.fonts.code);
        if (m.admin.pin_wrong) kit::centred(tr(Text::admin_wrong_pin, lang), nullptr, &kit::kBad);
        if (m.admin.pin_wait_s > 0) kit::centred(std::to_string(m.admin.pin_wait_s) + " s", nullptr, &kit::kWarn);
        ImGui::Dummy(ImVec2(0, kit::px(20)));
        const std::string pressed = kit::digit_keypad(lang, "OK");
        if (pressed == "delete") out.push_back({Intent::pin_delete});
        else if (pressed == "go") out.push_back({Intent::pin_submit});
        else if (!pressed.empty()) out.push_back({Intent::pin_char, 0, 0, pressed});
    }
    ImGui::Dummy(ImVec2(0, kit::px(30)));
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - kit::px(300)) / 2);
    if (kit::button(tr(Text::admin_close, lang), kit::px(300))) out.push_back({Intent::admin_close});
    kit::end_panel();
}

void draw_admin(const UiModel& m, Intents& out) {
    kit::begin_panel("admin");
    const Language lang = m.language;
    const AdminModel& a = m.admin;
    ImGui::Dummy(ImVec2(0, kit::px(40)));
    kit::centred(tr(Text::admin_title, lang), m.fonts.large);
    const float indent = kit::px(200);
    ImGui::Indent(indent);
    ImGui::Dummy(ImVec2(0, kit::px(30)));
    ImGui::Text("%s:", tr(Text::admin_service, lang));
    ImGui::SameLine();
    if (a.service_reachable) ImGui::TextColored(kit::kGood, "%s", tr(Text::admin_reachable, lang));
    else ImGui::TextColored(kit::kBad, "%s", tr(Text::admin_unreachable, lang));
    ImGui::TextUnformatted(kit::fmt(Text::admin_backlog, lang, static_cast<long long>(a.backlog)).c_str());
    ImGui::TextUnformatted(kit::fmt(Text::admin_cache, lang, megabytes(a.cache_bytes).c_str(), a.cache_clips).c_str());
    ImGui::TextUnformatted(kit::fmt(Text::admin_displays, lang, a.displays).c_str());
    for (const CourtDisplay& d : m.court_screens.screens)
        ImGui::TextColored(d.connected ? kit::kGood : kit::kBad, "%s",
                           kit::fmt(Text::admin_court_screen, lang, d.name.c_str(),
                                    tr(d.connected ? Text::connected : Text::not_connected, lang)).c_str());
    if (a.purged) ImGui::TextColored(kit::kGood, "%s", tr(Text::admin_purged, lang));
    ImGui::Dummy(ImVec2(0, kit::px(40)));
    if (kit::button(tr(Text::admin_purge, lang), kit::px(460))) out.push_back({Intent::admin_purge});
    ImGui::SameLine(0, kit::px(40));
    if (kit::button(tr(Text::admin_exit, lang), kit::px(460), 0, &kit::kBad)) out.push_back({Intent::admin_exit});
    ImGui::SameLine(0, kit::px(40));
    if (kit::button(tr(Text::admin_close, lang), kit::px(300))) out.push_back({Intent::admin_close});
    ImGui::Unindent(indent);
    kit::end_panel();
}

}  // namespace courtplay::kiosk::app
