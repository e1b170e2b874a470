#include "player/demuxer.h"

#include "files/thread_name.h"
#include "player/errors.h"

extern "C" {
#include <libavutil/display.h>
}

#include <cmath>
#include <string_view>
#include <vector>

namespace courtplay::player {
namespace {

constexpr int kAvioBufferSize = 64 * 1024;
constexpr size_t kMaxQueuedBytes = 64u << 20;
constexpr size_t kEnoughVideoPackets = 48;
constexpr size_t kEnoughAudioPackets = 96;
// How far a seek may have to back off when the container's index lands after the target
// (MPEG-TS, or B-frame streams whose keyframe decodes before it is shown).
constexpr int kSeekAttempts = 8;
constexpr size_t kKeyframeSearchLimit = 20000;

int read_source(void* opaque, uint8_t* buf, int size) {
    int n = static_cast<Source*>(opaque)->read(buf, size);
    return n == 0 ? AVERROR_EOF : n;
}

int64_t seek_source(void* opaque, int64_t offset, int whence) {
    auto* source = static_cast<Source*>(opaque);
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return source->size();
    case SEEK_SET: return source->seek_to(offset);
    case SEEK_END:
        if (source->size() < 0) return AVERROR(ENOSYS);
        return source->seek_to(source->size() + offset);
    default: return AVERROR(EINVAL);  // avio tracks the position itself and always asks SEEK_SET
    }
}

int interrupt(void* opaque) { return static_cast<std::atomic<bool>*>(opaque)->load() ? 1 : 0; }

int display_rotation(const AVStream* st) {
    const uint8_t* matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
    if (!matrix) return 0;
    double ccw = av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
    if (std::isnan(ccw)) return 0;
    int cw = static_cast<int>(std::lround(-ccw)) % 360;
    if (cw < 0) cw += 360;
    return (cw + 45) / 90 * 90 % 360;  // only quarter turns are honoured
}

std::string creation_time(const AVFormatContext* fmt, const AVStream* st) {
    if (auto* e = av_dict_get(fmt->metadata, "creation_time", nullptr, 0)) return e->value;
    if (st)
        if (auto* e = av_dict_get(st->metadata, "creation_time", nullptr, 0)) return e->value;
    return {};
}

Micros packet_time(const AVPacket* p, const AVStream* st) {
    return to_micros(p->pts != AV_NOPTS_VALUE ? p->pts : p->dts, st->time_base);
}

bool is_pcm(AVCodecID id) {
    const AVCodecDescriptor* d = avcodec_descriptor_get(id);
    return d && std::string_view(d->name).starts_with("pcm_");
}

// Whether the header alone says what the player needs, so that avformat_find_stream_info can be
// skipped: it decodes the first pictures once more, on one thread, to learn the pixel format and
// the decoder's delay (some 50 ms of a 1080p H.264 start, docs/benchmarks.md), which the decoder
// finds out for itself. Only MP4/MOV and Matroska/WebM with a picture (the first decoded picture
// sets the timeline's 0, so the streams' start times it would fill in are not needed), and only
// codecs whose header parameters were checked to be the decoder's own: an MP4's MPEG-4 Part 2 track
// has no picture size in its header, and its MP3 track a channel count that may be wrong. Anything
// else, or anything missing, is probed as before. tests/test_player_formats.cpp plays every pair.
bool header_is_enough(const AVFormatContext* fmt) {
    const std::string_view format = fmt->iformat->name;
    if (!format.starts_with("mov,mp4") && !format.starts_with("matroska")) return false;
    if (fmt->duration == AV_NOPTS_VALUE) return false;
    bool picture = false;
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
        const AVStream* st = fmt->streams[i];
        const AVCodecParameters* p = st->codecpar;
        if (p->codec_type == AVMEDIA_TYPE_VIDEO) {
            if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) return false;
            const bool configured = ((p->codec_id == AV_CODEC_ID_H264 || p->codec_id == AV_CODEC_ID_HEVC) &&
                                     p->extradata_size > 0) ||
                                    p->codec_id == AV_CODEC_ID_VP9;
            if (!configured || p->width <= 0 || p->height <= 0 || st->avg_frame_rate.num <= 0) return false;
            picture = true;
        } else if (p->codec_type == AVMEDIA_TYPE_AUDIO) {
            const bool configured = ((p->codec_id == AV_CODEC_ID_AAC || p->codec_id == AV_CODEC_ID_OPUS) &&
                                     p->extradata_size > 0) ||
                                    is_pcm(p->codec_id);
            if (!configured || p->sample_rate <= 0 || p->ch_layout.nb_channels <= 0) return false;
        }
    }
    return picture;
}

}  // namespace

Demuxer::Demuxer(std::unique_ptr<Source> source) : source_(std::move(source)) {
    const std::string name = source_->name();
    auto* buffer = static_cast<uint8_t*>(av_malloc(kAvioBufferSize));
    avio_.reset(avio_alloc_context(buffer, kAvioBufferSize, 0, source_.get(), read_source, nullptr, seek_source));
    if (!avio_) {
        av_free(buffer);
        throw OpenError(name, "out of memory");
    }
    AVFormatContext* fmt = avformat_alloc_context();
    if (!fmt) throw OpenError(name, "out of memory");
    fmt->pb = avio_.get();
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    fmt->interrupt_callback = {interrupt, &abort_io_};
    // avformat_open_input frees fmt on failure.
    int err = avformat_open_input(&fmt, name.c_str(), nullptr, nullptr);
    if (err < 0) {
        throw OpenError(name, err == AVERROR_INVALIDDATA ? "not a video or audio file this player can read"
                                                          : av_error_text(err));
    }
    input_.reset(fmt);
    if (!header_is_enough(fmt)) {
        err = avformat_find_stream_info(fmt, nullptr);
        if (err < 0) throw OpenError(name, "cannot read the streams: " + av_error_text(err));
    }

    int v = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (v >= 0 && !(fmt->streams[v]->disposition & AV_DISPOSITION_ATTACHED_PIC)) video_ = fmt->streams[v];
    int a = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, v, nullptr, 0);
    if (a >= 0) audio_ = fmt->streams[a];
    if (!video_ && !audio_) throw OpenError(name, "no video or audio stream in the file");
    for (unsigned i = 0; i < fmt->nb_streams; ++i)
        if (fmt->streams[i] != video_ && fmt->streams[i] != audio_) fmt->streams[i]->discard = AVDISCARD_ALL;

    info_.name = name;
    info_.container = fmt->iformat->name;
    if (video_) {
        info_.video_codec = avcodec_get_name(video_->codecpar->codec_id);
        info_.width = video_->codecpar->width;
        info_.height = video_->codecpar->height;
        info_.rotation = display_rotation(video_);
        info_.frame_rate = av_guess_frame_rate(fmt, video_, nullptr);
        info_.start = to_micros(video_->start_time, video_->time_base);
    }
    if (audio_) info_.audio_codec = avcodec_get_name(audio_->codecpar->codec_id);
    if (info_.start == kNoTime)
        info_.start = audio_ ? to_micros(audio_->start_time, audio_->time_base) : kNoTime;
    if (info_.start == kNoTime) info_.start = fmt->start_time == AV_NOPTS_VALUE ? 0 : fmt->start_time;
    if (fmt->duration != AV_NOPTS_VALUE) info_.duration = fmt->duration;
    info_.creation_time = creation_time(fmt, video_ ? video_ : audio_);
}

Demuxer::~Demuxer() { stop(); }

void Demuxer::start(PacketQueue* video, PacketQueue* audio) {
    video_queue_ = video;
    audio_queue_ = audio;
    // A full queue is waited on, not polled: a clip paused for minutes in court costs nothing.
    // (The lock closes the gap between the reader's check for room and its wait.)
    const auto room = [this] {
        { std::lock_guard lock(mutex_); }
        wake_.notify_all();
    };
    if (video) video->on_taken(room);
    if (audio) audio->on_taken(room);
    thread_ = std::thread([this] {
        files::name_this_thread("demux");
        run();
    });
}

void Demuxer::seek(Micros target, int serial, double rate, bool whole) {
    {
        std::lock_guard lock(mutex_);
        request_ = SeekRequest{target, serial, rate, whole};
    }
    wake_.notify_all();
}

void Demuxer::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    abort_io_ = true;
    // libavformat checks abort_io_ only between reads; a read waiting on the network is released here.
    source_->interrupt();
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool Demuxer::queues_full() const {
    size_t vb = video_queue_ ? video_queue_->bytes() : 0;
    size_t ab = audio_queue_ ? audio_queue_->bytes() : 0;
    if (vb + ab > kMaxQueuedBytes) return true;
    bool video_enough = !video_queue_ || video_queue_->count() >= kEnoughVideoPackets;
    bool audio_enough = !audio_queue_ || audio_queue_->count() >= kEnoughAudioPackets;
    return video_enough && audio_enough;
}

bool Demuxer::holds(Micros from, Micros span) const {
    if (read_to_end_ || queues_full()) return true;
    const Micros read_to = video_read_to_;
    return read_to != kNoTime && read_to >= from + span;
}

void Demuxer::push(AVStream* stream, PacketPtr packet) {
    bool is_video = stream == video_;
    PacketQueue* queue = is_video ? video_queue_ : audio_queue_;
    if (!queue) return;  // a stream the player does not want (sound turned off)
    if (is_video && packet) {
        const Micros t = packet_time(packet.get(), stream);
        if (t != kNoTime && (video_read_to_ == kNoTime || t > video_read_to_)) video_read_to_ = t;
    }
    auto& mark = is_video ? video_mark_ : audio_mark_;
    PacketItem item{std::move(packet), serial_, std::move(mark)};
    mark.reset();
    queue->push(std::move(item));
}

void Demuxer::push_end() {
    if (video_) push(video_, nullptr);
    if (audio_) push(audio_, nullptr);
    at_end_ = true;
    read_to_end_ = true;
}

void Demuxer::run() {
    AVPacket* raw = av_packet_alloc();
    PacketPtr holder(raw);
    for (;;) {
        std::optional<SeekRequest> request;
        {
            std::unique_lock lock(mutex_);
            if (stopping_) return;
            request = std::move(request_);
            request_.reset();
        }
        if (request) {
            carry_out(*request);
            continue;
        }
        if (at_end_ || queues_full()) {
            std::unique_lock lock(mutex_);
            // Woken by a seek, a stop, or a decoder taking a packet; the timeout is a backstop.
            wake_.wait_for(lock, std::chrono::milliseconds(250),
                           [&] { return stopping_ || request_ || (!at_end_ && !queues_full()); });
            continue;
        }
        int err = av_read_frame(input_.get(), raw);
        // A packet read as the source failed (a cached chunk that failed its check, a stream that
        // stopped) may be cut short, and decoded it would be a damaged picture: it is dropped, and
        // the clip ends with the last whole packet.
        if (err >= 0 && input_->pb && input_->pb->error < 0) {
            av_packet_unref(raw);
            err = input_->pb->error;
        }
        if (err == AVERROR(EAGAIN)) {  // nothing yet (a network source): wait a little, not spin
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, std::chrono::milliseconds(5), [&] { return stopping_ || request_; });
            continue;
        }
        if (err < 0) {
            // End of file, or a corrupt/truncated tail: either way, play what was read and end.
            push_end();
            continue;
        }
        AVStream* st = input_->streams[raw->stream_index];
        if (st != video_ && st != audio_) {
            av_packet_unref(raw);
            continue;
        }
        PacketPtr packet = make_packet();
        av_packet_move_ref(packet.get(), raw);
        push(st, std::move(packet));
    }
}

// Seeks so that decoding starts at a keyframe shown at or before the target. Containers do not all
// promise that (MPEG-TS seeks by bytes; an MP4 index is by decode time), so the first video
// keyframe after the seek is checked, and the seek backs off further until it is early enough.
void Demuxer::carry_out(const SeekRequest& request) {
    serial_ = request.serial;
    at_end_ = false;
    read_to_end_ = false;
    video_read_to_ = kNoTime;
    video_queue_ ? video_queue_->clear() : void();
    audio_queue_ ? audio_queue_->clear() : void();
    const Micros stream_start = input_->start_time == AV_NOPTS_VALUE ? 0 : input_->start_time;

    std::vector<std::pair<AVStream*, PacketPtr>> held;
    Micros backoff = 0;
    for (int attempt = 0; attempt < kSeekAttempts; ++attempt) {
        held.clear();
        Micros pos = request.target - backoff;
        bool from_start = pos <= stream_start || attempt == kSeekAttempts - 1;
        if (from_start) pos = stream_start;
        int err = -1;
        // Byte-stream formats (MPEG-TS/PS) find their start reliably only by bytes.
        if (from_start && (input_->iformat->flags & AVFMT_TS_DISCONT))
            err = av_seek_frame(input_.get(), -1, 0, AVSEEK_FLAG_BYTE);
        if (err < 0) err = avformat_seek_file(input_.get(), -1, INT64_MIN, pos, pos, 0);
        if (err < 0) err = av_seek_frame(input_.get(), -1, pos, AVSEEK_FLAG_BACKWARD);
        if (err < 0 && !from_start) {
            backoff = backoff ? backoff * 2 : 1000000;
            continue;
        }
        if (!video_) break;

        // No keyframe before the end also means "too late": the seek passed the last one.
        bool retry = !from_start;
        for (size_t n = 0; n < kKeyframeSearchLimit; ++n) {
            PacketPtr packet = make_packet();
            if (av_read_frame(input_.get(), packet.get()) < 0) break;
            AVStream* st = input_->streams[packet->stream_index];
            if (st == audio_) {
                held.emplace_back(st, std::move(packet));
                continue;
            }
            if (st != video_ || !(packet->flags & AV_PKT_FLAG_KEY)) continue;  // undecodable before a keyframe
            Micros key = packet_time(packet.get(), st);
            held.emplace_back(st, std::move(packet));
            retry = !from_start && key != kNoTime && key > request.target;
            break;
        }
        if (!retry) break;
        backoff = backoff ? backoff * 2 : 1000000;
    }

    SeekMark mark{request.target, request.rate, request.whole};
    video_mark_ = mark;
    audio_mark_ = mark;
    for (auto& [st, packet] : held) push(st, std::move(packet));
}

}  // namespace courtplay::player
