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

// Whether a picture's samples use the full 0-255 range (JPEG/MJPEG) rather than video's 16-235:
// said by its colour range or, for the older "J" formats, by the format itself.
inline bool is_full_range(const AVFrame& f) {
    return f.color_range == AVCOL_RANGE_JPEG || f.format == AV_PIX_FMT_YUVJ420P || f.format == AV_PIX_FMT_YUVJ422P ||
           f.format == AV_PIX_FMT_YUVJ444P || f.format == AV_PIX_FMT_YUVJ440P;
}

}  // namespace courtplay::player
