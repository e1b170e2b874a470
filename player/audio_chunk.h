#pragma once

#include "player/av_ptr.h"

#include <vector>

namespace courtplay::player {

// The sound the device plays: interleaved float samples in the device's format.
struct AudioFormat {
    int rate = 48000;
    int channels = 2;
};

struct AudioChunk {
    std::vector<float> samples;  // interleaved; samples.size() / channels frames
    Micros time = kNoTime;       // absolute media time of the first frame
    double rate = 1.0;           // media seconds per device second (the playback speed)
    int serial = 0;
    bool end = false;            // no samples: the stream ended for this serial
};

}  // namespace courtplay::player
