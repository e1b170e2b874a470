#include "cast/cast_sender.h"

#include "files/thread_name.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
}

#include <cstring>
#include <vector>

namespace courtplay::cast {

using player::Micros;
using player::kNoTime;

namespace {
constexpr AVRational kMicros{1, 1000000};
constexpr AVRational k90k{1, 90000};

struct FormatFree {
    void operator()(AVFormatContext* f) const { avformat_free_context(f); }
};
struct DictFree {
    void operator()(AVDictionary* d) const { av_dict_free(&d); }
};
using DictPtr = std::unique_ptr<AVDictionary, DictFree>;

std::string describe_connect_failure(int err, const HostPort& to) {
    // libsrt reports a refused handshake (another key, or a peer that does not encrypt) and a
    // peer that never answered alike as an I/O error; say both.
    return "cannot cast to " + to.host + ":" + std::to_string(to.port) + ": " + player::av_error_text(err) +
           " (no receiver listening there, or it refused the stream key)";
}
}  // namespace

struct CastSender::Item {
    enum class Kind { picture, sound } kind;
    std::shared_ptr<const AVFrame> picture;
    MediaStamp stamp;
    Micros at = 0;  // monotonic: when it was shown, or when the first sample is heard
    std::vector<float> samples;
    int frames = 0;
};

// libavcodec and libavformat state: worker thread only, once made.
class CastSender::Encoder {
public:
    Encoder(const CastOptions& options) : options_(options) {
        DictPtr opts(srt_options(options.key, SrtRole::caller, options.latency_ms));
        AVDictionary* o = opts.release();
        AVIOContext* pb = nullptr;
        // libavformat's SRT polls this between its 0.1 s waits (the handshake's, and later a write's).
        const AVIOInterruptCB give_up{[](void* flag) { return flag && static_cast<std::atomic<bool>*>(flag)->load() ? 1 : 0; },
                                      options.give_up.get()};
        const int err = avio_open2(&pb, srt_url(options.receiver, SrtRole::caller).c_str(), AVIO_FLAG_WRITE,
                                   &give_up, &o);
        av_dict_free(&o);
        if (err == AVERROR_EXIT)
            throw CastError("the cast to " + options.receiver.host + ":" + std::to_string(options.receiver.port) +
                            " was called off");
        if (err < 0) throw CastError(describe_connect_failure(err, options.receiver));
        pb_ = pb;
    }
    ~Encoder() {
        if (out_ && header_written_) av_write_trailer(out_.get());
        if (pb_) avio_closep(&pb_);
    }

    // Empty on success, else why it failed.
    std::string picture(const Item& item) {
        if (!out_) {
            if (std::string e = open(*item.picture, item.at); !e.empty()) return e;
        }
        if (item.picture->width != video_->width || item.picture->height != video_->height)
            return "the picture's size changed mid-stream";
        player::FramePtr f = player::make_frame();
        if (av_frame_ref(f.get(), item.picture.get()) < 0) return "out of memory";
        av_frame_remove_side_data(f.get(), AV_FRAME_DATA_SEI_UNREGISTERED);  // only ours goes out
        int64_t pts = av_rescale_q(item.at - origin_, kMicros, k90k);
        if (pts <= last_video_pts_) pts = last_video_pts_ + 1;  // strictly rising, whatever the media time does
        last_video_pts_ = pts;
        f->pts = pts;
        f->pict_type = AV_PICTURE_TYPE_NONE;
        if (!attach_media_stamp(f.get(), item.stamp)) return "out of memory";
        const int err = avcodec_send_frame(video_.get(), f.get());
        if (err < 0) return "the H.264 encoder failed: " + player::av_error_text(err);
        return drain(video_.get(), video_stream_);
    }

    std::string sound(const Item& item) {
        if (!out_ || !audio_) return {};  // the stream starts with its first picture
        if (next_sample_ == INT64_MIN) {
            const int64_t first = av_rescale(item.at - origin_, audio_->sample_rate, 1000000);
            if (first < 0) return {};
            next_sample_ = first;
        }
        const int channels = audio_->ch_layout.nb_channels;
        for (int i = 0; i < item.frames; ++i)
            for (int c = 0; c < channels; ++c) pending_[c].push_back(item.samples[static_cast<size_t>(i * channels + c)]);
        const int frame_size = audio_->frame_size;
        while (static_cast<int>(pending_[0].size()) >= frame_size) {
            player::FramePtr f = player::make_frame();
            f->format = AV_SAMPLE_FMT_FLTP;
            f->nb_samples = frame_size;
            f->sample_rate = audio_->sample_rate;
            av_channel_layout_copy(&f->ch_layout, &audio_->ch_layout);
            if (av_frame_get_buffer(f.get(), 0) < 0) return "out of memory";
            for (int c = 0; c < channels; ++c) {
                std::memcpy(f->data[c], pending_[c].data(), sizeof(float) * static_cast<size_t>(frame_size));
                pending_[c].erase(pending_[c].begin(), pending_[c].begin() + frame_size);
            }
            f->pts = next_sample_;
            next_sample_ += frame_size;
            const int err = avcodec_send_frame(audio_.get(), f.get());
            if (err < 0) return "the AAC encoder failed: " + player::av_error_text(err);
            if (std::string e = drain(audio_.get(), audio_stream_); !e.empty()) return e;
        }
        return {};
    }

    std::string end() {
        if (!out_) return {};
        for (auto [codec, stream] : {std::pair{video_.get(), video_stream_}, std::pair{audio_.get(), audio_stream_}}) {
            if (!codec) continue;
            avcodec_send_frame(codec, nullptr);
            if (std::string e = drain(codec, stream); !e.empty()) return e;
        }
        return {};
    }

    int64_t bytes() const { return pb_ ? avio_tell(pb_) : 0; }

private:
    std::string open(const AVFrame& first, Micros at) {
        origin_ = at;
        AVFormatContext* out = nullptr;
        if (avformat_alloc_output_context2(&out, nullptr, "mpegts", nullptr) < 0) return "no MPEG-TS muxer";
        out_.reset(out);
        out_->pb = pb_;
        out_->flags |= AVFMT_FLAG_FLUSH_PACKETS;  // every packet leaves at once: this is live

        const AVCodec* h264 = avcodec_find_encoder_by_name("libx264");
        if (!h264) return "no libx264 encoder in this FFmpeg";
        video_.reset(avcodec_alloc_context3(h264));
        video_->width = first.width;
        video_->height = first.height;
        video_->pix_fmt = static_cast<AVPixelFormat>(first.format);
        video_->color_range = first.color_range;
        video_->time_base = k90k;
        if (options_.frame_rate.num > 0) video_->framerate = options_.frame_rate;
        const int fps = options_.frame_rate.num > 0 ? (options_.frame_rate.num + options_.frame_rate.den - 1) / options_.frame_rate.den : 30;
        video_->gop_size = 2 * fps;  // a keyframe every two seconds: a receiver that lost packets recovers
        video_->max_b_frames = 0;
        av_opt_set(video_->priv_data, "preset", "veryfast", 0);
        av_opt_set(video_->priv_data, "tune", "zerolatency", 0);
        av_opt_set(video_->priv_data, "crf", "20", 0);
        av_opt_set_int(video_->priv_data, "udu_sei", 1, 0);  // the media stamps (stream_format.h)
        // A ceiling for the link: 8 Mb/s at 1080p, scaled by the picture's area.
        const int64_t max_rate = std::max<int64_t>(1'000'000, int64_t{8'000'000} * first.width * first.height / (1920 * 1080));
        video_->rc_max_rate = max_rate;
        video_->rc_buffer_size = static_cast<int>(max_rate);
        if (int err = avcodec_open2(video_.get(), h264, nullptr); err < 0)
            return "cannot open the H.264 encoder: " + player::av_error_text(err);
        video_stream_ = avformat_new_stream(out_.get(), nullptr);
        avcodec_parameters_from_context(video_stream_->codecpar, video_.get());
        video_stream_->time_base = k90k;

        if (options_.audio) {
            const AVCodec* aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
            if (!aac) return "no AAC encoder in this FFmpeg";
            audio_.reset(avcodec_alloc_context3(aac));
            audio_->sample_rate = options_.audio->rate;
            audio_->sample_fmt = AV_SAMPLE_FMT_FLTP;
            av_channel_layout_default(&audio_->ch_layout, options_.audio->channels);
            audio_->bit_rate = 64000 * options_.audio->channels;
            audio_->time_base = AVRational{1, options_.audio->rate};
            if (int err = avcodec_open2(audio_.get(), aac, nullptr); err < 0)
                return "cannot open the AAC encoder: " + player::av_error_text(err);
            audio_stream_ = avformat_new_stream(out_.get(), nullptr);
            avcodec_parameters_from_context(audio_stream_->codecpar, audio_.get());
            audio_stream_->time_base = audio_->time_base;
            pending_.assign(static_cast<size_t>(options_.audio->channels), {});
        }
        AVDictionary* mux = nullptr;
        av_dict_set(&mux, "mpegts_flags", "+resend_headers", 0);  // PAT/PMT before every keyframe
        // A picture's PES packet carries its length (when under 64 KiB), so the receiver's demuxer
        // hands the picture on when its last byte arrives rather than when the next one starts:
        // a frame interval less latency. (FFmpeg leaves it out for video by default.)
        av_dict_set(&mux, "omit_video_pes_length", "0", 0);
        const int err = avformat_write_header(out_.get(), &mux);
        av_dict_free(&mux);
        if (err < 0) return "cannot start the MPEG-TS stream: " + player::av_error_text(err);
        header_written_ = true;
        return {};
    }

    std::string drain(AVCodecContext* codec, AVStream* stream) {
        player::PacketPtr pkt = player::make_packet();
        for (;;) {
            int err = avcodec_receive_packet(codec, pkt.get());
            if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return {};
            if (err < 0) return "the encoder failed: " + player::av_error_text(err);
            av_packet_rescale_ts(pkt.get(), codec->time_base, stream->time_base);
            pkt->stream_index = stream->index;
            // Written as they come, not interleaved: the muxer would otherwise hold pictures back
            // waiting for sound. Each stream's times rise on their own, which is all MPEG-TS needs.
            err = av_write_frame(out_.get(), pkt.get());
            av_packet_unref(pkt.get());
            if (err < 0) return "the connection to the receiver broke: " + player::av_error_text(err);
        }
    }

    const CastOptions& options_;
    AVIOContext* pb_ = nullptr;
    std::unique_ptr<AVFormatContext, FormatFree> out_;
    bool header_written_ = false;
    player::CodecPtr video_, audio_;
    AVStream* video_stream_ = nullptr;
    AVStream* audio_stream_ = nullptr;
    Micros origin_ = 0;  // monotonic time of the first picture: the stream's time 0
    int64_t last_video_pts_ = -1;
    int64_t next_sample_ = INT64_MIN;
    std::vector<std::vector<float>> pending_;  // per channel, not yet a whole AAC frame
};

CastSender::CastSender(CastOptions options) : options_(std::move(options)) {
    encoder_ = std::make_unique<Encoder>(options_);  // connects, or throws
    worker_ = std::thread([this] {
        files::name_this_thread("cast-sender");
        run();
    });
}

CastSender::~CastSender() { finish(); }

std::string CastSender::receiver_text() const {
    return options_.receiver.host + ":" + std::to_string(options_.receiver.port);
}

void CastSender::present(const player::VideoFrame& frame, const player::FramePosition& position) {
    queue_picture(frame, position, false);
}

void CastSender::repaint(const player::VideoFrame& frame, const player::FramePosition& position, player::PictureRows) {
    queue_picture(frame, position, true);
}

void CastSender::queue_picture(const player::VideoFrame& frame, const player::FramePosition& position, bool repaint) {
    if (!frame.picture) return;
    Item item{Item::Kind::picture, frame.picture, MediaStamp{position.media, position.frame_number, repaint},
              player::monotonic_now()};
    {
        std::lock_guard lock(lock_);
        if (ending_) return;
        if (failure_ || queued_pictures_ >= options_.queue_pictures) {
            ++stats_.pictures_dropped;
            return;
        }
        ++queued_pictures_;
        queue_.push_back(std::move(item));
    }
    wake_.notify_one();
}

void CastSender::on_audio(const float* samples, int frames, const player::AudioFormat& format, player::Micros,
                          double, player::Micros heard_at) {
    if (!options_.audio || format.channels != options_.audio->channels || format.rate != options_.audio->rate) return;
    Item item{Item::Kind::sound, nullptr, {}, heard_at};
    item.samples.assign(samples, samples + static_cast<size_t>(frames) * static_cast<size_t>(format.channels));
    item.frames = frames;
    {
        std::lock_guard lock(lock_);
        if (ending_) return;
        // A second of sound waiting is plenty: beyond it the encoder is not keeping up.
        if (failure_ || queued_samples_ + frames > format.rate) {
            ++stats_.audio_blocks_dropped;
            return;
        }
        queued_samples_ += frames;
        queue_.push_back(std::move(item));
    }
    wake_.notify_one();
}

void CastSender::run() {
    for (;;) {
        Item item;
        {
            std::unique_lock lock(lock_);
            wake_.wait(lock, [&] { return !queue_.empty() || ending_; });
            if (queue_.empty()) break;  // ending, and everything queued is sent
            item = std::move(queue_.front());
            queue_.pop_front();
            if (item.kind == Item::Kind::picture) --queued_pictures_;
            else queued_samples_ -= item.frames;
            if (failure_) continue;
        }
        const std::string error = item.kind == Item::Kind::picture ? encoder_->picture(item) : encoder_->sound(item);
        std::lock_guard lock(lock_);
        if (!error.empty()) failure_ = error;
        else if (item.kind == Item::Kind::picture) ++stats_.pictures_sent;
        stats_.bytes_sent = encoder_->bytes();
    }
    std::string error = encoder_->end();
    encoder_.reset();  // the trailer, then the connection closes (lingering for the last packets)
    std::lock_guard lock(lock_);
    if (!error.empty() && !failure_) failure_ = error;
}

void CastSender::finish() {
    {
        std::lock_guard lock(lock_);
        ending_ = true;
    }
    wake_.notify_one();
    if (worker_.joinable()) worker_.join();
}

void CastSender::abandon(const std::string& why) {
    std::lock_guard lock(lock_);
    if (!failure_) failure_ = why;
}

std::optional<std::string> CastSender::failure() const {
    std::lock_guard lock(lock_);
    return failure_;
}

CastStats CastSender::stats() const {
    std::lock_guard lock(lock_);
    return stats_;
}

}  // namespace courtplay::cast
