#include "player/frame_log.h"

extern "C" {
#include <libavutil/imgutils.h>
#include <libavutil/md5.h>
}

#include <cmath>
#include <memory>

namespace courtplay::player {

std::string picture_md5(const AVFrame* picture, std::vector<uint8_t>& scratch) {
    const auto format = static_cast<AVPixelFormat>(picture->format);
    int size = av_image_get_buffer_size(format, picture->width, picture->height, 1);
    if (size <= 0) return "-";
    scratch.resize(static_cast<size_t>(size));
    av_image_copy_to_buffer(scratch.data(), size, picture->data, picture->linesize, format, picture->width,
                            picture->height, 1);
    uint8_t digest[16];
    av_md5_sum(digest, scratch.data(), size);
    static const char hex[] = "0123456789abcdef";
    std::string out(32, '0');
    for (int i = 0; i < 16; ++i) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    return out;
}

void FrameLog::present(const VideoFrame& frame, const FramePosition& position) {
    const std::string md5 = picture_md5(frame.picture.get(), scratch_);
    std::fprintf(out_, "%.3f\t%.6f\t%s\n", static_cast<double>(monotonic_now()) / 1000.0,
                 static_cast<double>(position.media) / 1e6, md5.c_str());
}

void AudioLog::on_audio(const float* samples, int frames, const AudioFormat& format, Micros media, double rate,
                        Micros heard_at) {
    constexpr float kOnset = 0.3f;
    const int quiet_needed = format.rate / 50;  // 20 ms of quiet before a new click counts
    for (int i = 0; i < frames; ++i) {
        float peak = 0;
        for (int c = 0; c < format.channels; ++c) peak = std::max(peak, std::fabs(samples[i * format.channels + c]));
        if (peak < kOnset) {
            ++quiet_frames_;
            continue;
        }
        if (quiet_frames_ >= quiet_needed && media != kNoTime) {
            const double heard_ms = static_cast<double>(heard_at) / 1000.0 + i * 1000.0 / format.rate;
            const double media_s = static_cast<double>(media) / 1e6 + i * rate / format.rate;
            std::fprintf(out_, "%.3f\t%.6f\n", heard_ms, media_s);
        }
        quiet_frames_ = 0;
    }
}

}  // namespace courtplay::player
