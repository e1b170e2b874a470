// Every word the kiosk's screens say, in English and Welsh (courts in Wales offer both). One table:
// a screen never holds text of its own, so a missing translation is a compile error, not a gap.
// Entries with %s / %d take the same arguments in both languages.
#pragma once

#include <string_view>

namespace courtplay::kiosk::app {

enum class Language { en, cy };

enum class Text {
    language_switch,  // the button that switches to the *other* language, in that language
    waiting_prompt,
    waiting_touch,
    demo_codes,
    code_title,
    code_hint,
    key_delete,
    key_clear,
    open_share,
    cancel,
    code_not_right,
    redeeming,
    refused_title,
    unreachable_title,
    unreachable_hint,
    audit_blocked_title,
    audit_blocked_hint,
    try_again,
    back,
    banner_cps,
    banner_defence,
    case_label,
    share_ends_in,
    share_ended,
    col_clip,
    col_camera,
    col_recorded,
    col_length,
    col_may,
    col_evidence,
    perm_view,
    perm_cache,
    perm_cast,
    status_verified_cached,
    status_verified,
    status_caching,
    status_streamed,
    status_not_original,
    status_unavailable,
    play_clip,
    end_session,
    end_confirm,
    end_go_back,
    idle_title,
    idle_body,
    checking_clip,
    opening_clip,
    clip_failed,
    clips,
    play,
    pause,
    frame_back,
    frame_forward,
    speed,
    sound_off,
    sound_on,
    loop_a,
    loop_b,
    loop_off,
    frame,
    recorded_utc,
    recorded_uk,
    segment_limits,
    admin_title,
    admin_pin,
    admin_wrong_pin,
    admin_no_pin,
    admin_service,
    admin_reachable,
    admin_unreachable,
    admin_backlog,
    admin_cache,
    admin_displays,
    admin_purge,
    admin_purged,
    admin_exit,
    admin_close,
    admin_court_screen,
    connected,
    not_connected,
    court_live,
    court_blank,
    court_not_allowed,
    court_none_connected,
    court_missing,
    court_show,
    court_blank_button,
    count_  // keep last
};

// The text in that language; never null, never empty.
const char* tr(Text text, Language language);
std::string_view language_code(Language language);  // "en", "cy"

}  // namespace courtplay::kiosk::app
