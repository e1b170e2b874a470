// Drives a real Player in-process, headless (the silent audio output runs the clock in real time),
// and records every frame it presents by the frame code drawn into the fixture clips.
#pragma once

#include "assets/frame_code.h"
#include "player/frame_log.h"
#include "player/player.h"

#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

namespace courtplay::testing {

using player::Micros;

// Seconds as the player's microseconds, rounded.
inline Micros sec(double s) { return static_cast<Micros>(s * 1e6 + (s >= 0 ? 0.5 : -0.5)); }

struct Shown {
    int code = -1;          // frame number read from the picture
    Micros media = 0;       // timeline time
    int serial = 0;         // which seek it belongs to
    Micros at = 0;          // monotonic time presented
    bool paused = false;    // presented while paused (a step, back or seek)
};

struct Heard {
    Micros heard_at = 0;
    Micros media = 0;       // media time of the block's first sample
    double rate = 1;
    float peak = 0;         // loudest sample of the block
    int onset = -1;         // index of the first sample >= 0.3 after 20 ms of quiet, or -1
};

class Harness final : public player::VideoSink, public player::AudioObserver {
public:
    explicit Harness(const std::string& path, player::PlayerOptions options = {});
    ~Harness() override;

    player::Player& player() { return *player_; }
    // Runs the main loop until fn() is true (checked after each tick) or `timeout` passes;
    // returns whether fn() became true.
    bool run_until(const std::function<bool()>& fn, Micros timeout = 15000000);
    // Runs until every queued control has been carried out.
    bool settle(Micros timeout = 15000000);
    void run_for(Micros duration);
    bool run_to_end(Micros timeout = 30000000);

    std::vector<Shown> shown() const;
    std::vector<Heard> heard() const;
    int last_code() const;

    void present(const player::VideoFrame& frame, const player::FramePosition& position) override;
    void on_audio(const float* samples, int frames, const player::AudioFormat& format, Micros media, double rate,
                  Micros heard_at) override;

private:
    std::unique_ptr<player::Player> player_;
    std::vector<Shown> shown_;  // main thread
    mutable std::mutex heard_mutex_;  // guards heard_, quiet_
    std::vector<Heard> heard_;
    int quiet_ = 1 << 30;
    std::mutex wake_mutex_;  // guards woken_
    std::condition_variable wake_;
    bool woken_ = false;
};

}  // namespace courtplay::testing
