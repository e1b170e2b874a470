// Casting: the watermarked pictures and the sound as heard, encoded (H.264 with libx264's
// zero-latency tuning, AAC), muxed to MPEG-TS and sent over SRT with AES-256 to one receiver
// (stream_format.h, docs/cast.md). An output of the watermark stage, never of the player itself:
//
//   Player ──> MarkStage ──marked picture──> CastSender ──bounded queue──> encoder thread ──SRT──> receiver
//      └──AudioObserver (the sound as heard)──┘
//
// present() and on_audio() only queue: encoding runs on the sender's own thread, and when it falls
// behind, pictures and sound are dropped and counted rather than holding up playback.
#pragma once

#include "cast/stream_format.h"
#include "player/player.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace courtplay::cast {

struct CastOptions {
    HostPort receiver;
    StreamKey key;
    // SRT takes the larger of the two ends' latencies: the sender asks for SRT's least, so the
    // receiver's config (latency_ms, sized for its network) decides.
    int latency_ms = 20;
    AVRational frame_rate{0, 1};  // the clip's nominal rate, a hint to the rate control
    std::optional<player::AudioFormat> audio;  // the sound as the audio device gets it; none: no sound
    int queue_pictures = 8;       // pictures waiting for the encoder before new ones are dropped
    // Looked at every 0.1 s while SRT waits (for the handshake, or for room to send): once true,
    // the connection being made is given up (CastError) and a stream ends. None: never.
    std::shared_ptr<std::atomic<bool>> give_up;
};

struct CastStats {
    int64_t pictures_sent = 0;
    int64_t pictures_dropped = 0;  // the encoder was behind (or the stream had failed)
    int64_t audio_blocks_dropped = 0;
    int64_t bytes_sent = 0;
};

class CastSender final : public player::VideoSink, public player::AudioObserver {
public:
    // Connects to the receiver (SRT caller). Throws CastError when it cannot: nobody listening,
    // or the handshake refused (a receiver with another key, or one that does not encrypt).
    explicit CastSender(CastOptions options);
    ~CastSender() override;  // finish()es if not done
    CastSender(const CastSender&) = delete;
    CastSender& operator=(const CastSender&) = delete;

    // Main thread, from the watermark stage.
    void present(const player::VideoFrame& frame, const player::FramePosition& position) override;
    void repaint(const player::VideoFrame& frame, const player::FramePosition& position, player::PictureRows) override;
    // Audio device thread.
    void on_audio(const float* samples, int frames, const player::AudioFormat& format, player::Micros media,
                  double rate, player::Micros heard_at) override;

    // Sends what is queued, ends the stream and closes the connection. Idempotent.
    void finish();
    // Stops sending for a reason found elsewhere (the receiver ended the cast on the control
    // channel): what is queued and what comes later is dropped. Any thread.
    void abandon(const std::string& why);
    // Why the stream stopped early (the connection broke, an encoder failed, abandon()), once it has.
    std::optional<std::string> failure() const;
    CastStats stats() const;
    std::string receiver_text() const;

private:
    struct Item;
    class Encoder;
    void queue_picture(const player::VideoFrame& frame, const player::FramePosition& position, bool repaint);
    void run();

    CastOptions options_;
    std::unique_ptr<Encoder> encoder_;  // worker thread only (made here, used there)

    mutable std::mutex lock_;  // guards the members below
    std::condition_variable wake_;
    std::deque<Item> queue_;
    int queued_pictures_ = 0;
    int64_t queued_samples_ = 0;
    bool ending_ = false;
    std::optional<std::string> failure_;
    CastStats stats_;

    std::thread worker_;
};

}  // namespace courtplay::cast
