// The player's controls under the picture: a scrubber that seeks exactly (the permitted segment
// and the A-B loop drawn on it), where playback is (media time, frame, recording time in UTC and
// UK time), whether the clip is proven original, and the transport.
#include "kiosk/app/ui_model.h"
#include "kiosk/app/view_kit.h"
#include "kiosk/app/views.h"

#include "auth/court_time.h"
#include "kiosk/timecode.h"

#include <ctime>

namespace courtplay::kiosk::app {
namespace {
using player::kNoTime;
using player::Micros;

// "14:03:22.480" of `t` Unix seconds plus `us` microseconds, shifted by `offset_s`.
std::string clock_at(int64_t t, Micros us, int offset_s) {
    const int64_t ms = t * 1000 + us / 1000 + int64_t(offset_s) * 1000;
    const std::time_t s = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
    return buf;
}

std::string where(const PlayerModel& p, Language lang) {
    std::string line = format_media_time(p.position.media) + "   " + tr(Text::frame, lang) + " " +
                       std::to_string(p.position.frame_number);
    if (const std::optional<int64_t> start = auth::parse_iso8601(p.recorded_at)) {
        line += "   " + kit::fmt(Text::recorded_utc, lang, clock_at(*start, p.position.media, 0).c_str());
        line += "   " + kit::fmt(Text::recorded_uk, lang,
                                 clock_at(*start, p.position.media, auth::uk_offset_s(*start)).c_str());
    }
    return line;
}

// The timeline: drawn by hand so a touch lands exactly where it points, with what is not permitted
// greyed and the loop marked. A press seeks to the time under it.
void scrubber(const PlayerModel& p, Intents& out) {
    const player::PlayerState& s = p.state;
    const float margin = kit::px(40), width = ImGui::GetWindowWidth() - 2 * margin, height = kit::px(56);
    ImGui::SetCursorPosX(margin);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::InvisibleButton("scrubber", ImVec2(width, height));
    kit::note_touchable("scrubber");
    if (s.duration <= 0) return;
    auto x_of = [&](Micros t) { return at.x + width * float(double(t) / double(s.duration)); };
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float mid = at.y + height / 2, bar = kit::px(8);
    dl->AddRectFilled(ImVec2(at.x, mid - bar), ImVec2(at.x + width, mid + bar), ImGui::GetColorU32(ImVec4(0.35f, 0.35f, 0.35f, 1)));
    if (s.segment_in != kNoTime) {
        const ImU32 grey = ImGui::GetColorU32(ImVec4(0.12f, 0.12f, 0.12f, 1));
        dl->AddRectFilled(ImVec2(at.x, at.y), ImVec2(x_of(s.segment_in), at.y + height), grey);
        dl->AddRectFilled(ImVec2(x_of(s.segment_out), at.y), ImVec2(at.x + width, at.y + height), grey);
    }
    if (s.loop_a != kNoTime)
        dl->AddRectFilled(ImVec2(x_of(s.loop_a), mid - kit::px(14)), ImVec2(x_of(s.loop_b), mid + kit::px(14)), ImGui::GetColorU32(kit::kWarn));
    dl->AddRectFilled(ImVec2(at.x, mid - bar), ImVec2(x_of(s.position), mid + bar), ImGui::GetColorU32(kit::kGood));
    dl->AddCircleFilled(ImVec2(x_of(s.position), mid), kit::px(20), ImGui::GetColorU32(ImVec4(1, 1, 1, 1)));
    if (ImGui::IsItemActivated()) {
        const float x = ImGui::GetIO().MousePos.x - at.x;
        out.push_back({Intent::seek, Micros(double(std::clamp(x / width, 0.0f, 1.0f)) * double(s.duration))});
    }
}

// What the room sees, always in sight of the clerk, and the one button that changes it. Red when
// the evidence is on the court's screens: nobody should put it there without knowing.
void court_strip(const CourtScreensModel& c, Language lang, Intents& out) {
    if (!c.configured && !c.receivers) return;
    std::string missing;
    int connected = 0;
    for (const CourtDisplay& d : c.screens) {
        if (d.connected) ++connected;
        else missing += (missing.empty() ? "" : ", ") + d.name;
    }
    const float margin = kit::px(40), between = kit::px(50);
    ImGui::SetCursorPosX(margin);
    const bool live = c.live();
    const Text state = !c.allowed                    ? Text::court_not_allowed
                       : live                         ? Text::court_live
                       : connected == 0 && !c.casting ? Text::court_none_connected
                                                      : Text::court_blank;
    // Filled badges, white on red while the room sees the evidence or a screen is missing, white on
    // dark amber otherwise: seen from across the desk.
    auto badge = [](const std::string& words, const ImVec4& colour) {
        const ImVec2 at = ImGui::GetCursorScreenPos(), size = ImGui::CalcTextSize(words.c_str());
        const float x = kit::px(12), y = kit::px(8);
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x - x, at.y - y), ImVec2(at.x + size.x + x, at.y + size.y + y),
                                                  ImGui::GetColorU32(colour), y);
        ImGui::TextColored(ImVec4(1, 1, 1, 1), "%s", words.c_str());
    };
    badge(tr(state, lang), live ? kit::kBad : ImVec4(0.55f, 0.33f, 0.0f, 1));
    if (!missing.empty()) {
        ImGui::SameLine(0, between);
        badge(kit::fmt(Text::court_missing, lang, missing.c_str()), kit::kBad);
    }
    if (c.cast.stage == CourtCastView::Stage::paired) {
        ImGui::SameLine(0, between);
        badge(kit::fmt(Text::cast_paired, lang, c.cast.receiver.c_str()), c.casting && live ? kit::kBad : kit::kCps);
    }
    if (!c.allowed) return;
    // From the right: show/blank, then the receiver's button.
    const std::string label = tr(c.blank ? Text::court_show : Text::court_blank_button, lang);
    const ImGuiStyle& style = ImGui::GetStyle();
    float right = ImGui::GetWindowWidth() - margin - ImGui::CalcTextSize(label.c_str()).x - 2 * style.FramePadding.x;
    if (c.receivers) {
        const bool paired = c.cast.stage == CourtCastView::Stage::paired;
        const std::string cast_label = tr(paired ? Text::cast_stop : Text::cast_button, lang);
        const float left = right - kit::px(30) - ImGui::CalcTextSize(cast_label.c_str()).x - 2 * style.FramePadding.x;
        ImGui::SameLine(left);
        if (kit::button(cast_label, 0, kit::px(56))) out.push_back({paired ? Intent::cast_stop : Intent::open_cast});
    }
    ImGui::SameLine(right);
    if (kit::button(label, 0, kit::px(56), c.blank ? &kit::kBad : &kit::kGood))
        out.push_back({Intent::court_blank, 0, c.blank ? 0.0 : 1.0});
}

}  // namespace

void draw_player(const UiModel& m, Intents& out) {
    const PlayerModel& p = *m.player;
    const Language lang = m.language;
    const player::PlayerState& s = p.state;
    kit::begin_panel("controls", p.video_bottom);
    const bool cps = m.desk.share && m.desk.share->party == auth::Party::cps;
    ImGui::GetWindowDrawList()->AddRectFilled(ImGui::GetWindowPos(),
                                              ImVec2(ImGui::GetWindowPos().x + ImGui::GetWindowWidth(),
                                                     ImGui::GetWindowPos().y + kit::px(8)),
                                              ImGui::GetColorU32(cps ? kit::kCps : kit::kDefence));
    ImGui::Dummy(ImVec2(0, kit::px(4)));
    scrubber(p, out);
    const float margin = kit::px(40);
    ImGui::SetCursorPosX(margin);
    ImGui::TextUnformatted(where(p, lang).c_str());
    // Whether this is proven to be the original, always in sight; the permitted part beside it.
    ImGui::SetCursorPosX(margin);
    if (!p.badge.text.empty()) {
        const ImVec4& c = p.badge.tone == EvidenceBadge::Tone::verified ? kit::kGood
                          : p.badge.tone == EvidenceBadge::Tone::failed ? kit::kBad : kit::kWarn;
        ImGui::TextColored(c, "%s", p.badge.text.c_str());
    } else {
        ImGui::NewLine();
    }
    if (s.segment_in != kNoTime) {
        const std::string limits = kit::fmt(Text::segment_limits, lang, format_media_time(s.segment_in).c_str(),
                                            format_media_time(s.segment_out).c_str());
        ImGui::SameLine(ImGui::GetWindowWidth() - ImGui::CalcTextSize(limits.c_str()).x - margin);
        ImGui::TextColored(kit::kWarn, "%s", limits.c_str());
    }
    // The transport, in rows that wrap: a button that would pass the right margin (longer words in
    // Welsh) starts the next row rather than leave the window.
    ImGui::SetCursorPosX(margin);
    const float h = kit::px(72);
    auto push = [&](const std::string& label, Intent intent, float w = 0, const ImVec4* colour = nullptr) {
        const float need = std::max(w, ImGui::CalcTextSize(label.c_str()).x + kit::px(48));
        if (ImGui::GetCursorPosX() > margin && ImGui::GetCursorPosX() + need > ImGui::GetWindowWidth() - margin) {
            ImGui::NewLine();
            ImGui::SetCursorPosX(margin);
        }
        if (kit::button(label, w, h, colour)) out.push_back(std::move(intent));
        ImGui::SameLine(0, kit::px(12));
    };
    push(tr(Text::clips, lang), {Intent::back_to_clips});
    push("-30 s", {Intent::jump, -30000000});
    push("-5 s", {Intent::jump, -5000000});
    push(tr(Text::frame_back, lang), {Intent::back_step});
    push(tr(s.paused ? Text::play : Text::pause, lang), {Intent::toggle_play}, kit::px(200), &kit::kGood);
    push(tr(Text::frame_forward, lang), {Intent::step});
    push("+5 s", {Intent::jump, 5000000});
    push("+30 s", {Intent::jump, 30000000});
    for (double r : {0.5, 1.0, 2.0}) {
        const bool now = std::abs(s.rate - r) < 1e-6;
        push(format_rate(r), {Intent::rate, 0, r}, 0, now ? &kit::kCps : nullptr);
    }
    push(tr(s.muted ? Text::sound_on : Text::sound_off, lang), {Intent::toggle_mute});
    push(tr(Text::loop_a, lang), {Intent::loop_a});
    push(tr(Text::loop_b, lang), {Intent::loop_b});
    if (s.loop_a != kNoTime) push(tr(Text::loop_off, lang), {Intent::loop_off});
    ImGui::NewLine();
    court_strip(m.court_screens, lang, out);
    kit::end_panel();
}

}  // namespace courtplay::kiosk::app
