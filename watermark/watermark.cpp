#include "watermark/watermark.h"

#include <algorithm>
#include <ctime>

namespace courtplay::watermark {
namespace {

constexpr int kMaxLines = 6;
constexpr size_t kMaxLineChars = 100;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// The text's lines, without control characters, each at most kMaxLineChars.
std::vector<std::u32string> split_lines(const std::string& text) {
    std::vector<std::u32string> lines(1);
    for (char32_t c : decode_utf8(text)) {
        if (c == U'\n') {
            if (lines.size() == kMaxLines) break;
            lines.emplace_back();
        } else if (c >= 0x20 && c != 0x7F && !(c >= 0x80 && c < 0xA0) && lines.back().size() < kMaxLineChars) {
            lines.back() += c;
        }
    }
    std::erase_if(lines, [](const std::u32string& l) { return l.empty(); });
    return lines;
}

// Font size for a picture height: about 1/26 of it (41 px at 1080 lines), never under 12 px.
int font_size_for(int height) { return std::max(12, height / 26); }
// Outline width for a font size: wide enough to read on any footage.
int outline_for(int size) { return std::max(1, size / 7); }

}  // namespace

std::string utc_text(int64_t utc_us) {
    const std::time_t t = static_cast<std::time_t>(floor_div(utc_us, 1000000));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

Watermark::Watermark(WatermarkOptions options) : options_(std::move(options)) {
    options_.opacity_percent = std::clamp(options_.opacity_percent, 40, 90);
    options_.move_every_s = std::max(1, options_.move_every_s);
    glyphs_ = std::make_unique<GlyphCache>(options_.font_file, font_size_for(1080));
}

std::string Watermark::text_at(int64_t utc_us) const {
    std::string text = options_.text;
    const std::string time = utc_text(utc_us);
    bool has_time = false;
    for (size_t at; (at = text.find("{utc}")) != std::string::npos; has_time = true) text.replace(at, 5, time);
    if (!has_time) text += (text.empty() ? "" : "\n") + time;
    return text;
}

bool Watermark::stale(int64_t utc_us) const { return floor_div(utc_us, 1000000) != mask_second_; }

// The font size follows the picture: about 1/26 of its height, smaller when the widest line would
// not fit in 94 % of its width. Glyphs are drawn again only when the picture's size changes.
void Watermark::prepare(int width, int height, int64_t utc_s) {
    const bool resized = width != picture_w_ || height != picture_h_;
    if (!resized && utc_s == mask_second_) return;
    const std::vector<std::u32string> lines = split_lines(text_at(utc_s * 1000000));
    if (resized) {
        int size = font_size_for(height);
        if (glyphs_->pixel_size() != size) glyphs_ = std::make_unique<GlyphCache>(options_.font_file, size);
        const int widest = text_width(*glyphs_, lines, outline_for(size)) + 2 * outline_for(size);
        if (widest > width * 94 / 100) {
            size = std::max(8, size * (width * 94 / 100) / std::max(1, widest));
            glyphs_ = std::make_unique<GlyphCache>(options_.font_file, size);
        }
        picture_w_ = width;
        picture_h_ = height;
    }
    draw_text(*glyphs_, lines, outline_for(glyphs_->pixel_size()), mask_);
    mask_second_ = utc_s;

    // Weights out of 256. Under the whole box a translucent dark plate (the set opacity), so the
    // letters read on busy footage (a checkerboard, foliage, a crowd) as well as on plain bright or
    // dark; an outline darker still; the letters light, nearly opaque. The colour under the plate
    // fades towards grey, so coloured footage cannot hide the letters either.
    const int w = mask_.width, h = mask_.height, percent = options_.opacity_percent;
    const int plate = percent * 256 / 100, opacity = std::min(100, percent + 15) * 256 / 100;
    const int letters = std::min(100, percent + 25) * 256 / 100;
    dark_.resize(mask_.edge.size());
    light_.resize(mask_.fill.size());
    for (size_t i = 0; i < mask_.fill.size(); ++i) {
        dark_[i] = static_cast<uint16_t>(std::max(plate, mask_.edge[i] * opacity / 255));
        light_[i] = static_cast<uint16_t>(mask_.fill[i] * letters / 255);
    }
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    chroma_.assign(static_cast<size_t>(cw) * ch, 0);
    for (int y = 0; y < h; ++y) {  // the darkest of each 2x2 block, a row of blocks at a time
        uint16_t* c = &chroma_[static_cast<size_t>(y / 2) * cw];
        const uint16_t* d = &dark_[static_cast<size_t>(y) * w];
        for (int x = 0; x < w / 2; ++x) c[x] = std::max(c[x], std::max(d[2 * x], d[2 * x + 1]));
        if (w % 2) c[cw - 1] = std::max(c[cw - 1], d[w - 1]);
    }
}

// Five places in turn (top left, top right, centre, bottom left, bottom right), each for
// move_every_s seconds of wall-clock time, with a margin of 3 % of the picture.
Box Watermark::place(int width, int height, int64_t utc_s) const {
    static constexpr int kSpots[5][2] = {{0, 0}, {2, 0}, {1, 1}, {0, 2}, {2, 2}};
    const int64_t spot = floor_div(utc_s, options_.move_every_s) % 5;
    const int mx = width * 3 / 100, my = height * 3 / 100;
    const int free_w = std::max(0, width - 2 * mx - mask_.width), free_h = std::max(0, height - 2 * my - mask_.height);
    Box b{mx + free_w * kSpots[spot][0] / 2, my + free_h * kSpots[spot][1] / 2, mask_.width, mask_.height};
    b.x = std::max(0, std::min(b.x, width - b.width)) & ~1;  // even: one chroma sample per 2x2 block
    b.y = std::max(0, std::min(b.y, height - b.height)) & ~1;
    return b;
}

void Watermark::burn(AVFrame& picture, int64_t utc_us) {
    const int64_t utc_s = floor_div(utc_us, 1000000);
    prepare(picture.width, picture.height, utc_s);
    box_ = place(picture.width, picture.height, utc_s);
    const int w = std::min(mask_.width, picture.width - box_.x), h = std::min(mask_.height, picture.height - box_.y);
    box_.width = std::max(0, w);
    box_.height = std::max(0, h);
    constexpr int kDark = 16, kLight = 235, kGrey = 128;
    for (int y = 0; y < h; ++y) {
        uint8_t* row = picture.data[0] + static_cast<ptrdiff_t>(box_.y + y) * picture.linesize[0] + box_.x;
        const uint16_t* dark = &dark_[static_cast<size_t>(y) * mask_.width];
        const uint16_t* light = &light_[static_cast<size_t>(y) * mask_.width];
        for (int x = 0; x < w; ++x) {
            int v = row[x];
            v += ((kDark - v) * dark[x]) >> 8;
            v += ((kLight - v) * light[x]) >> 8;
            row[x] = static_cast<uint8_t>(v);
        }
    }
    const int cw = (mask_.width + 1) / 2;
    for (int y = 0; y < (h + 1) / 2; ++y) {
        for (int plane = 1; plane <= 2; ++plane) {
            uint8_t* row = picture.data[plane] + static_cast<ptrdiff_t>(box_.y / 2 + y) * picture.linesize[plane] + box_.x / 2;
            const uint16_t* a = &chroma_[static_cast<size_t>(y) * cw];
            for (int x = 0; x < (w + 1) / 2; ++x) row[x] = static_cast<uint8_t>(row[x] + (((kGrey - row[x]) * a[x]) >> 8));
        }
    }
}

}  // namespace courtplay::watermark
