// The frames around the one on screen, in presentation order, with a cursor at the one on screen.
// A backward step moves the cursor instead of decoding the GOP again; a forward step after one
// moves it back up. The history holds one contiguous run: a seek starts a new one.
#pragma once

#include "player/video_frame.h"

#include <deque>

namespace courtplay::player {

class FrameHistory {
public:
    explicit FrameHistory(size_t max_bytes) : max_bytes_(max_bytes) {}

    void clear();
    // Adds a frame after the last one without moving the cursor (preroll while a seek lands).
    void append(VideoFrame frame);
    // Appends and puts the cursor on it.
    void append_current(VideoFrame frame);
    bool empty() const { return frames_.empty(); }
    const VideoFrame* current() const { return has_current_ ? &frames_[cursor_] : nullptr; }
    bool can_step_back() const { return has_current_ && cursor_ > 0; }
    bool can_step_forward() const { return has_current_ && cursor_ + 1 < frames_.size(); }
    const VideoFrame& step_back() { return frames_[--cursor_]; }
    const VideoFrame& step_forward() { return frames_[++cursor_]; }
    const VideoFrame& first() const { return frames_.front(); }
    // Keeps at most `before` frames before the cursor (while playing, only a few are useful).
    void keep_before(size_t before);
    size_t size() const { return frames_.size(); }
    size_t bytes() const { return bytes_; }

private:
    void trim();

    std::deque<VideoFrame> frames_;
    size_t cursor_ = 0;
    bool has_current_ = false;  // false while a seek is filling the history
    size_t bytes_ = 0;
    const size_t max_bytes_;
};

size_t picture_bytes(const AVFrame* picture);

}  // namespace courtplay::player
