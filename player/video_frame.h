#pragma once

#include "player/av_ptr.h"

#include <memory>

namespace courtplay::player {

// A decoded picture on its way to the screen. The AVFrame is shared (never modified after decoding)
// so the history of the current GOP, the screen and the frame log can all hold it.
struct VideoFrame {
    enum class Kind {
        Shown,    // normal playback order
        Preroll,  // decoded on the way to a seek target: kept for backward steps, never shown on its own
        Target,   // the frame a seek asked for: the last one at or before the target time
        End,      // no picture: the stream ended for this serial
    };
    std::shared_ptr<const AVFrame> picture;
    Micros time = kNoTime;  // absolute stream time
    Micros duration = 0;
    int serial = 0;
    Kind kind = Kind::Shown;
};

}  // namespace courtplay::player
