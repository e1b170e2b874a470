// Drawing for the demo clips' procedural scenes: flat shapes, gradients and text painted straight
// into an 8-bit 4:2:0 picture. Every shape is a set of horizontal spans (one memset per row and
// plane), so a 1080p frame costs well under a millisecond and a clip's making time is the encoder's.
#pragma once

#include <cstdint>
#include <string>

#include "watermark/glyphs.h"
#include "watermark/text_mask.h"

struct AVFrame;

namespace courtplay::assets {

struct Colour {
  uint8_t y, u, v;
};

class Canvas {
 public:
  // `picture`: writable YUV420P (studio range) or YUVJ420P (full range). Its colorspace field
  // chooses the matrix for rgb(): BT.601 when it says so, BT.709 otherwise.
  explicit Canvas(AVFrame* picture);

  int width() const { return width_; }
  int height() const { return height_; }
  Colour rgb(int r, int g, int b) const;

  // Added to every position drawn from here on: the shake of a handheld camera.
  void set_offset(int dx, int dy) { dx_ = dx; dy_ = dy; }

  // Pixels [x0, x1) of row y; clipped to the picture. Chroma is written on even rows only (one
  // chroma row per two luma rows), so shapes keep their colour wherever they start.
  void span(int y, int x0, int x1, Colour c);
  void rect(int x, int y, int w, int h, Colour c);
  // Rows [y0, y1) across the whole width, blending from `top` to `bottom`; ignores the offset
  // horizontally (a sky has no edges to show).
  void gradient(int y0, int y1, Colour top, Colour bottom);
  void ellipse(int cx, int cy, int rx, int ry, Colour c);
  // A four-sided shape with a horizontal top and bottom: [left0, right0) on row y0 narrowing or
  // widening linearly to [left1, right1) on row y1. Roads, lane marks, legs, in perspective.
  void trapezoid(double y0, double left0, double right0, double y1, double left1, double right1,
                 Colour c);
  // Multiplies the luma of rows [y0, y1) by percent/100 and pulls their chroma toward grey:
  // the dark see-through strip under a dash-cam's caption.
  void darken(int y0, int y1, int percent);
  // Blends a text mask with its top-left corner at (x, y): `edge` around the letters, `fill` in them.
  void text(const watermark::TextMask& mask, int x, int y, Colour fill, Colour edge);

  uint8_t* luma_row(int y);  // no offset; for effects over the whole picture (sensor grain)

 private:
  AVFrame* f_;
  int width_, height_;
  bool full_range_, bt601_;
  int dx_ = 0, dy_ = 0;
};

// One line of burnt-in text, drawn again only when its words change (once a second for a clock).
class Caption {
 public:
  Caption(const std::string& font_file, int pixel_size, int outline);
  const watermark::TextMask& mask(const std::string& text);
  int pixel_size() const { return glyphs_.pixel_size(); }

 private:
  watermark::GlyphCache glyphs_;
  int outline_;
  std::string text_;
  watermark::TextMask mask_;
  bool drawn_ = false;
};

// DejaVu Sans Bold, for shop signs; the clocks use the watermark's monospaced kDefaultFont.
inline constexpr const char* kSignFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

}  // namespace courtplay::assets
