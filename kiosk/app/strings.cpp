#include "kiosk/app/strings.h"

#include <array>

namespace courtplay::kiosk::app {
namespace {

struct Entry {
    Text key;
    const char* en;
    const char* cy;
};

// The Welsh was written by the developers and wants checking by the court service's Welsh
// Language Unit before a court in Wales relies on it (docs/kiosk.md).
constexpr Entry kTable[] = {
    {Text::language_switch, "Cymraeg", "English"},
    {Text::waiting_prompt, "Enter or scan your share code", "Rhowch neu sganiwch eich cod rhannu"},
    {Text::waiting_touch, "Touch here or start typing", "Cyffyrddwch yma neu dechreuwch deipio"},
    {Text::demo_codes, "Demo share codes", "Codau rhannu'r demo"},
    {Text::code_title, "Share code", "Cod rhannu"},
    {Text::code_hint, "20 letters and numbers, from the share notice", "20 llythyren a rhif, o'r hysbysiad rhannu"},
    {Text::key_delete, "Delete", "Dileu"},
    {Text::key_clear, "Clear", "Clirio"},
    {Text::open_share, "Open share", "Agor y rhannu"},
    {Text::cancel, "Cancel", "Canslo"},
    {Text::code_not_right, "That code is not right. Check it against the share notice and type it again.",
     "Nid yw'r cod hwnnw'n gywir. Gwiriwch ef yn erbyn yr hysbysiad rhannu a'i deipio eto."},
    {Text::redeeming, "Checking the code with the share service...", "Yn gwirio'r cod gyda'r gwasanaeth rhannu..."},
    {Text::refused_title, "This code cannot be used", "Ni ellir defnyddio'r cod hwn"},
    {Text::unreachable_title, "The share service cannot be reached", "Ni ellir cyrraedd y gwasanaeth rhannu"},
    {Text::unreachable_hint, "Try again in a minute. If it keeps happening, call court IT.",
     "Rhowch gynnig arall arni ymhen munud. Os yw'n digwydd o hyd, ffoniwch TG y llys."},
    {Text::audit_blocked_title, "This kiosk cannot play evidence now", "Ni all y ciosg hwn chwarae tystiolaeth nawr"},
    {Text::audit_blocked_hint, "Its record of what was shown cannot be kept. Call court IT.",
     "Ni ellir cadw ei gofnod o'r hyn a ddangoswyd. Ffoniwch TG y llys."},
    {Text::try_again, "Try again", "Rhoi cynnig arall"},
    {Text::back, "Back", "Yn \u00f4l"},
    {Text::banner_cps, "CPS \u00b7 PROSECUTION", "CPS \u00b7 ERLYNIAD"},
    {Text::banner_defence, "DEFENCE", "AMDDIFFYNIAD"},
    {Text::case_label, "Case", "Achos"},
    {Text::share_ends_in, "Share ends in %s", "Mae'r rhannu'n dod i ben ymhen %s"},
    {Text::share_ended, "This share has ended: %s", "Mae'r rhannu hwn wedi dod i ben: %s"},
    {Text::col_clip, "Clip", "Clip"},
    {Text::col_camera, "Camera", "Camera"},
    {Text::col_recorded, "Recorded (UK time)", "Recordiwyd (amser y DU)"},
    {Text::col_length, "Length", "Hyd"},
    {Text::col_may, "Allowed", "Caniateir"},
    {Text::col_evidence, "Evidence", "Tystiolaeth"},
    {Text::perm_view, "view", "gweld"},
    {Text::perm_cache, "keep on kiosk", "cadw ar y ciosg"},
    {Text::perm_cast, "court screens", "sgriniau'r llys"},
    {Text::status_verified_cached, "Original (SHA-256 checked), on this kiosk",
     "Gwreiddiol (SHA-256 wedi'i wirio), ar y ciosg hwn"},
    {Text::status_verified, "Original (SHA-256 checked)", "Gwreiddiol (SHA-256 wedi'i wirio)"},
    {Text::status_caching, "Copying to this kiosk: %d%%", "Yn cop\u00efo i'r ciosg hwn: %d%%"},
    {Text::status_streamed, "Streamed; checked when opened", "Ffrydio; gwirio wrth agor"},
    {Text::status_not_original, "NOT the original: will not play", "NID y gwreiddiol: ni fydd yn chwarae"},
    {Text::status_unavailable, "Cannot be fetched now", "Ni ellir ei n\u00f4l nawr"},
    {Text::play_clip, "Play", "Chwarae"},
    {Text::end_session, "End session", "Gorffen y sesiwn"},
    {Text::end_confirm, "End this session? The share leaves the screen and this kiosk keeps nothing of it that policy does not allow.",
     "Gorffen y sesiwn hon? Mae'r rhannu'n gadael y sgrin ac nid yw'r ciosg yn cadw dim ohono nad yw'r polisi'n ei ganiat\u00e1u."},
    {Text::end_go_back, "Go back", "Mynd yn \u00f4l"},
    {Text::idle_title, "Are you still there?", "Ydych chi yno o hyd?"},
    {Text::idle_body, "The session ends in %d s. Touch the screen or press a key to carry on.",
     "Daw'r sesiwn i ben ymhen %d eiliad. Cyffyrddwch \u00e2'r sgrin neu pwyswch fysell i barhau."},
    {Text::checking_clip, "Proving this is the original clip (SHA-256): %d%%",
     "Yn profi mai dyma'r clip gwreiddiol (SHA-256): %d%%"},
    {Text::opening_clip, "Opening the clip...", "Yn agor y clip..."},
    {Text::clip_failed, "This clip cannot be played", "Ni ellir chwarae'r clip hwn"},
    {Text::clips, "Clips", "Clipiau"},
    {Text::play, "Play", "Chwarae"},
    {Text::pause, "Pause", "Saib"},
    {Text::frame_back, "Frame back", "Ffr\u00e2m yn \u00f4l"},
    {Text::frame_forward, "Frame on", "Ffr\u00e2m ymlaen"},
    {Text::speed, "Speed", "Cyflymder"},
    {Text::sound_off, "Sound off", "Sain i ffwrdd"},
    {Text::sound_on, "Sound on", "Sain ymlaen"},
    {Text::loop_a, "Loop from here", "Dolen o fan hyn"},
    {Text::loop_b, "Loop to here", "Dolen i fan hyn"},
    {Text::loop_off, "Loop off", "Dolen i ffwrdd"},
    {Text::frame, "frame", "ffr\u00e2m"},
    {Text::recorded_utc, "recorded %s UTC", "recordiwyd %s UTC"},
    {Text::recorded_uk, "%s UK time", "%s amser y DU"},
    {Text::segment_limits, "Allowed part: %s to %s", "Y rhan a ganiateir: %s i %s"},
    {Text::admin_title, "Court IT", "TG y llys"},
    {Text::admin_pin, "Enter the admin PIN", "Rhowch y PIN gweinyddu"},
    {Text::admin_wrong_pin, "Wrong PIN.", "PIN anghywir."},
    {Text::admin_no_pin, "No admin PIN is set in this kiosk's config.", "Nid oes PIN gweinyddu yng nghyfluniad y ciosg hwn."},
    {Text::admin_service, "Share service", "Gwasanaeth rhannu"},
    {Text::admin_reachable, "reachable", "ar gael"},
    {Text::admin_unreachable, "NOT reachable", "DDIM ar gael"},
    {Text::admin_backlog, "Audit events not yet delivered: %lld", "Digwyddiadau archwilio heb eu hanfon: %lld"},
    {Text::admin_cache, "Clip cache: %s in %d clips", "Storfa clipiau: %s mewn %d clip"},
    {Text::admin_displays, "Displays: %d", "Sgriniau: %d"},
    {Text::admin_purge, "Empty the clip cache", "Gwagio'r storfa clipiau"},
    {Text::admin_purged, "The clip cache is empty.", "Mae'r storfa clipiau'n wag."},
    {Text::admin_exit, "Close the kiosk", "Cau'r ciosg"},
    {Text::admin_close, "Close", "Cau"},
    {Text::admin_court_screen, "Court screen %s: %s", "Sgrin llys %s: %s"},
    {Text::connected, "connected", "wedi'i chysylltu"},
    {Text::not_connected, "not connected", "heb ei chysylltu"},
    {Text::court_live, "LIVE ON COURT SCREENS", "YN FYW AR SGRINIAU'R LLYS"},
    {Text::court_blank, "COURT SCREENS BLANK", "SGRINIAU'R LLYS YN WAG"},
    {Text::court_not_allowed, "COURT SCREENS BLANK: this share does not allow showing this clip in court",
     "SGRINIAU'R LLYS YN WAG: nid yw'r rhannu hwn yn caniat\u00e1u dangos y clip hwn yn y llys"},
    {Text::court_none_connected, "NO COURT SCREEN CONNECTED", "DIM SGRIN LLYS WEDI'I CHYSYLLTU"},
    {Text::court_missing, "Not connected: %s", "Heb ei chysylltu: %s"},
    {Text::court_show, "Show in court", "Dangos yn y llys"},
    {Text::court_blank_button, "Blank court screens", "Gwagio sgriniau'r llys"},
    {Text::cast_button, "Court receiver...", "Derbynnydd y llys..."},
    {Text::cast_title, "Cast to a court receiver", "Castio i dderbynnydd y llys"},
    {Text::cast_pick, "Which screen?", "Pa sgrin?"},
    {Text::cast_code, "Type the code that screen shows", "Teipiwch y cod sydd ar y sgrin honno"},
    {Text::cast_pair, "Pair", "Paru"},
    {Text::cast_pairing, "Pairing with %s...", "Yn paru gyda %s..."},
    {Text::cast_failed, "Not paired: %s", "Heb baru: %s"},
    {Text::cast_paired, "Receiver: %s", "Derbynnydd: %s"},
    {Text::cast_stop, "Stop casting", "Stopio castio"},
    {Text::receiver_asking, "%s (asking...)", "%s (yn holi...)"},
    {Text::receiver_in_use, "%s (in use)", "%s (yn cael ei defnyddio)"},
    {Text::receiver_not_answering, "%s (not answering)", "%s (dim ateb)"},
    {Text::receivers_looking, "Looking for screens on the network...", "Yn chwilio am sgriniau ar y rhwydwaith..."},
};
static_assert(std::size(kTable) == static_cast<size_t>(Text::count_), "every Text has one entry");

constexpr bool in_order() {
    for (size_t i = 0; i < std::size(kTable); ++i)
        if (static_cast<size_t>(kTable[i].key) != i) return false;
    return true;
}
static_assert(in_order(), "kTable lists the texts in the order of enum Text");

}  // namespace

const char* tr(Text text, Language language) {
    const Entry& e = kTable[static_cast<size_t>(text)];
    return language == Language::cy ? e.cy : e.en;
}

std::string_view language_code(Language language) { return language == Language::cy ? "cy" : "en"; }

}  // namespace courtplay::kiosk::app
