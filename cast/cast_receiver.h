// The receiving end of a cast (docs/cast.md): listens as an SRT listener with the stream key,
// takes one sender's stream, decodes its pictures and reads each one's media stamp (the sender's
// timeline), and decodes its sound. One thread: receive() blocks; stop() (any thread, or a signal
// handler) ends it.
#pragma once

#include "cast/stream_format.h"
#include "player/av_ptr.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace courtplay::cast {

struct ReceivedPicture {
    std::shared_ptr<const AVFrame> picture;    // as decoded
    std::optional<MediaStamp> stamp;          // the sender's timeline; none from a foreign sender
};

struct ReceiveOutcome {
    bool connected = false;     // a sender's stream was opened
    int64_t pictures = 0;       // decoded
    int64_t unstamped = 0;      // decoded without a media stamp
    std::string error;          // empty: ended by the sender, or stopped
};

class StreamReceiver {
public:
    StreamReceiver(HostPort listen, StreamKey key, int latency_ms);

    // Waits for one sender (only one whose key matches gets through SRT's handshake), then calls
    // `on_picture` (this thread) for each decoded picture until the stream ends or stop(), and
    // `on_sound` (optional) for each decoded block of sound, as the decoder gives it.
    ReceiveOutcome receive(const std::function<void(const ReceivedPicture&)>& on_picture,
                           const std::function<void()>& on_connected = {},
                           const std::function<void(const AVFrame&)>& on_sound = {});
    void stop() { stop_.store(true); }
    bool stopped() const { return stop_.load(); }

private:
    static int interrupted(void* self);
    HostPort listen_;
    StreamKey key_;
    int latency_ms_;
    std::atomic<bool> stop_{false};
};

}  // namespace courtplay::cast
