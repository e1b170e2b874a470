#include "kiosk/app/views.h"

#include "kiosk/app/view_kit.h"

namespace courtplay::kiosk::app {

bool CourtScreensModel::live() const {
    if (!allowed || blank) return false;
    if (casting) return true;
    for (const CourtDisplay& d : screens)
        if (d.connected) return true;
    return false;
}

const char* screen_name(Screen s) {
    switch (s) {
    case Screen::waiting: return "waiting";
    case Screen::code: return "code";
    case Screen::share: return "share";
    case Screen::player: return "player";
    case Screen::cast: return "cast";
    case Screen::confirm_end: return "confirm_end";
    case Screen::admin_pin: return "admin_pin";
    case Screen::admin: return "admin";
    }
    return "?";
}

// Over whatever is on screen: the session is about to end for want of anyone using it.
void draw_idle_warning(const UiModel& m, Intents&) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    const ImVec2 size(kit::px(1100), kit::px(340));
    ImGui::SetNextWindowPos(ImVec2(vp->Pos.x + (vp->Size.x - size.x) / 2, vp->Pos.y + (vp->Size.y - size.y) / 2));
    ImGui::SetNextWindowSize(size);
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.35f, 0.22f, 0.0f, 0.97f));
    ImGui::Begin("idle", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
    ImGui::Dummy(ImVec2(0, kit::px(30)));
    kit::centred(tr(Text::idle_title, m.language), m.fonts.large);
    ImGui::Dummy(ImVec2(0, kit::px(20)));
    ImGui::PushTextWrapPos(size.x - kit::px(40));
    ImGui::SetCursorPosX(kit::px(40));
    kit::wrapped(kit::fmt(Text::idle_body, m.language, *m.idle_left_s));
    ImGui::PopTextWrapPos();
    ImGui::End();
    ImGui::PopStyleColor();
}

void draw_screen(const UiModel& m, Intents& out) {
    switch (m.screen) {
    case Screen::waiting: draw_waiting(m, out); break;
    case Screen::code: draw_code(m, out); break;
    case Screen::share: draw_share(m, out); break;
    case Screen::player: if (m.player) draw_player(m, out); break;
    case Screen::cast: draw_cast(m, out); break;
    case Screen::confirm_end: draw_confirm_end(m, out); break;
    case Screen::admin_pin: draw_admin_pin(m, out); break;
    case Screen::admin: draw_admin(m, out); break;
    }
    if (m.idle_left_s) draw_idle_warning(m, out);
}

}  // namespace courtplay::kiosk::app
