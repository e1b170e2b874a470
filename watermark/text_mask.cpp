#include "watermark/text_mask.h"

#include <algorithm>

namespace courtplay::watermark {
namespace {

int line_width(GlyphCache& glyphs, const std::u32string& line, int tracking) {
    int pen = 0, right = 0;
    for (char32_t c : line) {
        const Glyph& g = glyphs.glyph(c);
        right = std::max(right, pen + g.left + g.width);
        pen += g.advance + tracking;
    }
    return std::max(pen, right);
}

// Grows coverage by `r` pixels in every direction: a square max filter, rows then columns. Each
// step is the max of two whole rows (a row and itself shifted), which runs 16 pixels at a time;
// the mask is made again every second, and a pixel-by-pixel window cost several ms each time.
void grow(const std::vector<uint8_t>& in, int w, int h, int r, std::vector<uint8_t>& rows, std::vector<uint8_t>& out) {
    rows.assign(in.begin(), in.end());
    out.resize(in.size());
    for (int y = 0; y < h; ++y) {
        const uint8_t* src = &in[static_cast<size_t>(y) * w];
        uint8_t* dst = &rows[static_cast<size_t>(y) * w];
        for (int d = 1; d <= r; ++d) {
            for (int x = d; x < w; ++x) dst[x] = std::max(dst[x], src[x - d]);
            for (int x = 0; x < w - d; ++x) dst[x] = std::max(dst[x], src[x + d]);
        }
    }
    for (int y = 0; y < h; ++y) {
        uint8_t* dst = &out[static_cast<size_t>(y) * w];
        const int first = std::max(0, y - r), last = std::min(h - 1, y + r);
        std::copy_n(&rows[static_cast<size_t>(first) * w], w, dst);
        for (int k = first + 1; k <= last; ++k) {
            const uint8_t* src = &rows[static_cast<size_t>(k) * w];
            for (int x = 0; x < w; ++x) dst[x] = std::max(dst[x], src[x]);
        }
    }
}

}  // namespace

int text_width(GlyphCache& glyphs, const std::vector<std::u32string>& lines, int outline) {
    int widest = 0;
    for (const auto& line : lines) widest = std::max(widest, line_width(glyphs, line, outline));
    return widest;
}

TextMask draw_text(GlyphCache& glyphs, const std::vector<std::u32string>& lines, int outline) {
    TextMask m;
    draw_text(glyphs, lines, outline, m);
    return m;
}

void draw_text(GlyphCache& glyphs, const std::vector<std::u32string>& lines, int outline, TextMask& m) {
    m.width = text_width(glyphs, lines, outline) + 2 * outline;
    m.height = static_cast<int>(lines.size()) * glyphs.line_height() + 2 * outline;
    m.fill.assign(static_cast<size_t>(m.width) * m.height, 0);
    for (size_t i = 0; i < lines.size(); ++i) {
        int pen = outline;
        const int baseline = outline + static_cast<int>(i) * glyphs.line_height() + glyphs.ascender();
        for (char32_t c : lines[i]) {
            const Glyph& g = glyphs.glyph(c);
            for (int y = 0; y < g.height; ++y) {
                const int my = baseline - g.top + y;
                if (my < 0 || my >= m.height) continue;
                for (int x = 0; x < g.width; ++x) {
                    const int mx = pen + g.left + x;
                    if (mx < 0 || mx >= m.width) continue;
                    uint8_t& dst = m.fill[static_cast<size_t>(my) * m.width + mx];
                    dst = std::max(dst, g.coverage[static_cast<size_t>(y) * g.width + x]);
                }
            }
            pen += g.advance + outline;  // letters spaced by their outline, so outlines never join
        }
    }
    grow(m.fill, m.width, m.height, outline, m.rows, m.edge);
}

}  // namespace courtplay::watermark
