// The player: the composition of one clip's pipeline (source -> demuxer -> decoders -> presenter ->
// video sinks, and -> audio renderer -> device) and the controls a court user has over it.
//
// Threads: the demuxer, one decoder per stream and the audio device run on their own; everything
// in this class's public interface is called on the main thread. Controls are queued and carried
// out in order, each waiting for the one before to finish (a step after a seek steps from the seek's
// frame). The player never calls the UI: it presents frames to its sinks, publishes state(), and
// wakes the main loop through the callback given to set_wake().
#pragma once

#include "player/audio_renderer.h"
#include "player/demuxer.h"
#include "player/frame_history.h"
#include "player/present_lead.h"
#include "player/video_decoder.h"

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace courtplay::player {

struct PlayerOptions {
    bool audio = true;                   // false: ignore the clip's sound entirely
    size_t history_bytes = 256u << 20;   // decoded frames kept for backward steps
    Micros segment_in = kNoTime;         // permitted segment, timeline time (from the first frame)
    Micros segment_out = kNoTime;
    bool start_paused = false;
};

// Rows [first, first + count) of a picture.
struct PictureRows {
    int first = 0;
    int count = 0;
    static PictureRows all() { return {0, 1 << 30}; }
    bool operator==(const PictureRows&) const = default;
};

// The smallest run of rows holding both.
inline PictureRows span(PictureRows a, PictureRows b) {
    if (a.count <= 0) return b;
    if (b.count <= 0) return a;
    const int first = a.first < b.first ? a.first : b.first;
    const int end = a.first + a.count > b.first + b.count ? a.first + a.count : b.first + b.count;
    return {first, end - first};
}

// Where a presented frame sits on the timeline.
struct FramePosition {
    Micros media = 0;          // from the timeline's 0 (the first video frame)
    int64_t frame_number = 0;  // from the nominal frame rate
};

class VideoSink {
public:
    virtual ~VideoSink() = default;
    // Main thread, once per frame put on screen. From the player, `picture` is exactly as decoded;
    // from the watermark stage (watermark/mark_stage.h), it is the marked copy.
    virtual void present(const VideoFrame& frame, const FramePosition& position) = 0;
    // The frame on screen again, its picture changed only in the rows `changed` since the picture
    // this sink was last given (the watermark's clock moved on while paused). Not a new
    // presentation: a sink that counts frames ignores it.
    virtual void repaint(const VideoFrame& frame, const FramePosition& position, PictureRows changed) {
        (void)changed;
        present(frame, position);
    }
};

struct PlayerState {
    Micros position = 0;  // timeline time of what is shown (or heard, for sound-only clips)
    Micros duration = kNoTime;
    int64_t frame_number = 0;
    bool paused = false;
    // Playing, but the next frame's bytes have not arrived (a stream waiting on the network): the
    // clocks stand still until the demuxer has refilled, and playback continues from that frame.
    bool waiting = false;
    bool seeking = false;
    bool ended = false;
    double rate = 1.0;
    float volume = 1.0f;
    bool muted = false;
    Micros loop_a = kNoTime, loop_b = kNoTime;
    Micros segment_in = kNoTime, segment_out = kNoTime;
};

struct PlaybackStats {
    int64_t frames_presented = 0;
    int64_t frames_dropped = 0;
    Micros first_frame_at = kNoTime;     // monotonic time the first frame was presented
    std::vector<double> av_offset_ms;    // audio clock minus frame time, at each presentation
    std::vector<double> seek_ms;         // seek request to its frame presented
    std::vector<double> step_ms;         // step or back request to its frame presented
    int64_t waits = 0;                   // times playback waited for the clip's bytes
    Micros waited = 0;                   // how long it waited, in all
};

using AudioOutputFactory = std::function<std::unique_ptr<AudioOutput>(AudioFormat wanted)>;

class Player {
public:
    // Opens the clip and its decoders. Throws OpenError. Nothing runs until start().
    Player(std::unique_ptr<Source> source, PlayerOptions options, const AudioOutputFactory& audio_output);
    ~Player();
    Player(const Player&) = delete;
    Player& operator=(const Player&) = delete;

    const ClipInfo& clip() const { return demuxer_.info(); }
    void add_sink(VideoSink* sink) { sinks_.push_back(sink); }
    // These two are read by the worker threads, so they are set before start().
    void set_audio_observer(AudioObserver* observer);
    void set_wake(std::function<void()> wake);  // called from worker threads when tick() has work
    // Starts the demuxer, decoder and audio device threads.
    void start();

    // Controls (queued; see above). Times are timeline times.
    void play();
    void pause();
    void seek(Micros position);
    void jump(Micros delta);
    void step();
    void back();
    void set_rate(double rate);  // clamped to 0.25..4
    void set_volume(float volume);
    void set_muted(bool muted);
    void set_loop(Micros a, Micros b);  // a >= b clears the loop
    void clear_loop();

    // Main loop: carries out due work and presents due frames. Returns how long it may sleep.
    Micros tick(Micros now);
    PlayerState state(Micros now) const;
    const PlaybackStats& stats() const { return stats_; }
    bool ended() const { return ended_; }
    // True while a control is queued or a seek has not landed yet.
    bool busy() const { return landing_.has_value() || !intents_.empty(); }
    // The picture on screen, for redraws (window exposed or resized); null before the first.
    const VideoFrame* current() const { return on_screen_.picture ? &on_screen_ : nullptr; }
    // For a window that draws the presented picture after tick() returns (the kiosk's console):
    // the picture presented last reached the screen at `at`. Its presentation counts as lasting
    // until then, for the lead (present_lead.h) and the A/V offset in stats().
    void on_screen_at(Micros at);

private:
    struct Intent {
        enum class Kind { Play, Pause, Seek, Jump, Step, Back, Rate, Volume, Mute, Loop } kind;
        Micros a = 0, b = 0;
        double value = 0;
        Micros requested_at = 0;
    };
    enum class SeekKind {
        Quick,   // shown; frames no other refers to, before the target, are left undecoded
        Whole,   // shown; every frame before the target is decoded into the history
        Silent,  // re-aligns sound only (whole): the frame on screen does not change
    };
    struct Landing {  // a seek on its way
        SeekKind kind;
        std::vector<double>* timing;  // where the time to land is recorded (stats_), or null
        Micros requested_at;
    };

    void post(Intent intent);
    bool carry_out(const Intent& intent, Micros now);  // false: not finished, retry next tick
    void begin_seek(Micros absolute, SeekKind kind, std::vector<double>* timing, Micros requested_at);
    bool land(Micros now);
    Micros play_due(Micros now);
    void present(const VideoFrame& frame);
    void record(std::vector<double>& timing, Micros requested_at);
    void pause_here(Micros now);
    void set_paused(bool paused, Micros now);
    void wait_if_starved(Micros now);
    void stop_waiting(Micros next, Micros now);
    Micros master_clock(Micros now) const;
    Micros clamp_to_segment(Micros absolute) const;
    Micros absolute(Micros timeline) const { return timeline + demuxer_.info().start; }
    FramePosition position_of(Micros absolute) const;
    void check_end();

    PlayerOptions options_;
    Demuxer demuxer_;
    PacketQueue video_packets_, audio_packets_;
    VideoFrameQueue video_frames_;
    AudioChunkQueue audio_chunks_;
    std::unique_ptr<VideoDecoder> video_decoder_;
    std::unique_ptr<AudioDecoder> audio_decoder_;
    Clock audio_clock_, external_clock_;
    std::unique_ptr<AudioOutput> audio_output_;
    std::unique_ptr<AudioRenderer> renderer_;
    std::vector<VideoSink*> sinks_;

    // Main thread only:
    int serial_ = 0;
    std::deque<Intent> intents_;
    std::optional<Landing> landing_;
    FrameHistory history_;
    VideoFrame on_screen_;
    bool started_ = false;    // the first frame has been presented
    bool origin_known_ = false;  // the first frame's time (the timeline's 0) is known
    bool paused_ = false;
    Micros waiting_since_ = kNoTime;  // playing, but waiting for the clip's bytes since then
    bool resync_ = false;     // frames were stepped while paused: sound must be re-aligned on play
    bool video_ended_ = false;
    bool ended_ = false;
    double rate_ = 1.0;
    float volume_ = 1.0f;
    bool muted_ = false;
    Micros loop_a_ = kNoTime, loop_b_ = kNoTime;  // absolute
    PresentLead lead_;
    Micros handed_at_ = kNoTime;    // when the last present began; kNoTime once on_screen_at() took it
    bool offset_sampled_ = false;  // the last present added an A/V offset to stats_
    PlaybackStats stats_;
};

}  // namespace courtplay::player
