#include "watermark/mark_stage.h"

extern "C" {
#include <libswscale/swscale.h>
}

#include <chrono>

namespace courtplay::watermark {
namespace {

constexpr size_t kPoolSize = 8;  // frames an output (the dump's writer) may hold at once, and more

bool is_8bit_420(int format) { return format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P; }

}  // namespace

int64_t utc_now_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

MarkStage::MarkStage(WallClock clock) : clock_(std::move(clock)) {}

MarkStage::~MarkStage() { sws_freeContext(sws_); }

// A 4:2:0 picture is copied as it is; anything else (4:2:2 MJPEG, 10-bit, NV12) is converted to
// 4:2:0 at the same size, which is what the screen shows anyway.
player::FramePtr MarkStage::writable_copy(const AVFrame& decoded) {
    const int format = is_8bit_420(decoded.format) ? decoded.format
                                                    : (player::is_full_range(decoded) ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P);
    AVFrame* target = nullptr;
    for (auto& f : pool_)
        if (f->width == decoded.width && f->height == decoded.height && f->format == format && av_frame_is_writable(f.get())) {
            target = f.get();
            break;
        }
    player::FramePtr fresh;
    if (!target) {
        fresh = player::make_frame();
        fresh->width = decoded.width;
        fresh->height = decoded.height;
        fresh->format = format;
        if (av_frame_get_buffer(fresh.get(), 0) < 0) return nullptr;
        target = fresh.get();
        if (pool_.size() == kPoolSize) pool_.erase(pool_.begin());  // a pool of pictures of an old size
        pool_.push_back(std::move(fresh));
    }
    if (format == decoded.format) {
        if (av_frame_copy(target, &decoded) < 0) return nullptr;
    } else {
        sws_ = sws_getCachedContext(sws_, decoded.width, decoded.height, static_cast<AVPixelFormat>(decoded.format),
                                    decoded.width, decoded.height, static_cast<AVPixelFormat>(format), SWS_BICUBIC,
                                    nullptr, nullptr, nullptr);
        if (!sws_) return nullptr;
        sws_scale(sws_, decoded.data, decoded.linesize, 0, decoded.height, target->data, target->linesize);
    }
    av_frame_copy_props(target, &decoded);
    if (format != decoded.format) target->color_range = format == AV_PIX_FMT_YUVJ420P ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    return player::FramePtr(av_frame_clone(target));  // a reference: the pool keeps the buffers
}

void MarkStage::mark_and_send(bool repaint) {
    if (!shown_.picture || outputs_.empty()) return;
    // Let go of the last picture first: unless an output still holds it, the copy below goes into
    // that same buffer, still in the cache. A screen (kiosk::VideoCanvas) holds the picture it
    // shows until the next arrives, for redraws, so with one two buffers take turns (3 MB each at
    // 1080p).
    marked_.reset();
    player::FramePtr copy = writable_copy(*shown_.picture);
    if (!copy) return;  // out of memory: the outputs keep the last marked picture rather than an unmarked one
    const int64_t now = clock_();
    // A repaint of the picture last sent differs from it only where a mark was burned then or is
    // burned now.
    player::PictureRows changed;
    for (FrameMark* mark : marks_) {
        changed = player::span(changed, mark->rows());
        mark->burn(*copy, now);
        changed = player::span(changed, mark->rows());
    }
    if (!shown_sent_) changed = player::PictureRows::all();
    marked_ = std::shared_ptr<const AVFrame>(copy.release(), [](const AVFrame* f) {
        AVFrame* owned = const_cast<AVFrame*>(f);
        av_frame_free(&owned);
    });
    shown_sent_ = true;
    player::VideoFrame out = shown_;
    out.picture = marked_;
    for (player::VideoSink* output : outputs_) {
        if (repaint)
            output->repaint(out, position_, changed);
        else
            output->present(out, position_);
    }
}

void MarkStage::present(const player::VideoFrame& frame, const player::FramePosition& position) {
    shown_ = frame;
    shown_sent_ = false;
    position_ = position;
    mark_and_send(false);
}

bool MarkStage::refresh() {
    if (!shown_.picture || outputs_.empty()) return false;
    const int64_t now = clock_();
    bool stale = false;
    for (const FrameMark* mark : marks_) stale = stale || mark->stale(now);
    if (!stale) return false;
    mark_and_send(true);
    return true;
}

}  // namespace courtplay::watermark
