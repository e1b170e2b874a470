// Speed change with the pitch kept: libavfilter's atempo, on interleaved float sound.
//
// libavfilter is loaded on first use, not linked: Debian's build of it brings about thirty more
// shared libraries, some 50 ms of every start of courtplay (measured in docs/benchmarks.md), for
// a filter that most playbacks never need.
#pragma once

#include "player/audio_chunk.h"

#include <functional>
#include <memory>

namespace courtplay::player {

class TempoFilter {
public:
    // nullptr when libavfilter cannot be loaded or the filter cannot be set up.
    static std::unique_ptr<TempoFilter> create(AudioFormat format, double rate);
    ~TempoFilter();
    TempoFilter(const TempoFilter&) = delete;
    TempoFilter& operator=(const TempoFilter&) = delete;

    // Feeds `frames` frames; nullptr flushes what the filter still holds.
    bool push(const float* samples, int frames);
    // Hands every frame of output ready so far to `sink`; stops early when `sink` returns false.
    bool pull(const std::function<bool(const float* samples, int frames)>& sink);

private:
    struct Graph;
    explicit TempoFilter(std::unique_ptr<Graph> graph, AudioFormat format);
    std::unique_ptr<Graph> graph_;
    AudioFormat format_;
};

}  // namespace courtplay::player
