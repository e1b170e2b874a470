#include "kiosk/court_screens.h"

#include "audit/event.h"

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/imgutils.h>
}

#include <cstring>

namespace courtplay::kiosk {
namespace {

// A black picture like `like` (8-bit YUV, as the watermark stage gives it): limited-range black
// unless the picture is full range. Empty when the format is not one of those.
player::VideoFrame black_like(const AVFrame& like) {
    const auto format = static_cast<AVPixelFormat>(like.format);
    if (format != AV_PIX_FMT_YUV420P && format != AV_PIX_FMT_YUVJ420P) return {};
    AVFrame* f = av_frame_alloc();
    if (!f) return {};
    f->format = like.format;
    f->width = like.width;
    f->height = like.height;
    f->color_range = like.color_range;
    if (av_frame_get_buffer(f, 0) < 0) {
        av_frame_free(&f);
        return {};
    }
    const bool full = format == AV_PIX_FMT_YUVJ420P || like.color_range == AVCOL_RANGE_JPEG;
    for (int plane = 0; plane < 3; ++plane) {
        const int rows = plane == 0 ? f->height : (f->height + 1) / 2;
        std::memset(f->data[plane], plane == 0 ? (full ? 0 : 16) : 128, static_cast<size_t>(f->linesize[plane]) * rows);
    }
    player::VideoFrame out;
    out.picture = std::shared_ptr<const AVFrame>(f, [](const AVFrame* p) {
        AVFrame* owned = const_cast<AVFrame*>(p);
        av_frame_free(&owned);
    });
    return out;
}

}  // namespace

void CourtScreens::present(const player::VideoFrame& frame, const player::FramePosition& position) {
    last_ = frame;
    last_at_ = position;
    send(false);
}

void CourtScreens::repaint(const player::VideoFrame& frame, const player::FramePosition& position,
                           player::PictureRows changed) {
    last_ = frame;
    last_at_ = position;
    send(true, blank_ ? player::PictureRows{} : changed);  // blank, nothing changes on screen
}

void CourtScreens::set_blank(bool blank, player::Micros position) {
    if (blank == blank_) return;
    if (journal_) journal_->record(audit::event_type::output_blanked, position, {{"display", display_}, {"blanked", blank}});
    blank_ = blank;
    if (last_.picture) send(true);  // at once, even while paused
}

void CourtScreens::send(bool repaint, player::PictureRows changed) {
    if (!last_.picture) return;
    const player::VideoFrame* out = &last_;
    if (blank_) {
        const AVFrame& p = *last_.picture;
        if (!black_.picture || black_.picture->width != p.width || black_.picture->height != p.height ||
            black_.picture->format != p.format)
            black_ = black_like(p);
        if (!black_.picture) return;  // nothing rather than the evidence
        out = &black_;
    }
    for (player::VideoSink* o : outputs_) repaint ? o->repaint(*out, last_at_, changed) : o->present(*out, last_at_);
}

}  // namespace courtplay::kiosk
