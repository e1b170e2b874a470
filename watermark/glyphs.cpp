#include "watermark/glyphs.h"

#include <ft2build.h>
#include FT_FREETYPE_H

namespace courtplay::watermark {

// FreeType's library and face, released in the right order (the face first).
struct GlyphCache::Face {
    FT_Library library = nullptr;
    FT_Face face = nullptr;
    ~Face() {
        if (face) FT_Done_Face(face);
        if (library) FT_Done_FreeType(library);
    }
};

GlyphCache::GlyphCache(const std::string& font_file, int pixel_size)
    : face_(std::make_unique<Face>()), pixel_size_(pixel_size) {
    if (FT_Init_FreeType(&face_->library) != 0) throw FontError("the font library (FreeType) could not start");
    if (FT_New_Face(face_->library, font_file.c_str(), 0, &face_->face) != 0)
        throw FontError("the watermark font " + font_file +
                        " cannot be read; court IT: reinstall the fonts-dejavu-core package");
    if (FT_Set_Pixel_Sizes(face_->face, 0, static_cast<FT_UInt>(pixel_size)) != 0)
        throw FontError("the watermark font " + font_file + " has no size " + std::to_string(pixel_size));
    ascender_ = static_cast<int>(face_->face->size->metrics.ascender >> 6);
    line_height_ = static_cast<int>(face_->face->size->metrics.height >> 6);
}

GlyphCache::~GlyphCache() = default;

const Glyph& GlyphCache::glyph(char32_t code_point) {
    if (auto it = glyphs_.find(code_point); it != glyphs_.end()) return it->second;
    Glyph g;
    FT_Face face = face_->face;
    // Index 0 is the font's "missing glyph" box: still drawn, so a gap never hides a character.
    if (FT_Load_Glyph(face, FT_Get_Char_Index(face, code_point), FT_LOAD_RENDER) == 0) {
        const FT_Bitmap& bitmap = face->glyph->bitmap;
        g.width = static_cast<int>(bitmap.width);
        g.height = static_cast<int>(bitmap.rows);
        g.left = face->glyph->bitmap_left;
        g.top = face->glyph->bitmap_top;
        g.advance = static_cast<int>((face->glyph->advance.x + 32) >> 6);
        g.coverage.resize(static_cast<size_t>(g.width) * g.height);
        for (int y = 0; y < g.height; ++y)
            for (int x = 0; x < g.width; ++x)
                g.coverage[static_cast<size_t>(y) * g.width + x] = bitmap.buffer[y * bitmap.pitch + x];
        ++rasterised_;
    }
    return glyphs_.emplace(code_point, std::move(g)).first->second;
}

std::u32string decode_utf8(const std::string& text) {
    std::u32string out;
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const size_t n = text.size();
    for (size_t i = 0; i < n;) {
        const unsigned char c = s[i];
        int extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
        char32_t cp = extra == 0 ? c : extra == 1 ? (c & 0x1F) : extra == 2 ? (c & 0x0F) : (c & 0x07);
        bool ok = extra >= 0 && i + extra < n;
        for (int k = 1; ok && k <= extra; ++k) {
            ok = (s[i + k] & 0xC0) == 0x80;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not characters.
        static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (ok && (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
        out += ok ? cp : U'\uFFFD';
        i += ok ? extra + 1 : 1;
    }
    return out;
}

}  // namespace courtplay::watermark
