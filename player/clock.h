// A playback clock in the manner of ffplay: a media time and the wall time it was true at, running
// at `rate` while not paused. The audio clock is set from the audio device thread; the presenter
// reads it, so it is guarded.
#pragma once

#include "player/av_ptr.h"

#include <mutex>

namespace courtplay::player {

// CLOCK_MONOTONIC in microseconds: the one wall clock the player uses.
Micros monotonic_now();
// The same in milliseconds: the kiosk screens' timers (idle, cursor, PIN waits, the demo tour).
inline int64_t monotonic_ms() { return monotonic_now() / 1000; }

class Clock {
public:
    void set(Micros media, Micros now, int serial) {
        std::lock_guard lock(mutex_);
        media_ = media;
        at_ = now;
        serial_ = serial;
    }
    // Media time now, or kNoTime when never set for `serial`.
    Micros get(Micros now, int serial) const {
        std::lock_guard lock(mutex_);
        if (media_ == kNoTime || serial_ != serial) return kNoTime;
        if (paused_) return media_;
        return media_ + static_cast<Micros>(static_cast<double>(now - at_) * rate_);
    }
    void set_paused(bool paused, Micros now) {
        std::lock_guard lock(mutex_);
        if (paused == paused_) return;
        if (paused && media_ != kNoTime) media_ += static_cast<Micros>(static_cast<double>(now - at_) * rate_);
        at_ = now;
        paused_ = paused;
    }
    void set_rate(double rate) {
        std::lock_guard lock(mutex_);
        rate_ = rate;
    }
    void reset() {
        std::lock_guard lock(mutex_);
        media_ = kNoTime;
    }

private:
    mutable std::mutex mutex_;  // guards all fields
    Micros media_ = kNoTime;
    Micros at_ = 0;
    int serial_ = -1;
    double rate_ = 1.0;
    bool paused_ = false;
};

}  // namespace courtplay::player
