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
    ImGui::Dummy(ImVec2(0, 40));
    kit::centred(tr(Text::cast_title, lang), m.fonts.large);
    ImGui::Dummy(ImVec2(0, 10));
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
        const float w = 900;
        ImGui::SetCursorPosX((ImGui::GetWindowWidth() - w) / 2);
        if (kit::button(label + "##" + std::to_string(i), w, 70, i == c.picked ? &kit::kCps : nullptr))
            out.push_back({Intent::cast_pick, static_cast<int64_t>(i)});
    }
    if (v.looking) kit::centred(tr(Text::receivers_looking, lang));
    ImGui::Dummy(ImVec2(0, 10));
    kit::centred(tr(Text::cast_code, lang));
    kit::centred(c.code + "_", m.fonts.code);
    if (v.stage == CourtCastView::Stage::pairing)
        kit::centred(kit::fmt(Text::cast_pairing, lang, v.receiver.c_str()), nullptr, &kit::kWarn);
    else if (v.stage == CourtCastView::Stage::failed)
        kit::centred(kit::fmt(Text::cast_failed, lang, v.problem.c_str()), nullptr, &kit::kBad);
    ImGui::Dummy(ImVec2(0, 10));
    const std::string pressed = kit::digit_keypad(lang, tr(Text::cast_pair, lang));
    if (pressed == "delete") out.push_back({Intent::cast_delete});
    else if (pressed == "go") out.push_back({Intent::cast_pair});
    else if (!pressed.empty()) out.push_back({Intent::cast_char, 0, 0, pressed});
    ImGui::Dummy(ImVec2(0, 20));
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - 300) / 2);
    if (kit::button(tr(Text::back, lang), 300)) out.push_back({Intent::close_cast});
    kit::end_panel();
}

}  // namespace courtplay::kiosk::app
