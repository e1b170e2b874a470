// The watermark's font: one FreeType face, and every glyph it has drawn, rasterised once at one
// pixel size and kept (the watermark's text changes every second; its glyphs do not).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace courtplay::watermark {

struct FontError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// DejaVu Sans Mono Bold, from Debian's fonts-dejavu-core (a dependency of the package): its l, I
// and 1, and its 0 and O, differ, as they must in a share or session id read off a photograph.
inline constexpr const char* kDefaultFont = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf";

struct Glyph {
    int width = 0, height = 0;  // of the coverage bitmap
    int left = 0, top = 0;      // bitmap origin from the pen position (top: up from the baseline)
    int advance = 0;            // pen movement, whole pixels
    std::vector<uint8_t> coverage;  // width * height, 0..255
};

class GlyphCache {
public:
    // Opens the font at `pixel_size` (the em height). Throws FontError, naming the file and the package.
    GlyphCache(const std::string& font_file, int pixel_size);
    ~GlyphCache();
    GlyphCache(const GlyphCache&) = delete;
    GlyphCache& operator=(const GlyphCache&) = delete;

    // The glyph for a code point (the font's replacement box when it has none).
    const Glyph& glyph(char32_t code_point);
    int pixel_size() const { return pixel_size_; }
    int ascender() const { return ascender_; }     // baseline below the line's top, pixels
    int line_height() const { return line_height_; }
    // How many glyphs FreeType has rasterised: each code point once, however many frames.
    int64_t rasterised() const { return rasterised_; }

private:
    struct Face;
    std::unique_ptr<Face> face_;
    int pixel_size_;
    int ascender_ = 0, line_height_ = 0;
    std::unordered_map<char32_t, Glyph> glyphs_;
    int64_t rasterised_ = 0;
};

// UTF-8 to code points; a byte that does not start a valid sequence becomes U+FFFD.
std::u32string decode_utf8(const std::string& text);

}  // namespace courtplay::watermark
