// Feeds the audio device from the decoded sound, on the device's thread, and sets the audio clock
// (the master clock) from what it hands over: the media time of the first sample and when that
// sample will be heard.
#pragma once

#include "player/audio_decoder.h"
#include "player/clock.h"

#include <atomic>
#include <optional>

namespace courtplay::player {

// Sees every block of sound as it goes to the device (for the audio log). Device thread.
class AudioObserver {
public:
    virtual ~AudioObserver() = default;
    // `media` is the media time of samples[0] (kNoTime for silence); `heard_at` is when it is heard.
    virtual void on_audio(const float* samples, int frames, const AudioFormat& format, Micros media,
                          double rate, Micros heard_at) = 0;
};

class AudioRenderer {
public:
    AudioRenderer(AudioChunkQueue& queue, AudioFormat format, Clock& clock);

    // Device thread. Fills `frames` frames; the first will be heard at `heard_at`.
    void render(float* out, int frames, Micros heard_at);

    // Main thread.
    void set_serial(int serial) { serial_ = serial; }
    void set_paused(bool paused) { paused_ = paused; }
    void set_volume(float volume) { volume_ = volume; }
    void set_muted(bool muted) { muted_ = muted; }
    void set_stop_at(Micros time) { stop_at_ = time; }  // segment end: nothing after it is played
    void set_observer(AudioObserver* observer) { observer_ = observer; }  // before the device starts
    bool ended(int serial) const { return ended_serial_ == serial; }
    const AudioFormat& format() const { return format_; }

private:
    AudioChunkQueue& queue_;
    const AudioFormat format_;
    Clock& clock_;
    AudioObserver* observer_ = nullptr;

    std::atomic<int> serial_{0};
    std::atomic<bool> paused_{false};
    std::atomic<float> volume_{1.0f};
    std::atomic<bool> muted_{false};
    std::atomic<Micros> stop_at_{kNoTime};
    std::atomic<int> ended_serial_{-1};

    // Device thread only:
    std::optional<AudioChunk> chunk_;
    size_t offset_ = 0;      // frames of chunk_ already played
    Micros next_time_ = kNoTime;  // media time after the last frame played
};

// A device that pulls sound from a renderer.
class AudioOutput {
public:
    virtual ~AudioOutput() = default;
    virtual AudioFormat format() const = 0;
    virtual void start(AudioRenderer* renderer) = 0;
};

// For --headless: no device, but the sound is consumed in real time on a thread of its own, so the
// audio clock runs exactly as it would with a sound card.
std::unique_ptr<AudioOutput> open_silent_output(AudioFormat wanted);
// The SDL audio device (SDL_INIT_AUDIO must be done); nullptr when there is none.
std::unique_ptr<AudioOutput> open_sdl_output(AudioFormat wanted);

}  // namespace courtplay::player
