// The clip a share session plays on the kiosk's player screen: the player, the watermark stage,
// the picture as a texture of the kiosk's renderer, and the controls, each recorded in the audit
// journal before it acts. Made and used on the main thread; what it records is about its clip.
#pragma once

#include "cast/cast_connect.h"
#include "cast/cast_sender.h"
#include "cast/paired_receiver.h"
#include "kiosk/app/court_displays.h"
#include "kiosk/app/share_desk.h"
#include "kiosk/controls.h"
#include "kiosk/court_screens.h"
#include "kiosk/video_texture.h"
#include "player/player.h"
#include "watermark/mark_stage.h"

#include <SDL.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace courtplay::kiosk::app {

class ClipPlayer final : private player::VideoSink {
public:
    // Opens the clip (throws player::OpenError), records that it is opened and shown, then starts
    // it. Throws audit::JournalError when that cannot be recorded: then nothing is shown.
    // The court screens (`court`, may be null) and a court receiver (when `receivers`: the kiosk
    // can pair with one) get the clip, blank at first, only if its grant has `cast`.
    ClipPlayer(ReadyClip clip, AuditTrail& trail, SDL_Renderer* renderer, std::function<void()> wake, bool sound,
               CourtDisplays* court, bool receivers);
    ~ClipPlayer() override;  // records the end of the clip's playback (never throws)
    ClipPlayer(const ClipPlayer&) = delete;
    ClipPlayer& operator=(const ClipPlayer&) = delete;

    // One turn of the loop: presents what is due; returns the time until the next thing is due.
    // True in `shown` when a new picture is on the texture.
    player::Micros tick(player::Micros now, bool& shown);
    Controls& controls() { return controls_; }
    player::PlayerState state(player::Micros now) const { return player_->state(now); }
    const player::ClipInfo& info() const { return player_->clip(); }
    bool busy() const { return player_->busy(); }
    const auth::GrantClip& clip() const { return clip_.clip; }
    const player::FramePosition& position() const { return position_; }
    EvidenceBadge badge() const { return clip_.badge ? clip_.badge() : EvidenceBadge{}; }
    void draw(const SDL_Rect& area) { texture_.draw(area, player_->clip().rotation); }
    // What of `area` the picture changed since it was last drawn there (see VideoTexture).
    std::optional<SDL_Rect> changed_on_screen(const SDL_Rect& area) const {
        return texture_.changed_on_screen(area, player_->clip().rotation);
    }
    bool has_picture() const { return !texture_.empty(); }
    // The window has drawn the picture tick() presented last (see Player::on_screen_at).
    void on_screen_at(player::Micros at) { player_->on_screen_at(at); }

    // The court screens: whether this clip may go to them, and whether they are blank.
    bool court_allowed() const { return court_allowed_; }
    bool court_blank() const { return court_gate_.blank(); }
    // Recorded first (output.blanked); throws audit::JournalError, and then nothing changes.
    void set_court_blank(bool blank);
    // A court screen plugged in or unplugged while this clip is up: recorded (output.started or
    // output.stopped, naming it). Never throws: the screen has already come or gone.
    void court_display_changed(const CourtDisplay& display);
    // Begins sending this clip to a paired court receiver, as a stream of its own: its connection
    // is made beside the loop (follow_cast() finishes it), so the controls never wait on it.
    void cast_to(const cast::PairedReceiver& receiver);
    // Once the connection cast_to began is made: recorded (output.started), then the stream goes
    // through the court screens' gate (so blank and show act on it too), and this says so with an
    // empty string. If it could not be made or recorded, why; nothing is sent. Nothing while
    // still connecting, or with no cast begun.
    std::optional<std::string> follow_cast();
    bool casting() const { return caster_ != nullptr; }
    bool cast_connecting() const { return connecting_ != nullptr; }
    // Ends the stream, or gives up its connection (the clerk stopped the cast, or the receiver
    // ended it); a stream that had started is recorded as stopped. Never throws.
    void stop_cast();
private:
    void present(const player::VideoFrame& frame, const player::FramePosition& position) override;
    void repaint(const player::VideoFrame& frame, const player::FramePosition& position,
                 player::PictureRows changed) override;

    ReadyClip clip_;
    ClipJournal journal_;
    std::unique_ptr<watermark::Watermark> mark_;
    watermark::MarkStage stage_;
    VideoTexture texture_;
    bool court_allowed_;          // the grant lets this clip go to the court's screens and receivers
    CourtDisplays* court_;        // null unless allowed and the kiosk has court screens
    CourtScreens court_gate_;     // the court screens' side of the watermark stage: starts blank
    class AudioRelay;
    std::unique_ptr<AudioRelay> heard_;  // the sound as heard, to the cast while there is one
    std::optional<player::AudioFormat> heard_format_;
    std::unique_ptr<cast::CastConnect> connecting_;  // cast_to's connection, until follow_cast takes it
    std::unique_ptr<cast::CastSender> caster_;
    nlohmann::json cast_display_;  // how the audit trail names the receiver
    std::function<void()> wake_;   // the loop's: a connection made must be followed at once
    player::FramePosition position_;
    bool fresh_ = false;
    std::unique_ptr<player::Player> player_;  // after what its sinks write to; stopped first
    Controls controls_;
};

}  // namespace courtplay::kiosk::app
