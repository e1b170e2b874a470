// How far ahead of its time a frame is handed to the sinks.
//
// Putting a 1080p picture into an X window takes a few milliseconds (the watermark's copy, the
// conversion, the on-screen display, the copy to the X server): a frame handed over when it is
// due is seen that much late, with its sound already heard. So the lead starts from the median of
// the last few presentations' durations, as mpv schedules by its measured display latency.
//
// On top of that it aims a little early, on purpose. ATSC IS-191 accepts sound up to 45 ms after
// its picture but only 15 ms before it (people expect sound to lag, as it does across a room). A
// present that runs long (the machine busy elsewhere for a moment) makes the sound early, the
// narrow side; aiming 10 ms early moves the typical offset into the wide side and leaves a long
// present 25 ms before it is out of bounds rather than 15.
#pragma once

#include "player/av_ptr.h"

#include <algorithm>
#include <array>

namespace courtplay::player {

class PresentLead {
public:
    static constexpr Micros kAimEarly = 10000;
    // One slow present (a resize, the first frame) must not move every later frame: the median
    // of the last kKept takes it out, and a duration counts for at most kMaxDraw.
    static constexpr Micros kMaxDraw = 25000;

    void add(Micros took) {
        recent_[next_++ % kKept] = std::clamp<Micros>(took, 0, kMaxDraw);
        count_ = std::min(count_ + 1, kKept);
        update();
    }
    // The last present took longer than add() was told: its picture reached the screen later.
    void amend_last(Micros took) {
        if (count_ == 0) return;
        recent_[(next_ - 1) % kKept] = std::clamp<Micros>(took, 0, kMaxDraw);
        update();
    }
    Micros get() const { return draw_ + kAimEarly; }

private:
    void update() {
        std::array<Micros, kKept> sorted = recent_;
        std::nth_element(sorted.begin(), sorted.begin() + count_ / 2, sorted.begin() + count_);
        draw_ = sorted[count_ / 2];
    }

    static constexpr size_t kKept = 15;
    std::array<Micros, kKept> recent_{};
    size_t next_ = 0, count_ = 0;
    Micros draw_ = 0;
};

}  // namespace courtplay::player
