#include "support/player_harness.h"

#include "player/clock.h"

#include <cmath>

namespace courtplay::testing {

Harness::Harness(const std::string& path, player::PlayerOptions options) {
    player_ = std::make_unique<player::Player>(player::open_file_source(path), options,
                                               [](player::AudioFormat f) { return player::open_silent_output(f); });
    player_->add_sink(this);
    player_->set_audio_observer(this);
    player_->set_wake([this] {
        {
            std::lock_guard lock(wake_mutex_);
            woken_ = true;
        }
        wake_.notify_one();
    });
    player_->start();
}

Harness::~Harness() { player_.reset(); }

bool Harness::run_until(const std::function<bool()>& fn, Micros timeout) {
    const Micros deadline = player::monotonic_now() + timeout;
    for (;;) {
        Micros now = player::monotonic_now();
        Micros wait = player_->tick(now);
        if (fn()) return true;
        if (now >= deadline) return false;
        std::unique_lock lock(wake_mutex_);
        wake_.wait_for(lock, std::chrono::microseconds(std::clamp<Micros>(wait, 0, 20000)), [&] { return woken_; });
        woken_ = false;
    }
}

bool Harness::settle(Micros timeout) {
    return run_until([&] { return !player_->busy(); }, timeout);
}

void Harness::run_for(Micros duration) {
    const Micros until = player::monotonic_now() + duration;
    run_until([&] { return player::monotonic_now() >= until; }, duration + 1000000);
}

bool Harness::run_to_end(Micros timeout) {
    return run_until([&] { return player_->ended(); }, timeout);
}

std::vector<Shown> Harness::shown() const { return shown_; }

std::vector<Heard> Harness::heard() const {
    std::lock_guard lock(heard_mutex_);
    return heard_;
}

int Harness::last_code() const { return shown_.empty() ? -1 : shown_.back().code; }

void Harness::present(const player::VideoFrame& frame, const player::FramePosition& position) {
    shown_.push_back(Shown{assets::read_frame_code(frame.picture.get()), position.media, frame.serial,
                           player::monotonic_now(), player_ && player_->state(0).paused});
}

void Harness::on_audio(const float* samples, int frames, const player::AudioFormat& format, Micros media,
                       double rate, Micros heard_at) {
    if (media == player::kNoTime) return;  // silence while paused or waiting
    Heard h{heard_at, media, rate, 0, -1};
    std::lock_guard lock(heard_mutex_);
    for (int i = 0; i < frames; ++i) {
        float peak = 0;
        for (int c = 0; c < format.channels; ++c) peak = std::max(peak, std::fabs(samples[i * format.channels + c]));
        h.peak = std::max(h.peak, peak);
        if (peak < 0.3f) {
            ++quiet_;
            continue;
        }
        if (quiet_ >= format.rate / 50 && h.onset < 0) h.onset = i;
        quiet_ = 0;
    }
    heard_.push_back(h);
}

}  // namespace courtplay::testing
