#include "player/audio_decoder.h"

#include "files/thread_name.h"
#include "player/decoder.h"

#include <cmath>
#include <cstring>

namespace courtplay::player {

AudioDecoder::AudioDecoder(const AVStream* stream, const std::string& clip, AudioFormat device)
    : stream_(stream), codec_(open_decoder(stream, clip)), device_(device) {}

AudioDecoder::~AudioDecoder() {
    join();
    av_channel_layout_uninit(&swr_layout_);
}

void AudioDecoder::start(PacketQueue* in, AudioChunkQueue* out) {
    in_ = in;
    out_ = out;
    thread_ = std::thread([this] {
        files::name_this_thread("sound-decode");
        run();
    });
}

void AudioDecoder::join() {
    if (thread_.joinable()) thread_.join();
}

void AudioDecoder::begin_serial(const PacketItem& item) {
    if (serial_ != -1) avcodec_flush_buffers(codec_.get());
    serial_ = item.serial;
    trim_before_ = item.seek ? item.seek->target : kNoTime;
    if (item.seek) rate_ = item.seek->rate;
    swr_.reset();  // forget buffered samples of the old position
    tempo_.reset();
}

void AudioDecoder::run() {
    FramePtr frame = make_frame();
    while (auto item = in_->pop()) {
        if (item->serial != serial_ || item->seek) begin_serial(*item);
        avcodec_send_packet(codec_.get(), item->packet.get());  // null packet: drain; bad packets are skipped
        bool ok = true;
        while (ok && avcodec_receive_frame(codec_.get(), frame.get()) == 0) {
            ok = convert(frame.get());
            av_frame_unref(frame.get());
        }
        if (!ok || item->packet) continue;
        // End of stream: flush the resampler and the tempo filter, then mark the end.
        if (!convert(nullptr)) continue;
        if (tempo_ && (!tempo_->push(nullptr, 0) || !pull_tempo())) continue;
        push(AudioChunk{{}, kNoTime, rate_, serial_, true});
        avcodec_flush_buffers(codec_.get());
    }
}

bool AudioDecoder::convert(const AVFrame* frame) {
    if (frame) {
        bool changed = !swr_ || frame->sample_rate != swr_rate_ || frame->format != swr_format_ ||
                       av_channel_layout_compare(&frame->ch_layout, &swr_layout_) != 0;
        if (changed) {
            AVChannelLayout in_layout{}, out_layout{};
            if (frame->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
                av_channel_layout_default(&in_layout, frame->ch_layout.nb_channels);
            else
                av_channel_layout_copy(&in_layout, &frame->ch_layout);
            av_channel_layout_default(&out_layout, device_.channels);
            SwrContext* swr = nullptr;
            int err = swr_alloc_set_opts2(&swr, &out_layout, AV_SAMPLE_FMT_FLT, device_.rate, &in_layout,
                                          static_cast<AVSampleFormat>(frame->format), frame->sample_rate, 0, nullptr);
            av_channel_layout_uninit(&out_layout);
            av_channel_layout_uninit(&in_layout);
            if (err < 0 || swr_init(swr) < 0) {
                swr_free(&swr);
                return true;  // unplayable sound: skip it, the picture goes on
            }
            swr_.reset(swr);
            swr_rate_ = frame->sample_rate;
            swr_format_ = frame->format;
            av_channel_layout_uninit(&swr_layout_);
            av_channel_layout_copy(&swr_layout_, &frame->ch_layout);
        }
    }
    if (!swr_) return true;

    Micros time = kNoTime;
    if (frame) {
        time = to_micros(frame->best_effort_timestamp, stream_->time_base);
        // Samples still inside the resampler come out first and are older than this frame.
        if (time != kNoTime) time -= swr_get_delay(swr_.get(), 1000000);
    }
    int in_count = frame ? frame->nb_samples : 0;
    int capacity = swr_get_out_samples(swr_.get(), in_count);
    if (capacity <= 0) return true;
    std::vector<float> out(static_cast<size_t>(capacity) * device_.channels);
    auto* dst = reinterpret_cast<uint8_t*>(out.data());
    int n = swr_convert(swr_.get(), &dst, capacity, frame ? const_cast<const uint8_t**>(frame->extended_data) : nullptr,
                        in_count);
    if (n <= 0) return true;
    out.resize(static_cast<size_t>(n) * device_.channels);
    return deliver(std::move(out), time);
}

// Trims to the seek target, then plays at rate 1 directly or through the tempo filter.
bool AudioDecoder::deliver(std::vector<float> samples, Micros time) {
    const auto ch = static_cast<size_t>(device_.channels);
    if (trim_before_ != kNoTime && time != kNoTime) {
        if (time < trim_before_) {
            auto drop = static_cast<size_t>(std::ceil(static_cast<double>(trim_before_ - time) * device_.rate / 1e6));
            if (drop * ch >= samples.size()) return true;
            samples.erase(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(drop * ch));
            time += av_rescale(static_cast<int64_t>(drop), 1000000, device_.rate);
        }
        trim_before_ = kNoTime;
    }
    if (rate_ == 1.0) return push(AudioChunk{std::move(samples), time, 1.0, serial_, false});

    if (!tempo_) {
        tempo_ = TempoFilter::create(device_, rate_);
        if (!tempo_) return push(AudioChunk{std::move(samples), time, 1.0, serial_, false});  // cannot: play as is
        tempo_origin_ = time;
        tempo_frames_out_ = 0;
    }
    if (!tempo_->push(samples.data(), static_cast<int>(samples.size() / ch))) return true;
    return pull_tempo();
}

// Output of atempo advances media time by `rate` seconds per second of sound, counted from the
// first sample fed in.
bool AudioDecoder::pull_tempo() {
    return tempo_->pull([&](const float* data, int frames) {
        std::vector<float> samples(data, data + static_cast<size_t>(frames) * device_.channels);
        Micros time = tempo_origin_ == kNoTime
                          ? kNoTime
                          : tempo_origin_ + static_cast<Micros>(static_cast<double>(tempo_frames_out_) * rate_ * 1e6 /
                                                                device_.rate);
        tempo_frames_out_ += frames;
        return push(AudioChunk{std::move(samples), time, rate_, serial_, false});
    });
}

bool AudioDecoder::push(AudioChunk chunk) { return out_->push(std::move(chunk)); }

}  // namespace courtplay::player
