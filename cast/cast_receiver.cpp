#include "cast/cast_receiver.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace courtplay::cast {

StreamReceiver::StreamReceiver(HostPort listen, StreamKey key, int latency_ms)
    : listen_(std::move(listen)), key_(key), latency_ms_(latency_ms) {}

int StreamReceiver::interrupted(void* self) { return static_cast<StreamReceiver*>(self)->stop_.load() ? 1 : 0; }

ReceiveOutcome StreamReceiver::receive(const std::function<void(const ReceivedPicture&)>& on_picture,
                                       const std::function<void()>& on_connected,
                                       const std::function<void(const AVFrame&)>& on_sound) {
    ReceiveOutcome outcome;
    AVFormatContext* raw = avformat_alloc_context();
    raw->interrupt_callback = AVIOInterruptCB{&StreamReceiver::interrupted, this};
    // No parser: each PES packet is one whole picture (the sender writes them so) and goes to the
    // decoder as it is. libavformat's H.264 parser would hold every picture back until the next
    // one starts, to find where it ends: a frame interval (33 ms at 30 fps) on every picture.
    // The AAC decoder takes the several ADTS frames of a sound PES packet one after another.
    raw->flags |= AVFMT_FLAG_NOPARSE | AVFMT_FLAG_NOFILLIN;
    AVDictionary* opts = srt_options(key_, SrtRole::listener, latency_ms_);
    // Live: start on the first picture. The PMT names both streams and the H.264 stream carries its
    // own parameter sets, so nothing needs analysing; whatever is read to look is kept and decoded
    // (no "nobuffer"). Every picture read ahead here would be shown that much late, and a receiver
    // only catches up as fast as it can decode.
    av_dict_set(&opts, "probesize", "32", 0);
    av_dict_set(&opts, "analyzeduration", "0", 0);
    const AVInputFormat* ts = av_find_input_format("mpegts");
    int err = avformat_open_input(&raw, srt_url(listen_, SrtRole::listener).c_str(), ts, &opts);
    av_dict_free(&opts);
    if (err < 0) {
        if (!stop_) outcome.error = "cannot receive on " + listen_.host + ":" + std::to_string(listen_.port) + ": " +
                                    player::av_error_text(err);
        return outcome;  // avformat_open_input frees the context on failure
    }
    player::InputPtr in(raw);
    outcome.connected = true;
    if (on_connected) on_connected();
    if ((err = avformat_find_stream_info(in.get(), nullptr)) < 0) {
        if (!stop_) outcome.error = "cannot read the stream: " + player::av_error_text(err);
        return outcome;
    }
    const AVCodec* codec = nullptr;
    const int video = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (video < 0 || !codec) {
        outcome.error = "the stream has no picture this receiver can decode";
        return outcome;
    }
    player::CodecPtr decoder(avcodec_alloc_context3(codec));
    avcodec_parameters_to_context(decoder.get(), in->streams[video]->codecpar);
    // Low delay: no frame threads (each holds a picture back); the sender's slices are decoded in
    // parallel instead (libx264's zero-latency tuning cuts each picture into slices).
    decoder->flags |= AV_CODEC_FLAG_LOW_DELAY;
    decoder->thread_type = FF_THREAD_SLICE;
    decoder->thread_count = 0;
    if ((err = avcodec_open2(decoder.get(), codec, nullptr)) < 0) {
        outcome.error = "cannot open the picture decoder: " + player::av_error_text(err);
        return outcome;
    }

    // The sound: decoded when someone listens; a stream whose sound cannot be decoded still shows.
    // Found by hand: av_find_best_stream passes over an audio stream whose rate and channels are
    // not known yet, and nothing was probed here (the AAC decoder reads them from each frame).
    player::CodecPtr sound;
    const AVCodec* sound_codec = nullptr;
    int audio = -1;
    for (unsigned i = 0; on_sound && audio < 0 && i < in->nb_streams; ++i)
        if (in->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO) audio = static_cast<int>(i);
    if (audio >= 0) sound_codec = avcodec_find_decoder(in->streams[audio]->codecpar->codec_id);
    if (sound_codec) {
        sound.reset(avcodec_alloc_context3(sound_codec));
        if (avcodec_parameters_to_context(sound.get(), in->streams[audio]->codecpar) < 0 ||
            avcodec_open2(sound.get(), sound_codec, nullptr) < 0)
            sound.reset();
    }
    player::FramePtr samples = player::make_frame();
    auto hear = [&] {
        while (avcodec_receive_frame(sound.get(), samples.get()) >= 0) {
            on_sound(*samples);
            av_frame_unref(samples.get());
        }
    };

    player::PacketPtr pkt = player::make_packet();
    auto deliver = [&]() {
        for (;;) {
            player::FramePtr frame = player::make_frame();
            if (avcodec_receive_frame(decoder.get(), frame.get()) < 0) return;
            ReceivedPicture got;
            got.stamp = read_media_stamp(frame.get());
            ++outcome.pictures;
            if (!got.stamp) ++outcome.unstamped;
            got.picture = std::shared_ptr<const AVFrame>(frame.release(), [](const AVFrame* f) {
                AVFrame* owned = const_cast<AVFrame*>(f);
                av_frame_free(&owned);
            });
            on_picture(got);
        }
    };
    while (!stop_) {
        err = av_read_frame(in.get(), pkt.get());
        if (err < 0) break;  // the sender closed (or stop())
        if (pkt->stream_index == video && avcodec_send_packet(decoder.get(), pkt.get()) >= 0) deliver();
        else if (sound && pkt->stream_index == audio && avcodec_send_packet(sound.get(), pkt.get()) >= 0) hear();
        av_packet_unref(pkt.get());
    }
    if (!stop_) {
        avcodec_send_packet(decoder.get(), nullptr);
        deliver();
    }
    return outcome;
}

}  // namespace courtplay::cast
