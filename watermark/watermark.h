// The visible watermark: who the evidence was shown to (party, share, case, kiosk, session) and
// when, burned semi-transparently into the picture with a dark outline, so it reads on bright and
// dark footage alike, sized to the picture and moving between five places so that cropping one
// corner does not remove it. docs/watermark.md is the reference.
#pragma once

#include "watermark/frame_mark.h"
#include "watermark/glyphs.h"
#include "watermark/text_mask.h"

#include <memory>
#include <string>
#include <vector>

namespace courtplay::watermark {

struct WatermarkOptions {
    // Lines separated by '\n'. "{utc}" becomes the date and time, to the second; without it the
    // time is a last line of its own. Nothing can make it empty: the time is always there.
    std::string text;
    int move_every_s = 20;     // how long it stays in one place
    int opacity_percent = 75;  // 40..90: never invisible, never hiding the evidence under it
    std::string font_file = kDefaultFont;
};

struct Box {
    int x = 0, y = 0, width = 0, height = 0;
    bool operator==(const Box&) const = default;
};

class Watermark final : public FrameMark {
public:
    // Opens the font now, so a missing font stops playback before it starts. Throws FontError.
    explicit Watermark(WatermarkOptions options);

    void burn(AVFrame& picture, int64_t utc_us) override;
    bool stale(int64_t utc_us) const override;
    player::PictureRows rows() const override { return {box_.y, box_.height}; }

    // Where the last burn put the text, in the picture's pixels.
    Box last_box() const { return box_; }
    // The text as burned at `utc_us` (lines joined by '\n').
    std::string text_at(int64_t utc_us) const;
    const GlyphCache& glyphs() const { return *glyphs_; }

private:
    void prepare(int width, int height, int64_t utc_s);
    Box place(int width, int height, int64_t utc_s) const;

    WatermarkOptions options_;
    std::unique_ptr<GlyphCache> glyphs_;
    int picture_w_ = 0, picture_h_ = 0;  // the picture size the font size was chosen for
    int64_t mask_second_ = INT64_MIN;    // the second the mask below shows
    TextMask mask_;
    // Per-pixel blend weights (0..256), from the mask and the opacity, made with the mask.
    std::vector<uint16_t> dark_, light_, chroma_;  // chroma_: per 2x2 block
    Box box_;
};

// "2026-11-29 14:03:07 UTC"
std::string utc_text(int64_t utc_us);

}  // namespace courtplay::watermark
