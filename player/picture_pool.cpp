#include "player/picture_pool.h"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

#include <sys/mman.h>

#include <cstdint>

namespace courtplay::player {
namespace {

constexpr size_t kHugePage = 2u << 20;
constexpr size_t kPage = 4096;
// As FFmpeg's own pool: each plane starts aligned for the widest SIMD and has room after it for
// the decoders' over-reads (libavcodec/get_buffer.c: size + 16 + STRIDE_ALIGN - 1).
constexpr size_t kPlaneAlign = 64;
constexpr size_t kPlaneSlack = 16 + kPlaneAlign - 1;

size_t align_up(size_t n, size_t a) { return (n + a - 1) / a * a; }

void unmap(void* opaque, uint8_t* data) { munmap(data, reinterpret_cast<size_t>(opaque)); }

// A mapping of `size` bytes starting on a 2 MiB boundary, so that the kernel can back every whole
// 2 MiB of it with one huge page. Over-maps by 2 MiB and gives back what is outside.
AVBufferRef* map_picture(void*, size_t size) {
    const size_t length = align_up(size, kPage);
    void* raw = mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    auto* start = static_cast<uint8_t*>(raw);
    auto* aligned = reinterpret_cast<uint8_t*>(align_up(reinterpret_cast<uintptr_t>(start), kHugePage));
    if (aligned > start) munmap(start, static_cast<size_t>(aligned - start));
    const size_t after = static_cast<size_t>(start + length + kHugePage - (aligned + length));
    if (after) munmap(aligned + length, after);
    madvise(aligned, length, MADV_HUGEPAGE);  // a hint: without THP it is ordinary pages
    AVBufferRef* buffer = av_buffer_create(aligned, size, unmap, reinterpret_cast<void*>(length), 0);
    if (!buffer) munmap(aligned, length);
    return buffer;
}

}  // namespace

PicturePool::~PicturePool() { av_buffer_pool_uninit(&pool_); }

void PicturePool::attach(AVCodecContext* codec) {
    if (codec->codec_type != AVMEDIA_TYPE_VIDEO || !(codec->codec->capabilities & AV_CODEC_CAP_DR1)) return;
    codec->opaque = this;
    codec->get_buffer2 = &PicturePool::get_buffer;
#if LIBAVCODEC_VERSION_MAJOR < 60
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    // get_buffer is thread-safe; without this, FFmpeg 5 hands each frame thread's request to
    // the thread that feeds the decoder, and the frame threads wait on it.
    codec->thread_safe_callbacks = 1;
#pragma GCC diagnostic pop
#endif
}

// The geometry FFmpeg's own pool gives a picture (libavcodec/get_buffer.c, update_frame_pool),
// with the planes in one buffer.
bool PicturePool::layout_for(AVCodecContext* codec, const AVFrame* frame, Layout& out) {
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(frame->format));
    if (!desc || (desc->flags & (AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM)))
        return false;
    int w = frame->width, h = frame->height;
    if (w <= 0 || h <= 0) return false;
    int stride_align[AV_NUM_DATA_POINTERS];
    avcodec_align_dimensions2(codec, &w, &h, stride_align);
    int linesize[4];
    for (bool aligned = false; !aligned;) {
        // Not plane by plane: some decoders assume linesize[0] == 2 * linesize[1] for 4:2:2.
        if (av_image_fill_linesizes(linesize, static_cast<AVPixelFormat>(frame->format), w) < 0) return false;
        w += w & ~(w - 1);  // a wider alignment for the next try
        aligned = true;
        for (int i = 0; i < 4; ++i) aligned = aligned && linesize[i] % stride_align[i] == 0;
    }
    ptrdiff_t linesizes[4];
    for (int i = 0; i < 4; ++i) linesizes[i] = linesize[i];
    size_t sizes[4];
    if (av_image_fill_plane_sizes(sizes, static_cast<AVPixelFormat>(frame->format), h, linesizes) < 0) return false;
    out = Layout{frame->format, frame->width, frame->height};
    size_t at = 0;
    for (int i = 0; i < 4; ++i) {
        out.linesize[i] = linesize[i];
        out.offset[i] = at;
        if (sizes[i]) at = align_up(at + sizes[i] + kPlaneSlack, kPlaneAlign);
    }
    out.size = at;
    return true;
}

int PicturePool::get_buffer(AVCodecContext* codec, AVFrame* frame, int flags) {
    auto* self = static_cast<PicturePool*>(codec->opaque);
    if (codec->hw_frames_ctx) return avcodec_default_get_buffer2(codec, frame, flags);
    AVBufferRef* buffer = nullptr;
    Layout layout;
    {
        std::lock_guard lock(self->lock_);
        const bool same = self->pool_ && self->layout_.format == frame->format && self->layout_.width == frame->width &&
                          self->layout_.height == frame->height;
        if (!same) {
            if (!layout_for(codec, frame, layout)) return avcodec_default_get_buffer2(codec, frame, flags);
            // A new picture size (a stream that changes resolution): pictures of the old size go
            // back to the old pool, which is freed when the last of them returns.
            av_buffer_pool_uninit(&self->pool_);
            self->pool_ = av_buffer_pool_init2(layout.size, nullptr, map_picture, nullptr);
            if (!self->pool_) return AVERROR(ENOMEM);
            self->layout_ = layout;
        }
        layout = self->layout_;
        buffer = av_buffer_pool_get(self->pool_);
    }
    if (!buffer) return AVERROR(ENOMEM);
    frame->buf[0] = buffer;
    for (int i = 0; i < 4; ++i) {  // a plane the format does not have has no line size
        frame->data[i] = layout.linesize[i] ? buffer->data + layout.offset[i] : nullptr;
        frame->linesize[i] = layout.linesize[i];
    }
    for (int i = 4; i < AV_NUM_DATA_POINTERS; ++i) {
        frame->data[i] = nullptr;
        frame->linesize[i] = 0;
    }
    frame->extended_data = frame->data;
    return 0;
}

}  // namespace courtplay::player
