// Comparing what was shown (the --dump-presented pictures) with what was decoded: the watermark
// must be there, and nothing else may differ.
#pragma once

#include "kiosk/presented_dump.h"
#include "player/av_ptr.h"
#include "watermark/watermark.h"

#include <string>
#include <vector>

namespace courtplay::testing {

// Every video frame of a clip, decoded with libavcodec, in presentation order.
std::vector<player::FramePtr> decode_video_frames(const std::string& path);

// Pixels of two RGB pictures of one size that differ by more than `tolerance` in any channel,
// and their bounding box.
struct PictureDifference {
    int64_t count = 0;
    watermark::Box box;
};
PictureDifference difference(const kiosk::RgbPicture& a, const kiosk::RgbPicture& b, int tolerance = 0);

// Runs tesseract on the part of a PNG (of width x height) inside `box`: the text it reads.
std::string read_text(const std::string& png, int width, int height, const watermark::Box& box);

}  // namespace courtplay::testing
