// Where a video decoder's pictures live: one buffer per picture (every plane), from a pool whose
// memory is mapped on 2 MiB boundaries with transparent huge pages asked for.
//
// Why: FFmpeg's own pool zeroes every new buffer, and at the start of playback every picture is
// new (the decoder's frame threads, its references, the frame queue): about 3 MiB each at 1080p,
// faulted in 4 KiB at a time. On the benchmark's machine those page faults and that memset were
// most of the decoder's time to the first frame (docs/benchmarks.md, "Time to first frame"). A
// fresh mapping comes zeroed from the kernel, so nothing is lost by not zeroing it, and with huge
// pages the first 2 MiB of each picture is one fault instead of 512. The mapping is the picture's
// exact size, so no memory is added; a recycled buffer holds an older picture, as FFmpeg's does.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
}

#include <mutex>

namespace courtplay::player {

class PicturePool {
public:
    PicturePool() = default;
    ~PicturePool();  // buffers still held elsewhere stay valid: the pool goes when the last returns
    PicturePool(const PicturePool&) = delete;
    PicturePool& operator=(const PicturePool&) = delete;

    // Before avcodec_open2: the decoder takes its picture buffers from this pool, which must
    // outlive it. Codecs and formats it does not handle keep FFmpeg's own allocator.
    void attach(AVCodecContext* codec);

private:
    struct Layout {
        int format = -1, width = 0, height = 0;
        int linesize[4] = {};
        size_t offset[4] = {};  // of each plane in the buffer
        size_t size = 0;
    };
    static int get_buffer(AVCodecContext* codec, AVFrame* frame, int flags);
    static bool layout_for(AVCodecContext* codec, const AVFrame* frame, Layout& out);

    std::mutex lock_;  // guards layout_ and pool_: frame threads ask for buffers at the same time
    Layout layout_;
    AVBufferPool* pool_ = nullptr;
};

}  // namespace courtplay::player
