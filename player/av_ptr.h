// RAII ownership of FFmpeg objects. C types stay at this edge: everything above holds these.
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
}

#include <memory>
#include <string>

namespace courtplay::player {

struct FrameFree { void operator()(AVFrame* f) const { av_frame_free(&f); } };
struct PacketFree { void operator()(AVPacket* p) const { av_packet_free(&p); } };
struct CodecFree { void operator()(AVCodecContext* c) const { avcodec_free_context(&c); } };
struct SwrFree { void operator()(SwrContext* s) const { swr_free(&s); } };
struct InputClose { void operator()(AVFormatContext* f) const { avformat_close_input(&f); } };
// A custom-I/O context owns its buffer (which avio may have replaced) but does not free it.
struct AvioFree {
    void operator()(AVIOContext* c) const {
        av_freep(&c->buffer);
        avio_context_free(&c);
    }
};

using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using CodecPtr = std::unique_ptr<AVCodecContext, CodecFree>;
using SwrPtr = std::unique_ptr<SwrContext, SwrFree>;
using InputPtr = std::unique_ptr<AVFormatContext, InputClose>;
using AvioPtr = std::unique_ptr<AVIOContext, AvioFree>;

inline FramePtr make_frame() { return FramePtr(av_frame_alloc()); }
inline PacketPtr make_packet() { return PacketPtr(av_packet_alloc()); }

// FFmpeg's error text for an AVERROR code, as a std::string.
inline std::string av_error_text(int err) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(err, buf, sizeof buf);
    return buf;
}

// Media time is kept as integer microseconds everywhere in the player so that "the frame at or
// before the target" is an exact comparison, never a floating-point one.
using Micros = int64_t;
constexpr Micros kNoTime = INT64_MIN;

inline Micros to_micros(int64_t ts, AVRational tb) {
    if (ts == AV_NOPTS_VALUE) return kNoTime;
    return av_rescale_q(ts, tb, AVRational{1, 1000000});
}

}  // namespace courtplay::player
