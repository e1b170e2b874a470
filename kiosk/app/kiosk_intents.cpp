// What each intent does: the only place the kiosk's state changes at a screen's request.
#include "kiosk/app/kiosk_app.h"

#include "audit/event.h"
#include "auth/pin_hash.h"
#include "auth/share_token.h"
#include "kiosk/forgetful_memory.h"

#include <algorithm>
#include <cstdio>

namespace courtplay::kiosk::app {
namespace type = audit::event_type;
using player::kNoTime;
using player::Micros;

namespace {
constexpr int kPinTriesBeforeWait = 3;
}  // namespace

void KioskApp::apply(const Intent& in) {
    dirty_ = 2;
    const Micros now = player::monotonic_now();
    switch (in.kind) {
    case Intent::switch_language:
        model_.language = model_.language == Language::en ? Language::cy : Language::en;
        break;
    case Intent::start_code:
        forget(model_.typed);
        model_.code_not_right = false;
        go(Screen::code);
        break;
    case Intent::type_char:
        model_.typed = (model_.typed + in.text).substr(0, 20);
        model_.code_not_right = false;
        break;
    case Intent::delete_char:
        if (!model_.typed.empty()) model_.typed.pop_back();
        model_.code_not_right = false;
        break;
    case Intent::clear_code:
        forget(model_.typed);
        model_.code_not_right = false;
        break;
    case Intent::cancel_code:
        forget(model_.typed);
        go(Screen::waiting);
        break;
    case Intent::submit_code: {
        if (model_.desk.stage == DeskStage::unreachable) desk_.forget_refusal();
        // The check symbol catches a typo before the network is asked.
        const auth::TokenReading reading = auth::read_share_token(model_.typed);
        if (!reading.token) {
            model_.code_not_right = true;
            std::fprintf(stderr, "courtplay: share code not accepted: %s\n", reading.problem.c_str());
            break;
        }
        desk_.redeem(*reading.token);
        break;
    }
    case Intent::dismiss:
        desk_.forget_refusal();
        forget(model_.typed);
        break;
    case Intent::play_clip: desk_.prepare(static_cast<size_t>(in.index)); break;
    case Intent::back_to_clips:
        close_clip();
        go(Screen::share);
        break;
    case Intent::ask_end: go(Screen::confirm_end); break;
    case Intent::open_cast:  // paired already: Stop casting comes first
        if (player_ && player_->court_allowed() && model_.court_screens.receivers &&
            model_.court_screens.cast.stage != CourtCastView::Stage::paired) {
            cast_.survey(model_.cast.receivers, cfg_.cast.court_ca, cfg_.cast.find_receivers);
            go(Screen::cast);
        }
        break;
    case Intent::cast_pick:
        if (in.index >= 0 && size_t(in.index) < model_.court_screens.cast.receivers.size())
            model_.cast.picked = size_t(in.index);
        break;
    case Intent::cast_char:
        if (model_.cast.code.size() < 6) model_.cast.code += in.text;
        break;
    case Intent::cast_delete:
        if (!model_.cast.code.empty()) model_.cast.code.pop_back();
        break;
    case Intent::cast_pair: {
        const CourtCastView& view = model_.court_screens.cast;
        if (view.stage == CourtCastView::Stage::pairing || view.stage == CourtCastView::Stage::paired ||
            model_.cast.picked >= view.receivers.size())
            break;
        const ReceiverEntry& picked = view.receivers[model_.cast.picked];
        cast::PairingRequest request;
        request.receiver = picked.to();
        request.code = model_.cast.code;
        request.court_ca = cfg_.cast.court_ca;
        request.kiosk = cfg_.kiosk_id;
        if (model_.desk.share) {
            request.party = std::string(auth::party_name(model_.desk.share->party));
            request.expires_at = model_.desk.share->expires_at;
        }
        std::fprintf(stderr, "courtplay: pairing with %s\n", picked.address.c_str());
        cast_.pair(std::move(request));
        model_.court_screens.cast = cast_.view();
        break;
    }
    case Intent::cast_stop:
        if (player_) player_->stop_cast();
        cast_.end("the clerk stopped the cast");
        std::fprintf(stderr, "courtplay: the cast is stopped\n");
        refresh_court();
        break;
    case Intent::close_cast: go(player_ ? Screen::player : Screen::share); break;
    case Intent::cancel_end: go(player_ ? Screen::player : Screen::share); break;
    case Intent::confirm_end: end_session(false); break;
    case Intent::pin_char:
        if (model_.admin.pin_typed.size() < 12) model_.admin.pin_typed += in.text;
        model_.admin.pin_wrong = false;
        break;
    case Intent::pin_delete:
        if (!model_.admin.pin_typed.empty()) model_.admin.pin_typed.pop_back();
        break;
    case Intent::pin_submit: {
        if (player::monotonic_ms() < pin_wait_until_ms_ || !model_.admin.pin_set) break;
        const bool right = auth::pin_matches(model_.admin.pin_typed, cfg_.admin.pin_hash);
        forget(model_.admin.pin_typed);
        if (!right) {
            model_.admin.pin_wrong = true;
            // Guessing gets slower: 30 s after three wrong PINs, doubling after each further one.
            if (++wrong_pins_ >= kPinTriesBeforeWait)
                pin_wait_until_ms_ = player::monotonic_ms() + (30000LL << std::min(wrong_pins_ - kPinTriesBeforeWait, 6));
            // Guessing at court IT's PIN is on the record, with how many in a row.
            trail_.record_about({}, type::admin_refused, std::nullopt, {{"wrong_in_row", wrong_pins_}});
            std::fprintf(stderr, "courtplay: a wrong admin PIN was entered (%d in a row)\n", wrong_pins_);
            break;
        }
        wrong_pins_ = 0;
        trail_.record_about({}, type::admin_signed_in);
        refresh_admin();
        go(Screen::admin);
        break;
    }
    case Intent::admin_purge:
        desk_.purge_cache();
        model_.admin.purged = true;
        break;
    case Intent::admin_exit:
        trail_.record_about({}, type::admin_exited);
        std::fprintf(stderr, "courtplay: the kiosk is closed from the admin screen\n");
        if (model_.desk.share) end_session(false);
        quit_ = true;
        break;
    case Intent::admin_close:
        forget(model_.admin.pin_typed);
        model_.admin.pin_wrong = false;
        model_.admin.purged = false;
        if (in.index == 1) {  // open: from the hidden key or corner
            go(Screen::admin_pin);
        } else {
            go(player_ ? Screen::player : model_.desk.share ? Screen::share : Screen::waiting);
        }
        break;
    default:
        if (!player_) break;
        {
            Controls& c = player_->controls();
            const player::PlayerState s = player_->state(now);
            switch (in.kind) {
            case Intent::toggle_play: s.paused ? c.play(now) : c.pause(now); break;
            case Intent::step: c.step(now); break;
            case Intent::back_step: c.back(now); break;
            case Intent::jump: c.jump(in.index, now); break;
            case Intent::seek: c.seek(in.index, now); break;
            case Intent::rate: c.set_rate(std::clamp(in.value, 0.25, 4.0), now); break;
            case Intent::toggle_mute: c.set_muted(!s.muted); break;
            case Intent::volume: c.set_volume(static_cast<float>(in.value)); break;
            case Intent::loop_a: loop_from_ = s.position; break;
            case Intent::loop_b:
                if (loop_from_ != kNoTime && s.position > loop_from_) c.set_loop(loop_from_, s.position, now);
                loop_from_ = kNoTime;
                break;
            case Intent::loop_off:
                loop_from_ = kNoTime;
                c.clear_loop(now);
                break;
            case Intent::court_blank:
                // Recorded first; when it cannot be, the screens stay as they are (and say so).
                try {
                    player_->set_court_blank(in.value != 0);
                } catch (const audit::JournalError& e) {
                    std::fprintf(stderr, "courtplay: %s. The court screens are left as they were.\n", e.what());
                }
                std::fprintf(stderr, "courtplay: court screens %s\n", player_->court_blank() ? "blank" : "live");
                refresh_court();
                break;
            default: break;
            }
        }
    }
}

}  // namespace courtplay::kiosk::app
