// Lines of text drawn once into two coverage masks: the letters, and the letters grown by an
// outline. The watermark blends both into each frame; building them is per second, not per frame.
#pragma once

#include "watermark/glyphs.h"

#include <cstdint>
#include <string>
#include <vector>

namespace courtplay::watermark {

struct TextMask {
    int width = 0, height = 0;
    std::vector<uint8_t> fill;  // the letters, 0..255, width * height
    std::vector<uint8_t> edge;  // the letters grown by `outline` pixels (includes the letters)
    std::vector<uint8_t> rows;  // scratch for growing the edge, kept with the rest
};

// Draws `lines` with `glyphs`, each line under the one before, with an outline `outline` pixels
// wide; letters are spaced apart by the outline's width too.
TextMask draw_text(GlyphCache& glyphs, const std::vector<std::u32string>& lines, int outline);
// The same into `mask`, reusing its memory: the watermark's clock line is drawn again every second,
// and fresh buffers of this size are fresh pages from the kernel, zeroed and faulted in each time.
void draw_text(GlyphCache& glyphs, const std::vector<std::u32string>& lines, int outline, TextMask& mask);

// The widest line, pixels, letters spaced as draw_text spaces them: to choose a font size.
int text_width(GlyphCache& glyphs, const std::vector<std::u32string>& lines, int outline);

}  // namespace courtplay::watermark
