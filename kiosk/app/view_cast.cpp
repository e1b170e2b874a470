// The cast screen: the clerk picks one of this courtroom's receivers and types the six-digit code
// that screen shows; pairing runs in the background and its outcome is said here and on the
// player's court line.
#include "kiosk/app/ui_model.h"
#include "kiosk/app/view_kit.h"
#include "kiosk/app/views.h"

namespace courtplay::kiosk::app {

void draw_cast(const UiModel& m, Intents& out) {
    kit::begin_panel("cast");
    const Language lang = m.language;
    const CastModel& c = m.cast;
    const CourtCastView& v = m.court_screens.cast;
    ImGui::Dummy(ImVec2(0, kit::px(40)));
    kit::centred(tr(Text::cast_title, lang), m.fonts.large);
    ImGui::Dummy(ImVec2(0, kit::px(10)));
    // Side by side, the receivers and the keypad for the code: one above the other they need more
    // than a 16:9 screen's height. A long list scrolls in its column.
    const float list_w = kit::px(900), gap = kit::px(80), pad_w = kit::px(520);
    const float left = (ImGui::GetWindowWidth() - (list_w + gap + pad_w)) / 2, top = ImGui::GetCursorPosY();
    const ImVec2 column(0, ImGui::GetWindowHeight() - top - kit::px(20));
    ImGui::SetCursorPos(ImVec2(left, top));
    ImGui::BeginChild("receivers", ImVec2(list_w, column.y));
    kit::centred(tr(Text::cast_pick, lang));
    // By the name each receiver's certificate gives, as it answered; by address until then.
    for (size_t i = 0; i < v.receivers.size(); ++i) {
        const ReceiverEntry& r = v.receivers[i];
        using State = ReceiverEntry::State;
        std::string label;
        if (r.state == State::free) label = r.name + "  " + r.address;
        else if (r.state == State::in_use) label = kit::fmt(Text::receiver_in_use, lang, (r.name + "  " + r.address).c_str());
        else if (r.state == State::asking) label = kit::fmt(Text::receiver_asking, lang, r.address.c_str());
        else label = kit::fmt(Text::receiver_not_answering, lang, r.address.c_str());
        if (kit::button(label + "##" + std::to_string(i), list_w, kit::px(70), i == c.picked ? &kit::kCps : nullptr))
            out.push_back({Intent::cast_pick, static_cast<int64_t>(i)});
    }
    if (v.looking) kit::centred(tr(Text::receivers_looking, lang));
    ImGui::EndChild();
    ImGui::SetCursorPos(ImVec2(left + list_w + gap, top));
    ImGui::BeginChild("pairing", ImVec2(pad_w, column.y));
    ImGui::PushTextWrapPos(0);  // a long reason for a failed pairing wraps inside the column
    kit::centred(tr(Text::cast_code, lang));
    kit::centred(c.code + "_", m.fonts.code);
    if (v.stage == CourtCastView::Stage::pairing)
        kit::centred(kit::fmt(Text::cast_pairing, lang, v.receiver.c_str()), nullptr, &kit::kWarn);
    else if (v.stage == CourtCastView::Stage::failed)
        kit::centred(kit::fmt(Text::cast_failed, lang, v.problem.c_str()), nullptr, &kit::kBad);
    ImGui::PopTextWrapPos();
    ImGui::Dummy(ImVec2(0, kit::px(10)));
    const std::string pressed = kit::digit_keypad(lang, tr(Text::cast_pair, lang));
    if (pressed == "delete") out.push_back({Intent::cast_delete});
    else if (pressed == "go") out.push_back({Intent::cast_pair});
    else if (!pressed.empty()) out.push_back({Intent::cast_char, 0, 0, pressed});
    ImGui::Dummy(ImVec2(0, kit::px(20)));
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - kit::px(300)) / 2);
    if (kit::button(tr(Text::back, lang), kit::px(300))) out.push_back({Intent::close_cast});
    ImGui::EndChild();
    kit::end_panel();
}

}  // namespace courtplay::kiosk::app
