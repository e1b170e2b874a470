// A presented picture converted straight into a window's framebuffer (the SDL window surface a
// software renderer draws on), letterboxed: one libswscale pass from the decoder's YUV to the
// framebuffer's RGB. Through a texture, SDL's software renderer copies the YUV planes, converts
// them into an RGB texture of its own and then copies that into the framebuffer: two more passes
// over every picture and 11 MB more memory at 1080p (measured in docs/benchmarks.md). mpv's x11
// output draws the same way as this.
//
// Unturned pictures only: a turned clip goes through VideoTexture (VideoCanvas chooses). Main
// thread only.
#pragma once

#include <SDL.h>

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
}


struct SwsContext;

namespace courtplay::kiosk {

class FramebufferPicture {
public:
    FramebufferPicture() = default;
    ~FramebufferPicture();
    FramebufferPicture(const FramebufferPicture&) = delete;
    FramebufferPicture& operator=(const FramebufferPicture&) = delete;

    // True for the framebuffers it can draw into: 32-bit RGB, which is what X servers give.
    static bool can_draw_into(const SDL_Surface& surface);

    // Converts `picture` into `surface`, as large as fits in `area` and centred, and makes the
    // rest of `area` black. False, with the picture not drawn, when it cannot be converted.
    bool draw(SDL_Surface& surface, const SDL_Rect& area, const AVFrame& picture);
    // Where a rectangle of the picture (its own pixels) is on screen when drawn in `area`.
    static SDL_Rect on_screen(const SDL_Rect& area, const AVFrame& picture, const SDL_Rect& in_picture);

private:
    SwsContext* sws_ = nullptr;
    // The colour conversion the context was last set up for: -1, none yet.
    int colourspace_ = -1, full_range_ = -1;
};

}  // namespace courtplay::kiosk
