#include "player/audio_renderer.h"

#include <algorithm>
#include <cstring>

namespace courtplay::player {

AudioRenderer::AudioRenderer(AudioChunkQueue& queue, AudioFormat format, Clock& clock)
    : queue_(queue), format_(format), clock_(clock) {}

void AudioRenderer::render(float* out, int frames, Micros heard_at) {
    const int ch = format_.channels;
    std::memset(out, 0, sizeof(float) * static_cast<size_t>(frames) * ch);
    const int serial = serial_;
    if (paused_) {
        if (observer_) observer_->on_audio(out, frames, format_, kNoTime, 1.0, heard_at);
        return;
    }
    const float gain = muted_ ? 0.0f : volume_.load();
    const Micros stop_at = stop_at_;
    Micros first_time = kNoTime;
    double first_rate = 1.0;
    int done = 0;
    while (done < frames) {
        if (chunk_ && (chunk_->serial != serial || offset_ * ch >= chunk_->samples.size())) chunk_.reset();
        if (!chunk_) {
            auto next = queue_.try_pop();
            if (!next) break;  // underrun: the rest stays silent
            if (next->serial != serial) continue;
            if (next->end) {
                ended_serial_ = serial;
                break;
            }
            chunk_ = std::move(next);
            offset_ = 0;
            if (chunk_->time != kNoTime) next_time_ = chunk_->time;
        }
        const double us_per_frame = chunk_->rate * 1e6 / format_.rate;
        if (stop_at != kNoTime && next_time_ != kNoTime && next_time_ > stop_at) {
            ended_serial_ = serial;
            chunk_.reset();
            break;
        }
        size_t available = chunk_->samples.size() / ch - offset_;
        if (stop_at != kNoTime && next_time_ != kNoTime)
            available = std::min(available, static_cast<size_t>(static_cast<double>(stop_at - next_time_) / us_per_frame) + 1);
        auto n = static_cast<int>(std::min<size_t>(available, static_cast<size_t>(frames - done)));
        const float* src = chunk_->samples.data() + offset_ * ch;
        float* dst = out + static_cast<size_t>(done) * ch;
        for (int i = 0; i < n * ch; ++i) dst[i] = src[i] * gain;
        if (first_time == kNoTime && next_time_ != kNoTime) {
            first_time = next_time_ - static_cast<Micros>(done * us_per_frame);
            first_rate = chunk_->rate;
        }
        offset_ += static_cast<size_t>(n);
        if (next_time_ != kNoTime) next_time_ += static_cast<Micros>(n * us_per_frame);
        done += n;
    }
    if (first_time != kNoTime) clock_.set(first_time, heard_at, serial);
    if (observer_) observer_->on_audio(out, frames, format_, first_time, first_rate, heard_at);
}

}  // namespace courtplay::player
