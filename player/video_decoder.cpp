#include "player/video_decoder.h"

#include "files/thread_name.h"
#include "player/decoder.h"

namespace courtplay::player {

VideoDecoder::VideoDecoder(const AVStream* stream, const std::string& clip)
    : stream_(stream), codec_(open_decoder(stream, clip, &pictures_)) {}

VideoDecoder::~VideoDecoder() { join(); }

void VideoDecoder::start(PacketQueue* in, VideoFrameQueue* out) {
    in_ = in;
    out_ = out;
    thread_ = std::thread([this] {
        files::name_this_thread("video-decode");
        run();
    });
}

void VideoDecoder::join() {
    if (thread_.joinable()) thread_.join();
}

void VideoDecoder::begin_serial(const PacketItem& item) {
    if (serial_ != -1) avcodec_flush_buffers(codec_.get());
    serial_ = item.serial;
    target_ = item.seek ? item.seek->target : kNoTime;
    whole_ = !item.seek || item.seek->whole;
    held_.reset();
    next_time_ = kNoTime;
}

void VideoDecoder::run() {
    while (auto item = in_->pop()) {
        if (item->serial != serial_ || item->seek) begin_serial(*item);
        if (!item->packet) {
            // Drain what the decoder still holds, then tell the presenter this serial has ended.
            avcodec_send_packet(codec_.get(), nullptr);
            // A refused push means a newer seek (or shutdown): begin_serial() resets the decoder.
            if (!receive_all()) continue;
            if (held_ && !push(std::move(held_), held_time_, held_duration_, VideoFrame::Kind::Target)) continue;
            if (!push(nullptr, kNoTime, 0, VideoFrame::Kind::End)) continue;
            avcodec_flush_buffers(codec_.get());  // leaves draining mode so a later seek can decode again
            continue;
        }
        codec_->skip_frame = skippable(*item->packet) ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
        // A corrupt packet is skipped: the decoder conceals what it can and playback goes on.
        int err = avcodec_send_packet(codec_.get(), item->packet.get());
        if (err < 0 && err != AVERROR(EAGAIN)) continue;
        receive_all();
    }
}

// On the way to a seek's target only the target is needed, and the frames it is decoded from: a
// frame no other frame refers to (most B-frames) may be left undecoded, if it is not the target.
// It is not when the frame after it, at its time plus its duration, is at or before the target
// too; a second duration is margin for rounded durations. (No duration, no skipping.) FFmpeg's
// frame threads take skip_frame with each packet.
bool VideoDecoder::skippable(const AVPacket& packet) const {
    if (whole_ || target_ == kNoTime) return false;
    const Micros time = to_micros(packet.pts, stream_->time_base);
    const Micros duration = to_micros(packet.duration, stream_->time_base);
    return time != kNoTime && duration != kNoTime && duration > 0 && time + 2 * duration <= target_;
}

// Returns false when the output refused a frame (stale serial or shutdown).
bool VideoDecoder::receive_all() {
    for (;;) {
        FramePtr frame = make_frame();
        int err = avcodec_receive_frame(codec_.get(), frame.get());
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return true;
        if (err < 0) return true;
        if (!emit(std::move(frame))) return false;
    }
}

bool VideoDecoder::emit(FramePtr frame) {
    Micros time = to_micros(frame->best_effort_timestamp, stream_->time_base);
    if (time == kNoTime) time = next_time_ != kNoTime ? next_time_ : 0;
    Micros duration = to_micros(frame->pkt_duration, stream_->time_base);
    if (duration == kNoTime || duration <= 0) {
        AVRational rate = av_guess_frame_rate(nullptr, const_cast<AVStream*>(stream_), nullptr);
        duration = rate.num > 0 ? av_rescale(1000000, rate.den, rate.num) : 40000;
    }
    next_time_ = time + duration;
    std::shared_ptr<const AVFrame> picture(frame.release(), [](const AVFrame* f) {
        auto* p = const_cast<AVFrame*>(f);
        av_frame_free(&p);
    });

    if (target_ == kNoTime) return push(std::move(picture), time, duration, VideoFrame::Kind::Shown);
    if (time <= target_) {
        if (held_ && !push(std::move(held_), held_time_, held_duration_, VideoFrame::Kind::Preroll)) return false;
        held_ = std::move(picture);
        held_time_ = time;
        held_duration_ = duration;
        return true;
    }
    // The first frame past the target: the held one is the target. With nothing held the target
    // lies before the clip's first frame, and this frame is the closest there is.
    target_ = kNoTime;
    if (!held_) return push(std::move(picture), time, duration, VideoFrame::Kind::Target);
    if (!push(std::move(held_), held_time_, held_duration_, VideoFrame::Kind::Target)) return false;
    return push(std::move(picture), time, duration, VideoFrame::Kind::Shown);
}

bool VideoDecoder::push(std::shared_ptr<const AVFrame> picture, Micros time, Micros duration,
                        VideoFrame::Kind kind) {
    return out_->push(VideoFrame{std::move(picture), time, duration, serial_, kind});
}

}  // namespace courtplay::player
