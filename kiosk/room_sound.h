// The cast's sound in the courtroom (`courtplay receiver`): decoded blocks are converted to the
// audio device's format and queued on it as they arrive, as the pictures are shown as they arrive,
// so the two stay together at the sender's pace. Never more than a quarter of a second is queued:
// a device that fell behind drops sound rather than letting it drift from the picture. Without a
// device (--headless) the sound is only counted.
#pragma once

#include <cstdint>
#include <memory>

struct AVFrame;
struct SwrContext;

namespace courtplay::kiosk {

class RoomSound {
public:
    // `play`: open the audio device (SDL_INIT_AUDIO is done here); false counts only.
    explicit RoomSound(bool play);
    ~RoomSound();
    RoomSound(const RoomSound&) = delete;
    RoomSound& operator=(const RoomSound&) = delete;

    void hear(const AVFrame& block);  // the receiving thread
    // Seconds of sound received, and of it dropped because the device was behind.
    double seconds_heard() const { return heard_samples_ / 48000.0; }
    double seconds_dropped() const { return dropped_samples_ / 48000.0; }

private:
    uint32_t device_ = 0;  // SDL_AudioDeviceID, 0: none
    SwrContext* resampler_ = nullptr;
    int in_rate_ = 0, in_format_ = -1, in_channels_ = 0;
    int64_t heard_samples_ = 0, dropped_samples_ = 0;  // at 48 kHz
};

}  // namespace courtplay::kiosk
