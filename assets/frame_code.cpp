#include "assets/frame_code.h"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

namespace courtplay::assets {
namespace {

constexpr int kBits = 16;
constexpr uint8_t kLow = 16;    // video-range black: a 0 bit, and the band's background
constexpr uint8_t kHigh = 235;  // video-range white: a 1 bit
constexpr int kThreshold = 128;

// Where the blocks sit. Derived from the picture size only, so a frame scaled to another size
// still reads back (the blocks scale with it, and only their centres are sampled).
struct Geometry {
  int bit_w;   // block width
  int bit_h;   // block height (one row of the code)
  int x0;      // left edge of bit 15; the code is centred, leaving about one block each side
  int band_h;  // both rows plus a guard strip that keeps moving content's ringing off row 1
};

bool fits(int width, int height) {
  return width >= 36 && height >= 24;  // the band is at least 20 rows; leave some for content
}

Geometry geometry(int width, int height) {
  Geometry g;
  g.bit_w = width / 18;
  g.bit_h = std::max(8, height / 18);
  g.x0 = (width - kBits * g.bit_w) / 2;
  g.band_h = std::min(height, 2 * g.bit_h + g.bit_h / 2);
  return g;
}

// Mean of the centre half (in both directions) of one block; the edges are where codecs smear.
int block_mean(const uint8_t* luma, int linesize, const Geometry& g, int bit, int row) {
  const int x = g.x0 + bit * g.bit_w + g.bit_w / 4;
  const int y = row * g.bit_h + g.bit_h / 4;
  const int w = std::max(1, g.bit_w / 2);
  const int h = std::max(1, g.bit_h / 2);
  int sum = 0;
  for (int j = 0; j < h; ++j) {
    const uint8_t* p = luma + static_cast<ptrdiff_t>(y + j) * linesize + x;
    for (int i = 0; i < w; ++i) sum += p[i];
  }
  return sum / (w * h);
}

int decode_band(const uint8_t* luma, int linesize, int width, int height) {
  const Geometry g = geometry(width, height);
  int number = 0;
  for (int bit = 0; bit < kBits; ++bit) {
    const bool value = block_mean(luma, linesize, g, bit, 0) >= kThreshold;
    const bool check = block_mean(luma, linesize, g, bit, 1) >= kThreshold;
    if (value == check) return -1;  // the complement row disagrees: not a code, or damaged
    number = (number << 1) | (value ? 1 : 0);
  }
  return number;
}

// Formats whose plane 0 is exactly an 8-bit luma (or gray) plane, one byte per pixel.
bool has_plain_luma(const AVPixFmtDescriptor* d) {
  if (d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL | AV_PIX_FMT_FLAG_BITSTREAM |
                  AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_BAYER | AV_PIX_FMT_FLAG_FLOAT)) {
    return false;
  }
  const AVComponentDescriptor& y = d->comp[0];
  return y.plane == 0 && y.step == 1 && y.offset == 0 && y.shift == 0 && y.depth == 8;
}

struct SwsDeleter {
  void operator()(SwsContext* c) const { sws_freeContext(c); }
};

}  // namespace

int frame_code_band_height(int width, int height) {
  if (!fits(width, height)) {
    throw std::invalid_argument("frame code: picture " + std::to_string(width) + "x" +
                                std::to_string(height) + " is too small (need at least 36x24)");
  }
  return geometry(width, height).band_h;
}

void draw_frame_code(uint8_t* luma, int linesize, int width, int height, int number) {
  if (number < 0 || number > 0xFFFF) {
    throw std::invalid_argument("frame code: number " + std::to_string(number) +
                                " is outside 0..65535");
  }
  frame_code_band_height(width, height);  // validates the size
  const Geometry g = geometry(width, height);
  for (int y = 0; y < g.band_h; ++y) {
    std::fill_n(luma + static_cast<ptrdiff_t>(y) * linesize, width, kLow);
  }
  for (int bit = 0; bit < kBits; ++bit) {
    const bool value = (number >> (kBits - 1 - bit)) & 1;
    const int x = g.x0 + bit * g.bit_w;
    for (int row = 0; row < 2; ++row) {
      const bool on = row == 0 ? value : !value;
      if (!on) continue;
      for (int y = row * g.bit_h; y < (row + 1) * g.bit_h; ++y) {
        std::fill_n(luma + static_cast<ptrdiff_t>(y) * linesize + x, g.bit_w, kHigh);
      }
    }
  }
}

int read_frame_code(const AVFrame* frame) {
  if (!frame || !fits(frame->width, frame->height) || !frame->data[0]) return -1;
  const auto* desc = av_pix_fmt_desc_get(static_cast<AVPixelFormat>(frame->format));
  if (!desc || (desc->flags & AV_PIX_FMT_FLAG_HWACCEL)) return -1;
  if (frame->linesize[0] < 0) return -1;  // bottom-up pictures: not produced by our decoders

  if (has_plain_luma(desc)) {
    return decode_band(frame->data[0], frame->linesize[0], frame->width, frame->height);
  }

  // Anything else (RGB, packed YUV, high bit depth): convert only the band to GRAY8. The band
  // is treated as a picture of its own, rounded up to whole chroma rows.
  const int align = 1 << desc->log2_chroma_h;
  const int rows = std::min(frame->height,
                            (geometry(frame->width, frame->height).band_h + align - 1) / align * align);
  const auto src_fmt = static_cast<AVPixelFormat>(frame->format);
  std::unique_ptr<SwsContext, SwsDeleter> sws(
      sws_getContext(frame->width, rows, src_fmt, frame->width, rows, AV_PIX_FMT_GRAY8,
                     SWS_POINT, nullptr, nullptr, nullptr));
  if (!sws) return -1;
  const int gray_linesize = (frame->width + 63) / 64 * 64;
  std::vector<uint8_t> gray(static_cast<size_t>(gray_linesize) * (rows + 1));
  uint8_t* dst[4] = {gray.data(), nullptr, nullptr, nullptr};
  int dst_linesize[4] = {gray_linesize, 0, 0, 0};
  if (sws_scale(sws.get(), frame->data, frame->linesize, 0, rows, dst, dst_linesize) != rows) {
    return -1;
  }
  return decode_band(gray.data(), gray_linesize, frame->width, frame->height);
}

}  // namespace courtplay::assets
