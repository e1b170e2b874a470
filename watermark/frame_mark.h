// A mark burned into the picture of every presented frame. MarkStage (mark_stage.h) applies every
// mark to a writable copy of the decoded picture before any output sees it; a second, invisible
// forensic mark is one more FrameMark, and no output changes.
#pragma once

#include "player/player.h"

extern "C" {
#include <libavutil/frame.h>
}

#include <cstdint>

namespace courtplay::watermark {

class FrameMark {
public:
    virtual ~FrameMark() = default;
    // `picture` is 8-bit 4:2:0 (YUV420P or YUVJ420P), writable, at the video's own size.
    // `utc_us`: the wall-clock time the picture is shown at, microseconds since 1970 (UTC).
    virtual void burn(AVFrame& picture, int64_t utc_us) = 0;
    // True when a picture burned at `utc_us` would differ from the last one burned (its clock moved
    // on a second): the stage then burns the frame on screen again, even while paused.
    virtual bool stale(int64_t utc_us) const = 0;
    // The rows the last burn() wrote to (all of them for a mark spread over the whole picture), so
    // that an output repainting an unchanged frame with a fresh mark redraws only those.
    virtual player::PictureRows rows() const = 0;
};

}  // namespace courtplay::watermark
