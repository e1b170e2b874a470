#include "kiosk/app/clip_player.h"

#include "audit/event.h"
#include "player/audio_renderer.h"

#include <cstdio>
#include <mutex>

namespace courtplay::kiosk::app {
namespace type = audit::event_type;
using player::kNoTime;
using player::Micros;

namespace {
player::PlayerOptions options_for(const auth::GrantClip& clip) {
    player::PlayerOptions o;
    if (clip.segment) {
        o.segment_in = clip.segment->in_ms * 1000;
        o.segment_out = clip.segment->out_ms * 1000;
    }
    return o;
}
constexpr const char* kDisplay = "main screen, full screen";
constexpr const char* kCourtScreens = "court screens";
std::string court_display_name(const std::string& name) { return "court screen " + name; }
}  // namespace

// The sound as heard, passed to the cast while there is one: the player takes its observer once,
// before its audio device starts, and a cast may begin and end mid-clip.
class ClipPlayer::AudioRelay final : public player::AudioObserver {
public:
    void set(player::AudioObserver* to) {
        std::lock_guard hold(to_lock_);
        to_ = to;
    }
    void on_audio(const float* samples, int frames, const player::AudioFormat& format, Micros media, double rate,
                  Micros heard_at) override {
        std::lock_guard hold(to_lock_);  // the cast only queues: held for microseconds
        if (to_) to_->on_audio(samples, frames, format, media, rate, heard_at);
    }

private:
    std::mutex to_lock_;  // guards to_ (audio device thread and main thread)
    player::AudioObserver* to_ = nullptr;
};

ClipPlayer::ClipPlayer(ReadyClip clip, AuditTrail& trail, SDL_Renderer* renderer, std::function<void()> wake, bool sound,
                       CourtDisplays* court, bool receivers)
    : clip_(std::move(clip)),
      journal_(trail, clip_.subject),
      mark_(std::make_unique<watermark::Watermark>(clip_.watermark)),
      texture_(renderer),
      court_allowed_(clip_.clip.perms.cast && ((court && court->configured()) || receivers)),
      court_(court_allowed_ && court && court->configured() ? court : nullptr),
      court_gate_(&journal_, kCourtScreens, true),
      heard_(std::make_unique<AudioRelay>()),
      wake_(wake),
      player_(std::make_unique<player::Player>(
          std::move(clip_.source), options_for(clip_.clip),
          [this, sound](player::AudioFormat wanted) -> std::unique_ptr<player::AudioOutput> {
              std::unique_ptr<player::AudioOutput> out;
              if (sound) out = player::open_sdl_output(wanted);
              if (!out) out = player::open_silent_output(wanted);  // the clock still runs in real time
              if (out) heard_format_ = out->format();  // what a cast encodes
              return out;
          })),
      controls_(*player_, &journal_) {
    stage_.add_mark(mark_.get());
    stage_.add_output(this);
    if (court_allowed_) stage_.add_output(&court_gate_);
    if (court_) {
        court_gate_.add(court_);
        court_->begin_clip(player_->clip().rotation);
    }
    player_->set_audio_observer(heard_.get());
    player_->add_sink(&stage_);
    player_->set_wake(std::move(wake));
    // Log before act: opened, playing and shown are on record before the first frame is decoded.
    const Micros now = player::monotonic_now();
    const player::PlayerState st = player_->state(now);
    journal_.record(type::clip_opened, st.position, {{"duration_ms", std::max<Micros>(0, st.duration) / 1000}});
    journal_.record(type::play, st.position, {});
    journal_.record(type::output_started, st.position, {{"display", kDisplay}});
    if (court_)
        for (const CourtDisplay& d : court_->status())
            if (d.connected) journal_.record(type::output_started, st.position, {{"display", court_display_name(d.name)}, {"blanked", true}});
    player_->start();
}

ClipPlayer::~ClipPlayer() {
    const player::PlayerState last = player_->state(player::monotonic_now());
    player_.reset();
    stop_cast();
    try {
        const Micros at = last.position;
        if (last.ended && last.segment_out != kNoTime)
            journal_.record(type::segment_boundary, at, {{"out_ms", last.segment_out / 1000}});
        if (last.ended) journal_.record(type::clip_ended, at, {});
        journal_.record(type::output_stopped, at, {{"display", kDisplay}});
        if (court_)
            for (const CourtDisplay& d : court_->status())
                if (d.connected) journal_.record(type::output_stopped, at, {{"display", court_display_name(d.name)}});
        journal_.record(type::clip_closed, at, {});
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: the end of the clip's playback could not be recorded: %s\n", e.what());
    }
    texture_.clear();
    if (court_) court_->black();
}

void ClipPlayer::set_court_blank(bool blank) {
    if (court_allowed_) court_gate_.set_blank(blank, player_->state(player::monotonic_now()).position);
}

void ClipPlayer::cast_to(const cast::PairedReceiver& receiver) {
    if (!court_allowed_ || casting() || cast_connecting()) return;
    cast::CastOptions options{receiver.address(), receiver.key()};
    options.frame_rate = player_->clip().frame_rate;
    options.audio = heard_format_;
    cast_display_ = {{"display", "court receiver " + receiver.certified_as()},
                     {"receiver", receiver.certified_as()},
                     {"address", receiver.address().host + ":" + std::to_string(receiver.address().port)}};
    connecting_ = std::make_unique<cast::CastConnect>(std::move(options), wake_);
}

std::optional<std::string> ClipPlayer::follow_cast() {
    if (!connecting_ || !connecting_->done()) return std::nullopt;
    std::unique_ptr<cast::CastSender> caster;
    try {
        caster = connecting_->take();
        connecting_.reset();
        nlohmann::json started = cast_display_;
        started["blanked"] = court_gate_.blank();
        journal_.record(type::output_started, player_->state(player::monotonic_now()).position, started);
    } catch (const cast::CastError& e) {
        connecting_.reset();
        return std::string(e.what());
    } catch (const audit::JournalError& e) {
        caster->abandon("the cast's start could not be recorded");  // nothing was sent: nothing to finish
        return std::string(e.what()) + ". The clip is not cast";
    }
    caster_ = std::move(caster);
    court_gate_.add(caster_.get());
    heard_->set(caster_.get());
    court_gate_.resend();  // what the room sees now (a paused clip, or black) without waiting for a frame
    return std::string();
}

void ClipPlayer::stop_cast() {
    connecting_.reset();  // a connection still being made is given up
    if (!caster_) return;
    heard_->set(nullptr);
    court_gate_.remove(caster_.get());
    caster_->finish();  // what is queued goes out, then the stream ends
    const Micros at = player_ ? player_->state(player::monotonic_now()).position : position_.media;
    try {
        journal_.record(type::output_stopped, at, cast_display_);
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: the end of the cast could not be recorded: %s\n", e.what());
    }
    caster_.reset();
}

void ClipPlayer::court_display_changed(const CourtDisplay& display) {
    if (!court_) return;
    try {
        journal_.record(display.connected ? type::output_started : type::output_stopped,
                        player_->state(player::monotonic_now()).position,
                        {{"display", court_display_name(display.name)}, {"blanked", court_gate_.blank()}});
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: court screen %s %s, which could not be recorded: %s\n", display.name.c_str(),
                     display.connected ? "came back" : "went", e.what());
    }
}

Micros ClipPlayer::tick(Micros now, bool& shown) {
    const Micros wait = player_->tick(now);
    stage_.refresh();  // the watermark's clock moves on while paused too
    shown = fresh_;
    fresh_ = false;
    return wait;
}

void ClipPlayer::present(const player::VideoFrame& frame, const player::FramePosition& position) {
    position_ = position;
    if (texture_.upload(frame.picture.get())) fresh_ = true;
}

void ClipPlayer::repaint(const player::VideoFrame& frame, const player::FramePosition& position,
                         player::PictureRows changed) {
    position_ = position;
    if (texture_.upload(frame.picture.get(), changed)) fresh_ = true;
}

}  // namespace courtplay::kiosk::app
