#include "assets/canvas.h"

#include <algorithm>
#include <cmath>
#include <cstring>

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
}

namespace courtplay::assets {

Canvas::Canvas(AVFrame* picture)
    : f_(picture),
      width_(picture->width),
      height_(picture->height),
      full_range_(picture->format == AV_PIX_FMT_YUVJ420P || picture->color_range == AVCOL_RANGE_JPEG),
      bt601_(picture->colorspace == AVCOL_SPC_BT470BG || picture->colorspace == AVCOL_SPC_SMPTE170M) {}

Colour Canvas::rgb(int r, int g, int b) const {
  const double kr = bt601_ ? 0.299 : 0.2126, kb = bt601_ ? 0.114 : 0.0722;
  const double R = r / 255.0, G = g / 255.0, B = b / 255.0;
  const double y = kr * R + (1 - kr - kb) * G + kb * B;
  const double cb = (B - y) / (2 * (1 - kb)), cr = (R - y) / (2 * (1 - kr));
  const double ys = full_range_ ? 255 : 219, yo = full_range_ ? 0 : 16, cs = full_range_ ? 255 : 224;
  const auto byte = [](double v) { return static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); };
  return {byte(yo + ys * y), byte(128 + cs * cb), byte(128 + cs * cr)};
}

void Canvas::span(int y, int x0, int x1, Colour c) {
  y += dy_;
  x0 = std::max(0, x0 + dx_);
  x1 = std::min(width_, x1 + dx_);
  if (y < 0 || y >= height_ || x0 >= x1) return;
  std::memset(f_->data[0] + static_cast<ptrdiff_t>(y) * f_->linesize[0] + x0, c.y, x1 - x0);
  if (y % 2 == 0) {
    const int cx0 = x0 / 2, cx1 = (x1 + 1) / 2;
    const ptrdiff_t row = static_cast<ptrdiff_t>(y / 2);
    std::memset(f_->data[1] + row * f_->linesize[1] + cx0, c.u, cx1 - cx0);
    std::memset(f_->data[2] + row * f_->linesize[2] + cx0, c.v, cx1 - cx0);
  }
}

void Canvas::rect(int x, int y, int w, int h, Colour c) {
  for (int row = y; row < y + h; ++row) span(row, x, x + w, c);
}

void Canvas::gradient(int y0, int y1, Colour top, Colour bottom) {
  const int saved_dx = dx_;
  dx_ = 0;
  for (int y = y0; y < y1; ++y) {
    const double k = y1 - y0 > 1 ? double(y - y0) / (y1 - y0 - 1) : 0;
    const auto mix = [k](uint8_t a, uint8_t b) { return static_cast<uint8_t>(std::lround(a + k * (b - a))); };
    span(y, 0, width_, {mix(top.y, bottom.y), mix(top.u, bottom.u), mix(top.v, bottom.v)});
  }
  dx_ = saved_dx;
}

void Canvas::ellipse(int cx, int cy, int rx, int ry, Colour c) {
  if (rx <= 0 || ry <= 0) return;
  for (int y = -ry; y < ry; ++y) {
    const double v = (y + 0.5) / ry;
    const int half = static_cast<int>(std::lround(rx * std::sqrt(std::max(0.0, 1 - v * v))));
    span(cy + y, cx - half, cx + half, c);
  }
}

void Canvas::trapezoid(double y0, double left0, double right0, double y1, double left1,
                       double right1, Colour c) {
  if (y1 < y0) {
    std::swap(y0, y1);
    std::swap(left0, left1);
    std::swap(right0, right1);
  }
  // Only the rows that can be on screen, however far the shape reaches (a road's near end does).
  const int first = std::max(static_cast<int>(std::ceil(y0)), -dy_);
  const int last = std::min(static_cast<int>(std::ceil(y1)), height_ - dy_);
  for (int y = first; y < last; ++y) {
    const double k = y1 > y0 ? (y + 0.5 - y0) / (y1 - y0) : 0;
    const double l = left0 + k * (left1 - left0), r = right0 + k * (right1 - right0);
    span(y, static_cast<int>(std::lround(std::max(l, -1e6))), static_cast<int>(std::lround(std::min(r, 1e6))), c);
  }
}

void Canvas::darken(int y0, int y1, int percent) {
  y0 = std::max(0, y0);
  y1 = std::min(height_, y1);
  const int black = full_range_ ? 0 : 16;
  for (int y = y0; y < y1; ++y) {
    uint8_t* row = luma_row(y);
    for (int x = 0; x < width_; ++x) row[x] = static_cast<uint8_t>(black + (row[x] - black) * percent / 100);
    if (y % 2 == 0) {
      for (int plane = 1; plane <= 2; ++plane) {
        uint8_t* c = f_->data[plane] + static_cast<ptrdiff_t>(y / 2) * f_->linesize[plane];
        for (int x = 0; x < (width_ + 1) / 2; ++x) c[x] = static_cast<uint8_t>(128 + (c[x] - 128) * percent / 100);
      }
    }
  }
}

void Canvas::text(const watermark::TextMask& mask, int x, int y, Colour fill, Colour edge) {
  const auto blend = [](int under, int over, int alpha) { return under + ((over - under) * alpha + 127) / 255; };
  for (int my = 0; my < mask.height; ++my) {
    const int py = y + my + dy_;
    if (py < 0 || py >= height_) continue;
    uint8_t* luma = luma_row(py);
    uint8_t* u = f_->data[1] + static_cast<ptrdiff_t>(py / 2) * f_->linesize[1];
    uint8_t* v = f_->data[2] + static_cast<ptrdiff_t>(py / 2) * f_->linesize[2];
    for (int mx = 0; mx < mask.width; ++mx) {
      const int px = x + mx + dx_;
      if (px < 0 || px >= width_) continue;
      const size_t at = static_cast<size_t>(my) * mask.width + mx;
      const int e = mask.edge[at], f = mask.fill[at];
      if (e == 0 && f == 0) continue;
      luma[px] = static_cast<uint8_t>(blend(blend(luma[px], edge.y, e), fill.y, f));
      if (py % 2 == 0 && px % 2 == 0) {  // chroma: sampled at the top-left pixel of each 2x2
        u[px / 2] = static_cast<uint8_t>(blend(blend(u[px / 2], edge.u, e), fill.u, f));
        v[px / 2] = static_cast<uint8_t>(blend(blend(v[px / 2], edge.v, e), fill.v, f));
      }
    }
  }
}

uint8_t* Canvas::luma_row(int y) { return f_->data[0] + static_cast<ptrdiff_t>(y) * f_->linesize[0]; }

Caption::Caption(const std::string& font_file, int pixel_size, int outline)
    : glyphs_(font_file, pixel_size), outline_(outline) {}

const watermark::TextMask& Caption::mask(const std::string& text) {
  if (!drawn_ || text != text_) {
    mask_ = watermark::draw_text(glyphs_, {watermark::decode_utf8(text)}, outline_);
    text_ = text;
    drawn_ = true;
  }
  return mask_;
}

}  // namespace courtplay::assets
