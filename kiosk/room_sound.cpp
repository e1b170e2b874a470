#include "kiosk/room_sound.h"

#include <SDL.h>

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
}

#include <vector>

namespace courtplay::kiosk {
namespace {
constexpr int kRate = 48000, kChannels = 2;
constexpr Uint32 kMostQueuedBytes = kRate / 4 * kChannels * sizeof(float);  // 250 ms
}  // namespace

RoomSound::RoomSound(bool play) {
    if (!play || SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) return;
    SDL_AudioSpec want{};
    want.freq = kRate;
    want.format = AUDIO_F32SYS;
    want.channels = kChannels;
    want.samples = 1024;
    device_ = SDL_OpenAudioDevice(nullptr, 0, &want, nullptr, 0);  // SDL converts if the card differs
    if (device_) SDL_PauseAudioDevice(device_, 0);
}

RoomSound::~RoomSound() {
    if (device_ && SDL_WasInit(SDL_INIT_AUDIO)) SDL_CloseAudioDevice(device_);  // SDL_Quit closed it otherwise
    swr_free(&resampler_);
}

void RoomSound::hear(const AVFrame& block) {
    const int rate = block.sample_rate, channels = block.ch_layout.nb_channels;
    if (rate <= 0 || channels <= 0 || block.nb_samples <= 0) return;
    if (rate != in_rate_ || block.format != in_format_ || channels != in_channels_) {
        swr_free(&resampler_);
        AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO, in{};
        if (av_channel_layout_copy(&in, &block.ch_layout) < 0) return;  // this FFmpeg takes it non-const
        const int made = swr_alloc_set_opts2(&resampler_, &stereo, AV_SAMPLE_FMT_FLT, kRate, &in,
                                             static_cast<AVSampleFormat>(block.format), rate, 0, nullptr);
        av_channel_layout_uninit(&in);
        if (made < 0 || swr_init(resampler_) < 0) {
            swr_free(&resampler_);
            return;
        }
        in_rate_ = rate, in_format_ = block.format, in_channels_ = channels;
    }
    const int most = swr_get_out_samples(resampler_, block.nb_samples);
    if (most <= 0) return;
    std::vector<float> out(static_cast<size_t>(most) * kChannels);
    uint8_t* planes[1] = {reinterpret_cast<uint8_t*>(out.data())};
    const int got = swr_convert(resampler_, planes, most, const_cast<const uint8_t**>(block.extended_data), block.nb_samples);
    if (got <= 0) return;
    heard_samples_ += got;
    if (!device_) return;
    if (SDL_GetQueuedAudioSize(device_) > kMostQueuedBytes) {
        dropped_samples_ += got;
        return;
    }
    SDL_QueueAudio(device_, out.data(), static_cast<Uint32>(got) * kChannels * sizeof(float));
}

}  // namespace courtplay::kiosk
