#include "player/player.h"

#include "player/errors.h"

#include <algorithm>
#include <ctime>

namespace courtplay::player {
namespace {

constexpr size_t kVideoFramesAhead = 6;
// Until the first frame is on screen the decoder runs only one frame ahead: decoding further
// filled both cores of the benchmark's machine while the window was being made and first shown,
// and that, not the decoding of the first frame, was then the way to the first frame
// (docs/benchmarks.md, "Time to first frame"). The bound goes back to kVideoFramesAhead once the
// first frame is taken.
constexpr size_t kVideoFramesBeforeFirst = 1;
constexpr size_t kAudioSamplesAhead = 48000;  // floats: a quarter second of 48 kHz stereo
constexpr size_t kHistoryWhilePlaying = 2;
constexpr Micros kIdle = 20000;               // poll interval when nothing is due (end checks)
// Paused, nothing is due until the user acts (which wakes the loop anyway): a caller polling 50
// times a second while a clip sits paused for minutes in court costs a kiosk its idle target.
constexpr Micros kPausedPoll = 100000;
constexpr Micros kRefill = 1000000;           // pictures read before playback goes on after a wait

}  // namespace

Micros monotonic_now() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<Micros>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

Player::Player(std::unique_ptr<Source> source, PlayerOptions options, const AudioOutputFactory& audio_output)
    : options_(options),
      demuxer_(std::move(source)),
      video_frames_(kVideoFramesBeforeFirst, [](const VideoFrame&) { return size_t{1}; }),
      audio_chunks_(kAudioSamplesAhead, [](const AudioChunk& c) { return c.samples.size(); }),
      history_(options.history_bytes) {
    const std::string& name = demuxer_.info().name;
    if (const AVStream* v = demuxer_.video_stream()) video_decoder_ = std::make_unique<VideoDecoder>(v, name);
    if (const AVStream* a = demuxer_.audio_stream(); a && options_.audio) {
        AudioFormat wanted{a->codecpar->sample_rate > 0 ? a->codecpar->sample_rate : 48000,
                           std::clamp(a->codecpar->ch_layout.nb_channels, 1, 2)};
        audio_output_ = audio_output(wanted);
        if (audio_output_) {
            AudioFormat format = audio_output_->format();
            audio_decoder_ = std::make_unique<AudioDecoder>(a, name, format);
            renderer_ = std::make_unique<AudioRenderer>(audio_chunks_, format, audio_clock_);
        }
    }
    if (!video_decoder_ && !audio_decoder_) throw OpenError(name, "it has sound only, and no sound device is available");
    if (options_.segment_out != kNoTime && renderer_) renderer_->set_stop_at(absolute(options_.segment_out));

    paused_ = options_.start_paused;
    if (video_decoder_) {
        landing_ = Landing{SeekKind::Whole, nullptr, 0};  // the first frame lands like a seek's target
        if (renderer_) renderer_->set_paused(true);
    } else {
        started_ = origin_known_ = true;
        external_clock_.set(demuxer_.info().start, monotonic_now(), serial_);
        external_clock_.set_paused(paused_, monotonic_now());
        if (renderer_) renderer_->set_paused(paused_);
    }
    audio_clock_.set_paused(paused_, monotonic_now());
}

void Player::start() {
    demuxer_.start(video_decoder_ ? &video_packets_ : nullptr, audio_decoder_ ? &audio_packets_ : nullptr);
    if (video_decoder_) video_decoder_->start(&video_packets_, &video_frames_);
    if (audio_decoder_) audio_decoder_->start(&audio_packets_, &audio_chunks_);
    if (audio_output_) audio_output_->start(renderer_.get());
}

Player::~Player() {
    audio_output_.reset();  // the device stops calling the renderer first
    demuxer_.stop();
    video_packets_.abort();
    audio_packets_.abort();
    video_frames_.abort();
    audio_chunks_.abort();
    video_decoder_.reset();
    audio_decoder_.reset();
}

void Player::set_audio_observer(AudioObserver* observer) {
    if (renderer_) renderer_->set_observer(observer);
}

void Player::set_wake(std::function<void()> wake) { video_frames_.on_push(std::move(wake)); }

void Player::post(Intent intent) {
    intent.requested_at = monotonic_now();
    intents_.push_back(intent);
}

void Player::play() { post({Intent::Kind::Play}); }
void Player::pause() { post({Intent::Kind::Pause}); }
void Player::seek(Micros position) { post({Intent::Kind::Seek, position}); }
void Player::jump(Micros delta) { post({Intent::Kind::Jump, delta}); }
void Player::step() { post({Intent::Kind::Step}); }
void Player::back() { post({Intent::Kind::Back}); }
void Player::set_rate(double rate) { post({Intent::Kind::Rate, 0, 0, std::clamp(rate, 0.25, 4.0)}); }
void Player::set_volume(float volume) { post({Intent::Kind::Volume, 0, 0, std::clamp(volume, 0.0f, 1.0f)}); }
void Player::set_muted(bool muted) { post({Intent::Kind::Mute, 0, 0, muted ? 1.0 : 0.0}); }
void Player::set_loop(Micros a, Micros b) { post({Intent::Kind::Loop, a, b}); }
void Player::clear_loop() { post({Intent::Kind::Loop, 0, 0}); }

Micros Player::tick(Micros now) {
    for (;;) {
        if (landing_ && !land(now)) return kIdle;
        if (intents_.empty()) break;
        if (!carry_out(intents_.front(), now)) return kIdle;
        intents_.pop_front();
    }
    Micros wait = !started_ ? kIdle : paused_ ? kPausedPoll : play_due(now);
    check_end();
    return wait;
}

// Takes frames of the seek under way: preroll into the history, then the target onto the screen.
bool Player::land(Micros now) {
    if (!video_decoder_) {
        landing_.reset();
        return true;
    }
    while (auto frame = video_frames_.try_pop()) {
        if (frame->kind == VideoFrame::Kind::Preroll) {
            history_.append(std::move(*frame));
            continue;
        }
        if (frame->kind == VideoFrame::Kind::End) {  // nothing at all to show (an empty or broken clip)
            video_ended_ = true;
            // Nothing will ever be presented: the clip must still end rather than wait for a first frame.
            if (!origin_known_) {
                started_ = true;
                video_frames_.set_capacity(kVideoFramesAhead);
            }
            landing_.reset();
            if (renderer_) renderer_->set_paused(paused_);
            return true;
        }
        if (!origin_known_) {
            // The first frame decoded defines the timeline's 0.
            origin_known_ = true;
            video_frames_.set_capacity(kVideoFramesAhead);
            demuxer_.set_start(frame->time);
            if (options_.segment_out != kNoTime && renderer_) renderer_->set_stop_at(absolute(options_.segment_out));
            if (options_.segment_in != kNoTime && options_.segment_in > 0) {
                // A permitted segment: its first frame, not the clip's, is the first shown.
                begin_seek(clamp_to_segment(absolute(options_.segment_in)), SeekKind::Quick, nullptr, now);
                return false;
            }
        }
        const bool unchanged =
            landing_->kind == SeekKind::Silent && on_screen_.picture && on_screen_.time == frame->time;
        history_.append_current(*frame);
        if (!unchanged) present(*frame);
        if (landing_->timing) record(*landing_->timing, landing_->requested_at);
        started_ = true;
        external_clock_.set(frame->time, monotonic_now(), serial_);  // from when it was on screen
        const bool quick = landing_->kind == SeekKind::Quick;
        landing_.reset();
        if (renderer_) renderer_->set_paused(paused_);
        if (quick && paused_) {
            // The seek skipped frames behind its target to land sooner; backward steps from here
            // need every one. Decode the GOP again, in the background of the paused picture, and
            // take no control until it is in.
            begin_seek(frame->time, SeekKind::Silent, nullptr, now);
            return false;
        }
        return true;
    }
    return false;
}

bool Player::carry_out(const Intent& intent, Micros now) {
    using K = Intent::Kind;
    switch (intent.kind) {
    case K::Play:
        if (resync_ && video_decoder_ && on_screen_.picture) {
            // Frames were stepped: the sound is still where playback paused. Land it on this frame.
            resync_ = false;
            set_paused(false, now);
            if (renderer_) begin_seek(on_screen_.time, SeekKind::Silent, nullptr, now);
            return true;
        }
        set_paused(false, now);
        return true;
    case K::Pause:
        pause_here(now);
        return true;
    case K::Seek:
        begin_seek(clamp_to_segment(absolute(intent.a)), SeekKind::Quick, &stats_.seek_ms, intent.requested_at);
        return true;
    case K::Jump: {
        Micros base = video_decoder_ ? on_screen_.time : master_clock(now);
        if (base == kNoTime) base = demuxer_.info().start;
        begin_seek(clamp_to_segment(base + intent.a), SeekKind::Quick, &stats_.seek_ms, intent.requested_at);
        return true;
    }
    case K::Step: {
        if (!paused_) {
            pause_here(now);
            return false;  // step once the pause has landed
        }
        if (!video_decoder_) return true;
        resync_ = true;
        if (history_.can_step_forward()) {
            present(history_.step_forward());
            record(stats_.step_ms, intent.requested_at);
            return true;
        }
        auto next = video_frames_.try_pop();
        if (!next) return video_ended_;  // wait for the decoder unless there is nothing more
        if (next->kind == VideoFrame::Kind::End) {
            video_ended_ = true;
            return true;
        }
        if (options_.segment_out != kNoTime && next->time > absolute(options_.segment_out)) {
            video_ended_ = true;
            return true;
        }
        history_.append_current(*next);
        present(*next);
        record(stats_.step_ms, intent.requested_at);
        return true;
    }
    case K::Back: {
        if (!paused_) {
            pause_here(now);
            return false;
        }
        if (!video_decoder_) return true;
        resync_ = true;
        if (history_.can_step_back()) {
            present(history_.step_back());
            record(stats_.step_ms, intent.requested_at);
            return true;
        }
        const Micros floor = options_.segment_in != kNoTime ? absolute(options_.segment_in) : demuxer_.info().start;
        if (!on_screen_.picture || on_screen_.time <= floor) return true;  // already at the first frame
        // Before the history: decode the GOP once more; it lands in the history for the next steps.
        begin_seek(on_screen_.time - 1, SeekKind::Whole, &stats_.step_ms, intent.requested_at);
        return true;
    }
    case K::Rate:
        rate_ = intent.value;
        audio_clock_.set_rate(rate_);
        external_clock_.set_rate(rate_);
        if (renderer_ && started_) {  // sound already decoded at the old speed must be redone
            Micros here = video_decoder_ ? on_screen_.time : master_clock(now);
            if (here != kNoTime) begin_seek(here, SeekKind::Silent, nullptr, now);
        }
        return true;
    case K::Volume:
        volume_ = static_cast<float>(intent.value);
        if (renderer_) renderer_->set_volume(volume_);
        return true;
    case K::Mute:
        muted_ = intent.value != 0;
        if (renderer_) renderer_->set_muted(muted_);
        return true;
    case K::Loop:
        if (intent.a < intent.b) {
            loop_a_ = clamp_to_segment(absolute(intent.a));
            loop_b_ = clamp_to_segment(absolute(intent.b));
        } else {
            loop_a_ = loop_b_ = kNoTime;
        }
        return true;
    }
    return true;
}

void Player::begin_seek(Micros absolute_target, SeekKind kind, std::vector<double>* timing, Micros requested_at) {
    if (waiting_since_ != kNoTime) stop_waiting(kNoTime, monotonic_now());  // the seek lands on its own
    ++serial_;
    video_frames_.set_serial(serial_);
    audio_chunks_.set_serial(serial_);
    if (renderer_) {
        renderer_->set_serial(serial_);
        renderer_->set_paused(true);  // sound waits until the picture has landed
    }
    demuxer_.seek(absolute_target, serial_, rate_, kind != SeekKind::Quick);
    history_.clear();
    video_ended_ = false;
    ended_ = false;
    const Micros now = monotonic_now();
    external_clock_.set(absolute_target, now, serial_);
    if (!video_decoder_) {
        if (renderer_) renderer_->set_paused(paused_);
        return;
    }
    landing_ = Landing{kind, timing, requested_at};
}

// Presents every frame that is due by the master clock; returns the time until the next one.
Micros Player::play_due(Micros now) {
    if (!video_decoder_) {
        if (loop_b_ != kNoTime && master_clock(now) >= loop_b_) begin_seek(loop_a_, SeekKind::Quick, nullptr, now);
        return kIdle;
    }
    for (;;) {
        struct Head { bool present; VideoFrame::Kind kind; Micros time; };
        Head head = video_frames_.peek([](const VideoFrame* f) {
            return f ? Head{true, f->kind, f->time} : Head{false, VideoFrame::Kind::End, 0};
        });
        if (!head.present) {
            wait_if_starved(now);
            return kIdle;  // the decoder wakes the loop when the next frame is ready
        }
        if (waiting_since_ != kNoTime) {
            // Bytes are coming again. Go on once a second of pictures is in (or the rest of the
            // clip, if shorter), not frame by frame as they trickle in: on a slow link that would
            // be a stutter of one-frame waits.
            const bool end = head.kind == VideoFrame::Kind::End;
            if (!end && !demuxer_.holds(head.time, kRefill)) return kIdle;
            stop_waiting(end ? kNoTime : head.time, now);
        }
        if (head.kind == VideoFrame::Kind::End) {
            video_frames_.try_pop();
            video_ended_ = true;
            return kIdle;
        }
        if (loop_b_ != kNoTime && head.time > loop_b_) {
            begin_seek(loop_a_, SeekKind::Quick, nullptr, now);
            return 0;
        }
        if (options_.segment_out != kNoTime && head.time > absolute(options_.segment_out)) {
            video_ended_ = true;  // the permitted segment ends here
            return kIdle;
        }
        Micros master = master_clock(now);
        if (master == kNoTime) {
            external_clock_.set(head.time, now, serial_);
            master = head.time;
        }
        // Handed over ahead of its time: by what the sinks take to put a frame on screen, and a
        // little more, on the side IS-191 tolerates (present_lead.h).
        const Micros until_due = static_cast<Micros>(static_cast<double>(head.time - master) / rate_) - lead_.get();
        if (until_due > 0) return until_due;

        VideoFrame frame = std::move(*video_frames_.try_pop());
        bool next_due = video_frames_.peek([&](const VideoFrame* f) {
            return f && f->kind == VideoFrame::Kind::Shown && f->time <= master;
        });
        history_.append_current(std::move(frame));
        history_.keep_before(kHistoryWhilePlaying);
        if (next_due) {
            ++stats_.frames_dropped;  // late by more than a frame: show the next one instead
            continue;
        }
        present(*history_.current());
    }
}

void Player::present(const VideoFrame& frame) {
    on_screen_ = frame;
    const FramePosition position = position_of(frame.time);
    const Micros before_sinks = monotonic_now();
    for (VideoSink* sink : sinks_) sink->present(frame, position);
    const Micros shown_at = monotonic_now();
    lead_.add(shown_at - before_sinks);
    handed_at_ = before_sinks;
    offset_sampled_ = false;
    if (stats_.first_frame_at == kNoTime) stats_.first_frame_at = shown_at;
    ++stats_.frames_presented;
    if (!paused_ && renderer_ && !renderer_->ended(serial_)) {
        Micros audio = audio_clock_.get(shown_at, serial_);
        if (audio != kNoTime) {
            stats_.av_offset_ms.push_back(static_cast<double>(audio - frame.time) / 1000.0);
            offset_sampled_ = true;
            external_clock_.set(audio, shown_at, serial_);  // so a hand-over at the end of sound is seamless
        }
    }
}

void Player::on_screen_at(Micros at) {
    if (handed_at_ == kNoTime || at < handed_at_) return;  // nothing presented since the last call
    lead_.amend_last(at - handed_at_);
    handed_at_ = kNoTime;
    if (!offset_sampled_) return;
    offset_sampled_ = false;
    const Micros audio = audio_clock_.get(at, serial_);
    if (audio != kNoTime) stats_.av_offset_ms.back() = static_cast<double>(audio - on_screen_.time) / 1000.0;
}

void Player::record(std::vector<double>& timing, Micros requested_at) {
    timing.push_back(static_cast<double>(monotonic_now() - requested_at) / 1000.0);
}

// While playing, the history keeps only a couple of frames. On pausing, the GOP on screen is
// decoded once more in the background (a silent seek to the frame on screen, which is not shown
// again), so that backward steps from here are immediate rather than each waiting for a decode.
void Player::pause_here(Micros now) {
    if (paused_) return;
    set_paused(true, now);
    if (video_decoder_ && on_screen_.picture && !video_ended_)
        begin_seek(on_screen_.time, SeekKind::Silent, nullptr, now);
}

// The next frame is due, and nothing is decoded or waiting to be decoded: the clip's bytes have
// stopped coming (a stream whose connection was lost). Playback waits for them with its clocks
// held, like a pause. Were the clock left to run, every frame arriving after the wait would be
// late by the whole wait: dropped, or rushed through until the picture caught up with the clock,
// and the court would not see those frames. (A decoder that is merely slow has packets waiting:
// that is lateness, and late frames are dropped to keep time, as before.)
void Player::wait_if_starved(Micros now) {
    if (waiting_since_ != kNoTime || video_ended_ || !on_screen_.picture) return;
    if (video_packets_.count() > 0 || demuxer_.read_to_end()) return;
    Micros interval = on_screen_.duration;
    if (interval <= 0) {
        const AVRational fr = demuxer_.info().frame_rate;
        interval = fr.num > 0 && fr.den > 0 ? av_rescale(1000000, fr.den, fr.num) : 40000;
    }
    const Micros master = master_clock(now);
    if (master == kNoTime || master < on_screen_.time + interval) return;
    waiting_since_ = now;
    ++stats_.waits;
    audio_clock_.set_paused(true, now);
    external_clock_.set_paused(true, now);
    if (renderer_) renderer_->set_paused(true);
}

// Ends a wait: the clocks run again from `next`, the frame that was waited for (kNoTime: from where
// they stood, for a seek or the end).
void Player::stop_waiting(Micros next, Micros now) {
    stats_.waited += now - waiting_since_;
    waiting_since_ = kNoTime;
    audio_clock_.set_paused(paused_, now);
    external_clock_.set_paused(paused_, now);
    if (next != kNoTime) {
        external_clock_.set(next, now, serial_);
        audio_clock_.set(next, now, serial_);  // until the sound, running again, sets it from what is heard
    }
    if (renderer_ && !landing_) renderer_->set_paused(paused_);
}

void Player::set_paused(bool paused, Micros now) {
    if (paused_ == paused) return;
    if (waiting_since_ != kNoTime) stop_waiting(kNoTime, now);  // a pause holds the clocks itself
    paused_ = paused;
    audio_clock_.set_paused(paused, now);
    external_clock_.set_paused(paused, now);
    if (renderer_ && !landing_) renderer_->set_paused(paused);
}

Micros Player::master_clock(Micros now) const {
    if (renderer_ && !renderer_->ended(serial_)) {
        Micros t = audio_clock_.get(now, serial_);
        if (t != kNoTime) return t;
    }
    return external_clock_.get(now, serial_);
}

Micros Player::clamp_to_segment(Micros t) const {
    const Micros start = demuxer_.info().start;
    Micros lo = options_.segment_in != kNoTime ? absolute(options_.segment_in) : start;
    Micros hi = options_.segment_out != kNoTime ? absolute(options_.segment_out) : INT64_MAX;
    if (demuxer_.info().duration != kNoTime) hi = std::min(hi, start + demuxer_.info().duration);
    return std::clamp(t, lo, std::max(lo, hi));
}

FramePosition Player::position_of(Micros t) const {
    FramePosition p;
    p.media = t - demuxer_.info().start;
    AVRational fr = demuxer_.info().frame_rate;
    if (fr.num > 0 && fr.den > 0) p.frame_number = av_rescale_rnd(p.media, fr.num, int64_t{fr.den} * 1000000, AV_ROUND_NEAR_INF);
    return p;
}

void Player::check_end() {
    if (ended_ || landing_ || paused_ || !started_) return;
    const bool video_done = !video_decoder_ || video_ended_;
    const bool audio_done = !renderer_ || renderer_->ended(serial_);
    if (!video_done || !audio_done) return;
    if (loop_b_ != kNoTime) {
        begin_seek(loop_a_, SeekKind::Quick, nullptr, monotonic_now());
        return;
    }
    ended_ = true;
}

PlayerState Player::state(Micros now) const {
    PlayerState s;
    Micros t = video_decoder_ ? on_screen_.time : master_clock(now);
    if (t == kNoTime) t = demuxer_.info().start;
    FramePosition p = position_of(t);
    s.position = p.media;
    s.frame_number = p.frame_number;
    s.duration = demuxer_.info().duration;
    s.paused = paused_;
    s.waiting = waiting_since_ != kNoTime;
    s.seeking = landing_.has_value();
    s.ended = ended_;
    s.rate = rate_;
    s.volume = volume_;
    s.muted = muted_;
    const Micros start = demuxer_.info().start;
    if (loop_a_ != kNoTime) {
        s.loop_a = loop_a_ - start;
        s.loop_b = loop_b_ - start;
    }
    s.segment_in = options_.segment_in;
    s.segment_out = options_.segment_out;
    return s;
}

}  // namespace courtplay::player
