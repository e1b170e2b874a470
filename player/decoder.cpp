#include "player/decoder.h"

#include "player/errors.h"
#include "player/picture_pool.h"

namespace courtplay::player {

CodecPtr open_decoder(const AVStream* stream, const std::string& clip, PicturePool* pictures) {
    const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
    const char* kind = stream->codecpar->codec_type == AVMEDIA_TYPE_VIDEO ? "video" : "audio";
    if (!codec)
        throw OpenError(clip, std::string("no decoder for its ") + kind + " format (" +
                                  avcodec_get_name(stream->codecpar->codec_id) + ")");
    CodecPtr ctx(avcodec_alloc_context3(codec));
    if (!ctx) throw OpenError(clip, "out of memory");
    int err = avcodec_parameters_to_context(ctx.get(), stream->codecpar);
    if (err < 0) throw OpenError(clip, av_error_text(err));
    ctx->pkt_timebase = stream->time_base;
    ctx->thread_count = 0;  // one per core; frame threads for throughput, slices where they exist
    ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    if (pictures) pictures->attach(ctx.get());
    err = avcodec_open2(ctx.get(), codec, nullptr);
    if (err < 0) throw OpenError(clip, std::string("cannot start the ") + kind + " decoder: " + av_error_text(err));
    return ctx;
}

}  // namespace courtplay::player
