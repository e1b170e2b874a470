// Packets from the demuxer to one decoder. Every item carries the serial of the seek it belongs to;
// the first item of a new serial says where the seek aims, so the decoder can show exactly that
// frame. Unbounded by itself: the demuxer throttles on size(), which keeps one full queue from
// starving the other (a paused audio queue must not stop video frame steps).
#pragma once

#include "player/av_ptr.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

namespace courtplay::player {

struct SeekMark {
    Micros target = kNoTime;  // absolute stream time to land on; kNoTime = continue from here
    double rate = 1.0;        // playback rate from this serial on
    // The frames before the target are kept for backward steps: decode all of them. Otherwise
    // the decoder may skip those nothing refers to (only the target is needed).
    bool whole = true;
};

struct PacketItem {
    PacketPtr packet;  // null: end of stream, drain the decoder
    int serial = 0;
    std::optional<SeekMark> seek;  // set on the first item after a seek
};

class PacketQueue {
public:
    void push(PacketItem item);
    // Blocks until an item is available. Returns nullopt once aborted.
    std::optional<PacketItem> pop();
    void clear();
    void abort();
    size_t count() const;
    size_t bytes() const;
    // Called after each pop, outside the queue's lock: the producer waits on it for room. Set
    // before any consumer starts.
    void on_taken(std::function<void()> taken) { taken_ = std::move(taken); }

private:
    mutable std::mutex mutex_;  // guards items_, bytes_, aborted_
    std::condition_variable ready_;
    std::deque<PacketItem> items_;
    size_t bytes_ = 0;
    bool aborted_ = false;
    std::function<void()> taken_;
};

}  // namespace courtplay::player
