#include "player/audio_decoder.h"

#include "player/decoder.h"

extern "C" {
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/opt.h>
}

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
    thread_ = std::thread([this] { run(); });
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
    tempo_in_ = tempo_out_ = nullptr;
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
        if (tempo_in_) {
            if (av_buffersrc_add_frame(tempo_in_, nullptr) < 0) continue;
            if (!pull_tempo()) continue;
        }
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

    if (!tempo_ && !build_tempo()) return true;
    if (tempo_origin_ == kNoTime) tempo_origin_ = time;
    FramePtr in = make_frame();
    in->format = AV_SAMPLE_FMT_FLT;
    in->sample_rate = device_.rate;
    av_channel_layout_default(&in->ch_layout, device_.channels);
    in->nb_samples = static_cast<int>(samples.size() / ch);
    if (av_frame_get_buffer(in.get(), 0) < 0) return true;
    std::memcpy(in->data[0], samples.data(), samples.size() * sizeof(float));
    if (av_buffersrc_add_frame(tempo_in_, in.get()) < 0) return true;
    return pull_tempo();
}

bool AudioDecoder::build_tempo() {
    GraphPtr graph(avfilter_graph_alloc());
    char layout[64];
    AVChannelLayout cl{};
    av_channel_layout_default(&cl, device_.channels);
    av_channel_layout_describe(&cl, layout, sizeof layout);
    av_channel_layout_uninit(&cl);
    std::string args = "sample_rate=" + std::to_string(device_.rate) + ":sample_fmt=flt:channel_layout=" + layout;
    AVFilterContext *src = nullptr, *sink = nullptr;
    if (avfilter_graph_create_filter(&src, avfilter_get_by_name("abuffer"), "in", args.c_str(), nullptr, graph.get()) < 0 ||
        avfilter_graph_create_filter(&sink, avfilter_get_by_name("abuffersink"), "out", nullptr, nullptr, graph.get()) < 0)
        return false;
    // atempo takes 0.5..100 per instance; slower rates chain instances (0.25 = 0.5 x 0.5).
    std::string chain;
    double left = rate_;
    while (left < 0.5) {
        chain += "atempo=0.5,";
        left /= 0.5;
    }
    chain += "atempo=" + std::to_string(left) + ",aformat=sample_fmts=flt";
    AVFilterInOut* outputs = avfilter_inout_alloc();
    AVFilterInOut* inputs = avfilter_inout_alloc();
    outputs->name = av_strdup("in");
    outputs->filter_ctx = src;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = sink;
    int err = avfilter_graph_parse_ptr(graph.get(), chain.c_str(), &inputs, &outputs, nullptr);
    avfilter_inout_free(&inputs);
    avfilter_inout_free(&outputs);
    if (err < 0 || avfilter_graph_config(graph.get(), nullptr) < 0) return false;
    tempo_ = std::move(graph);
    tempo_in_ = src;
    tempo_out_ = sink;
    tempo_origin_ = kNoTime;
    tempo_frames_out_ = 0;
    return true;
}

// Output of atempo advances media time by `rate` seconds per second of sound, counted from the
// first sample fed in.
bool AudioDecoder::pull_tempo() {
    FramePtr out = make_frame();
    while (av_buffersink_get_frame(tempo_out_, out.get()) >= 0) {
        auto* data = reinterpret_cast<const float*>(out->data[0]);
        std::vector<float> samples(data, data + static_cast<size_t>(out->nb_samples) * device_.channels);
        Micros time = tempo_origin_ == kNoTime
                          ? kNoTime
                          : tempo_origin_ + static_cast<Micros>(static_cast<double>(tempo_frames_out_) * rate_ * 1e6 / device_.rate);
        tempo_frames_out_ += out->nb_samples;
        av_frame_unref(out.get());
        if (!push(AudioChunk{std::move(samples), time, rate_, serial_, false})) return false;
    }
    return true;
}

bool AudioDecoder::push(AudioChunk chunk) { return out_->push(std::move(chunk)); }

}  // namespace courtplay::player
