// The share overview (whose share, which case, until when, and each clip with what it may do and
// whether it is proven original) and the end-of-session question.
#include "kiosk/app/ui_model.h"
#include "kiosk/app/view_kit.h"
#include "kiosk/app/views.h"

namespace courtplay::kiosk::app {
namespace {

std::string permissions(const auth::Perms& p, Language lang) {
    std::string s;
    auto add = [&](bool on, Text t) {
        if (!on) return;
        if (!s.empty()) s += ", ";
        s += tr(t, lang);
    };
    add(p.view, Text::perm_view);
    add(p.cache, Text::perm_cache);
    add(p.cast, Text::perm_cast);
    return s;
}

// The evidence column: proven or not, where the bytes come from, and progress.
void status_cell(const ClipView& c, Language lang) {
    switch (c.status) {
    case ClipStatus::cached: kit::wrapped(tr(Text::status_verified_cached, lang), &kit::kGood); break;
    case ClipStatus::verified: kit::wrapped(tr(Text::status_verified, lang), &kit::kGood); break;
    case ClipStatus::caching: kit::wrapped(kit::fmt(Text::status_caching, lang, c.percent), &kit::kWarn); break;
    case ClipStatus::checking: kit::wrapped(kit::fmt(Text::checking_clip, lang, c.percent), &kit::kWarn); break;
    case ClipStatus::streamed: kit::wrapped(tr(Text::status_streamed, lang), &kit::kDim); break;
    case ClipStatus::not_original: kit::wrapped(tr(Text::status_not_original, lang), &kit::kBad); break;
    case ClipStatus::unavailable: kit::wrapped(tr(Text::status_unavailable, lang), &kit::kBad); break;
    }
}

}  // namespace

// The party, unmistakable: its name in its own colour across the top of every share screen.
void draw_banner(const UiModel& m) {
    const ShareView& s = *m.desk.share;
    const bool cps = s.party == auth::Party::cps;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 at = ImGui::GetWindowPos();
    const float height = kit::px(150), margin = kit::px(40);
    dl->AddRectFilled(at, ImVec2(at.x + ImGui::GetWindowWidth(), at.y + height),
                      ImGui::GetColorU32(cps ? kit::kCps : kit::kDefence));
    ImGui::SetCursorPos(ImVec2(margin, kit::px(16)));
    ImGui::PushFont(m.fonts.large);
    ImGui::TextUnformatted(tr(cps ? Text::banner_cps : Text::banner_defence, m.language));
    ImGui::PopFont();
    ImGui::SetCursorPosX(margin);
    ImGui::Text("%s %s   \u00b7   %s", tr(Text::case_label, m.language), s.case_ref.c_str(), s.label.c_str());
    const std::string ends = kit::fmt(Text::share_ends_in, m.language, kit::duration_words(s.expires_at - m.now).c_str());
    ImGui::SetCursorPos(ImVec2(ImGui::GetWindowWidth() - ImGui::CalcTextSize(ends.c_str()).x - margin, kit::px(30)));
    ImGui::TextUnformatted(ends.c_str());
    ImGui::SetCursorPos(ImVec2(0, height + kit::px(20)));
}

void draw_share(const UiModel& m, Intents& out) {
    kit::begin_panel("share");
    if (!m.desk.share) {
        kit::centred("...", m.fonts.large);
        kit::end_panel();
        return;
    }
    const Language lang = m.language;
    const ShareView& s = *m.desk.share;
    draw_banner(m);
    const float margin = kit::px(40);
    // The end button's row is kept free at the bottom: a long list scrolls above it.
    const float end_row = kit::px(100), bottom = kit::px(30);
    ImGui::Indent(margin);
    if (s.ended) kit::wrapped(kit::fmt(Text::share_ended, lang, s.ended->c_str()), &kit::kBad);
    if (!m.desk.clip_problem.empty()) {
        kit::wrapped(tr(Text::clip_failed, lang), &kit::kBad);
        kit::wrapped(m.desk.clip_problem);
    }
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                  ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY;
    const float list_height = ImGui::GetWindowHeight() - bottom - end_row - kit::px(30) - ImGui::GetCursorPosY();
    // As wide as the window less a margin each side (a negative width is ImGui's "all but this").
    if (ImGui::BeginTable("clips", 7, flags, ImVec2(-margin, std::max(list_height, end_row)))) {
        ImGui::TableSetupScrollFreeze(0, 1);  // the column names stay in sight
        const Text heads[] = {Text::col_clip, Text::col_camera, Text::col_recorded, Text::col_length, Text::col_may,
                              Text::col_evidence};
        const float weights[] = {3.0f, 1.1f, 2.1f, 0.8f, 1.6f, 2.2f};
        for (int i = 0; i < 6; ++i) ImGui::TableSetupColumn(tr(heads[i], lang), 0, weights[i]);
        ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed, kit::px(220));
        ImGui::TableHeadersRow();
        for (size_t i = 0; i < s.clips.size(); ++i) {
            const ClipView& c = s.clips[i];
            ImGui::PushID(static_cast<int>(i));
            ImGui::TableNextRow(0, kit::px(110));
            ImGui::TableNextColumn();
            kit::wrapped(c.clip.title);
            ImGui::TableNextColumn();
            kit::wrapped(c.clip.device.empty() ? "-" : c.clip.device);
            ImGui::TableNextColumn();
            kit::wrapped(c.clip.recorded_at.empty() ? "-" : kit::uk_time_of(c.clip.recorded_at));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(kit::clip_length(c.clip.duration_ms).c_str());
            ImGui::TableNextColumn();
            kit::wrapped(permissions(c.clip.perms, lang));
            ImGui::TableNextColumn();
            status_cell(c, lang);
            ImGui::TableNextColumn();
            const bool playable = !s.ended && c.clip.perms.view && c.status != ClipStatus::not_original &&
                                  !m.desk.preparing && !m.desk.ready;
            if (!playable) ImGui::BeginDisabled();
            if (kit::button(tr(Text::play_clip, lang), kit::px(200), 0, &kit::kGood)) out.push_back({Intent::play_clip, int64_t(i)});
            if (!playable) ImGui::EndDisabled();
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    ImGui::Unindent(margin);
    ImGui::SetCursorPos(ImVec2(margin, ImGui::GetWindowHeight() - bottom - end_row));
    if (kit::button(tr(Text::end_session, lang), kit::px(420), end_row, &kit::kBad)) out.push_back({Intent::ask_end});
    kit::end_panel();
}

void draw_confirm_end(const UiModel& m, Intents& out) {
    kit::begin_panel("confirm_end");
    const Language lang = m.language;
    const float margin = kit::px(200);
    ImGui::Dummy(ImVec2(0, kit::px(250)));
    ImGui::Indent(margin);
    ImGui::PushTextWrapPos(ImGui::GetWindowWidth() - margin);
    ImGui::PushFont(m.fonts.large);
    kit::wrapped(tr(Text::end_confirm, lang));
    ImGui::PopFont();
    ImGui::PopTextWrapPos();
    ImGui::Dummy(ImVec2(0, kit::px(60)));
    if (kit::button(tr(Text::end_go_back, lang), kit::px(420), kit::px(120))) out.push_back({Intent::cancel_end});
    ImGui::SameLine(0, kit::px(80));
    if (kit::button(tr(Text::end_session, lang), kit::px(420), kit::px(120), &kit::kBad)) out.push_back({Intent::confirm_end});
    ImGui::Unindent(margin);
    kit::end_panel();
}

}  // namespace courtplay::kiosk::app
