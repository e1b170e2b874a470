#include "kiosk/app/clip_player.h"

#include "audit/event.h"
#include "player/audio_renderer.h"

#include <cstdio>

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

ClipPlayer::ClipPlayer(ReadyClip clip, AuditTrail& trail, SDL_Renderer* renderer, std::function<void()> wake, bool sound,
                       CourtDisplays* court)
    : clip_(std::move(clip)),
      journal_(trail, clip_.subject),
      mark_(std::make_unique<watermark::Watermark>(clip_.watermark)),
      texture_(renderer),
      court_(court && court->configured() && clip_.clip.perms.cast ? court : nullptr),
      court_gate_(&journal_, kCourtScreens, true),
      player_(std::make_unique<player::Player>(
          std::move(clip_.source), options_for(clip_.clip),
          [sound](player::AudioFormat wanted) -> std::unique_ptr<player::AudioOutput> {
              if (sound)
                  if (auto out = player::open_sdl_output(wanted)) return out;
              return player::open_silent_output(wanted);  // the clock still runs in real time
          })),
      controls_(*player_, &journal_) {
    stage_.add_mark(mark_.get());
    stage_.add_output(this);
    if (court_) {
        court_gate_.add(court_);
        stage_.add_output(&court_gate_);
        court_->begin_clip(player_->clip().rotation);
    }
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
    if (court_) court_gate_.set_blank(blank, player_->state(player::monotonic_now()).position);
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

}  // namespace courtplay::kiosk::app
