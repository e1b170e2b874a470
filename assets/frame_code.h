// A frame-number code that sample clips carry in their pictures, so a test can tell exactly which
// frame a decoder, a seek or a display path produced, even after lossy compression.
//
// Layout (all sizes derive from the picture size alone, so a reader needs no side channel):
//   a band at the top, `frame_code_band_height()` rows tall, filled with black (luma 16);
//   row 0 holds the 16 bits of the number, most significant bit on the left;
//   row 1 holds their bitwise complement, so a damaged or missing code is detected;
//   each bit is a block width/18 wide and max(8, height/16) tall; 1 = luma 235, 0 = luma 16.
// A reader averages each block's centre half and compares it with 128: the blocks are large and
// the levels far apart, so the code survives the quantisation and deblocking of any codec we use.
#pragma once

#include <cstdint>

struct AVFrame;

namespace courtplay::assets {

// Rows at the top of a width x height picture that belong to the code; content drawn below
// this line never touches it. Throws std::invalid_argument if the picture is too small
// to carry a code (narrower than 36 or shorter than 24 pixels).
int frame_code_band_height(int width, int height);

// Draws `number` (0..65535) as a 16-bit code into a band at the top of an 8-bit luma plane.
// Throws std::invalid_argument for a number out of range or a picture too small.
void draw_frame_code(uint8_t* luma, int linesize, int width, int height, int number);

// Reads it back from a decoded frame of any software pixel format: the luma plane directly for
// planar 8-bit YUV/GRAY formats, otherwise the band converted to GRAY8 with libswscale.
// Returns -1 if the band does not decode to a valid code (or the frame cannot be read).
int read_frame_code(const AVFrame* frame);

}  // namespace courtplay::assets
