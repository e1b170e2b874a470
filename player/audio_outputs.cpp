#include "player/audio_renderer.h"

#include "files/thread_name.h"

#include <SDL.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace courtplay::player {
namespace {

// Frames per block handed to the device: SDL's sound card is asked for this, and the silent
// stand-in hands over the same (21 ms at 48 kHz), so it wakes as often as a card does.
constexpr int kBlockFrames = 1024;

// Hands sound over in blocks paced by the monotonic clock, as a sound card would.
class SilentOutput final : public AudioOutput {
public:
    explicit SilentOutput(AudioFormat format) : format_(format) {}
    ~SilentOutput() override {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
    }
    AudioFormat format() const override { return format_; }
    void start(AudioRenderer* renderer) override {
        thread_ = std::thread([this, renderer] {
            files::name_this_thread("silent-sound");
            run(renderer);
        });
    }

private:
    void run(AudioRenderer* renderer) {
        const int block = kBlockFrames;
        std::vector<float> buffer(static_cast<size_t>(block) * format_.channels);
        Micros start = monotonic_now();
        int64_t frames_done = 0;
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            Micros due = start + av_rescale(frames_done, 1000000, format_.rate);
            lock.unlock();
            renderer->render(buffer.data(), block, due);
            lock.lock();
            frames_done += block;
            Micros next = start + av_rescale(frames_done, 1000000, format_.rate);
            wake_.wait_for(lock, std::chrono::microseconds(std::max<Micros>(0, next - monotonic_now())),
                           [&] { return stopping_; });
        }
    }

    const AudioFormat format_;
    std::mutex mutex_;  // guards stopping_
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

class SdlOutput final : public AudioOutput {
public:
    SdlOutput() = default;
    ~SdlOutput() override {
        if (device_) SDL_CloseAudioDevice(device_);
    }
    bool open(AudioFormat wanted) {
        SDL_AudioSpec want{}, have{};
        want.freq = wanted.rate;
        want.format = AUDIO_F32SYS;
        want.channels = static_cast<Uint8>(std::clamp(wanted.channels, 1, 8));
        want.samples = kBlockFrames;
        want.callback = &SdlOutput::callback;
        want.userdata = this;
        device_ = SDL_OpenAudioDevice(nullptr, 0, &want, &have,
                                      SDL_AUDIO_ALLOW_FREQUENCY_CHANGE | SDL_AUDIO_ALLOW_CHANNELS_CHANGE);
        if (!device_) return false;
        format_ = AudioFormat{have.freq, have.channels};
        block_ = have.samples;
        return true;
    }
    AudioFormat format() const override { return format_; }
    void start(AudioRenderer* renderer) override {
        renderer_ = renderer;
        SDL_PauseAudioDevice(device_, 0);
    }

private:
    static void callback(void* self, Uint8* stream, int len) {
        auto* out = static_cast<SdlOutput*>(self);
        const int frames = len / static_cast<int>(sizeof(float)) / out->format_.channels;
        // What is written now is heard after the block the device is playing (ffplay's estimate).
        Micros heard_at = monotonic_now() + av_rescale(out->block_, 1000000, out->format_.rate);
        out->renderer_->render(reinterpret_cast<float*>(stream), frames, heard_at);
    }

    SDL_AudioDeviceID device_ = 0;
    AudioFormat format_;
    int block_ = 1024;
    AudioRenderer* renderer_ = nullptr;
};

}  // namespace

std::unique_ptr<AudioOutput> open_silent_output(AudioFormat wanted) {
    return std::make_unique<SilentOutput>(wanted);
}

std::unique_ptr<AudioOutput> open_sdl_output(AudioFormat wanted) {
    auto out = std::make_unique<SdlOutput>();
    if (!out->open(wanted)) return nullptr;
    return out;
}

}  // namespace courtplay::player
