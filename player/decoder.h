// Shared set-up of a libavcodec decoder for one stream.
#pragma once

#include "player/av_ptr.h"

namespace courtplay::player {

// Opens a decoder for `stream`. Throws OpenError (naming `clip`) if there is none or it fails.
CodecPtr open_decoder(const AVStream* stream, const std::string& clip);

}  // namespace courtplay::player
