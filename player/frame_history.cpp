#include "player/frame_history.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace courtplay::player {

size_t picture_bytes(const AVFrame* picture) {
    if (!picture) return 0;
    int n = av_image_get_buffer_size(static_cast<AVPixelFormat>(picture->format), picture->width, picture->height, 1);
    return n > 0 ? static_cast<size_t>(n) : 0;
}

void FrameHistory::clear() {
    frames_.clear();
    cursor_ = 0;
    has_current_ = false;
    bytes_ = 0;
}

void FrameHistory::append(VideoFrame frame) {
    bytes_ += picture_bytes(frame.picture.get());
    frames_.push_back(std::move(frame));
    trim();
}

void FrameHistory::append_current(VideoFrame frame) {
    bytes_ += picture_bytes(frame.picture.get());
    frames_.push_back(std::move(frame));
    cursor_ = frames_.size() - 1;
    has_current_ = true;
    trim();
}

void FrameHistory::keep_before(size_t before) {
    while (cursor_ > before) {
        bytes_ -= picture_bytes(frames_.front().picture.get());
        frames_.pop_front();
        --cursor_;
    }
}

// Over the limit, the oldest frames go first; the frame on screen and those after it stay.
void FrameHistory::trim() {
    while (bytes_ > max_bytes_ && frames_.size() > 1 && (!has_current_ || cursor_ > 0)) {
        bytes_ -= picture_bytes(frames_.front().picture.get());
        frames_.pop_front();
        if (has_current_) --cursor_;
    }
}

}  // namespace courtplay::player
