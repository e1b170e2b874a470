// Shared set-up of a libavcodec decoder for one stream.
#pragma once

#include "player/av_ptr.h"

namespace courtplay::player {

class PicturePool;

// Opens a decoder for `stream`. Throws OpenError (naming `clip`) if there is none or it fails.
// With `pictures`, a video decoder takes its picture buffers from it (it must outlive the decoder).
CodecPtr open_decoder(const AVStream* stream, const std::string& clip, PicturePool* pictures = nullptr);

}  // namespace courtplay::player
