#include "kiosk/framebuffer_picture.h"

#include "kiosk/video_texture.h"
#include "player/video_frame.h"

extern "C" {
#include <libswscale/swscale.h>
}

namespace courtplay::kiosk {
namespace {

// The framebuffer's pixels as libswscale names them: SDL names a 32-bit pixel by its value,
// libswscale by its bytes in memory.
AVPixelFormat rgb_format(const SDL_Surface& surface) {
    if (SDL_BYTEORDER != SDL_LIL_ENDIAN) return AV_PIX_FMT_NONE;
    switch (surface.format->format) {
        case SDL_PIXELFORMAT_RGB888: return AV_PIX_FMT_BGR0;
        case SDL_PIXELFORMAT_ARGB8888: return AV_PIX_FMT_BGRA;
        case SDL_PIXELFORMAT_BGR888: return AV_PIX_FMT_RGB0;
        case SDL_PIXELFORMAT_ABGR8888: return AV_PIX_FMT_RGBA;
        default: return AV_PIX_FMT_NONE;
    }
}

// The full-range ("J") formats have the layout of the limited-range ones; libswscale wants the
// range said apart from the format.
AVPixelFormat without_range(int format) {
    switch (format) {
        case AV_PIX_FMT_YUVJ420P: return AV_PIX_FMT_YUV420P;
        case AV_PIX_FMT_YUVJ422P: return AV_PIX_FMT_YUV422P;
        case AV_PIX_FMT_YUVJ444P: return AV_PIX_FMT_YUV444P;
        default: return static_cast<AVPixelFormat>(format);
    }
}

void fill_black(SDL_Surface& surface, int x, int y, int w, int h) {
    if (w <= 0 || h <= 0) return;
    const SDL_Rect r{x, y, w, h};
    SDL_FillRect(&surface, &r, SDL_MapRGB(surface.format, 0, 0, 0));
}

}  // namespace

FramebufferPicture::~FramebufferPicture() { sws_freeContext(sws_); }

bool FramebufferPicture::can_draw_into(const SDL_Surface& surface) {
    return surface.pixels && rgb_format(surface) != AV_PIX_FMT_NONE;
}

bool FramebufferPicture::draw(SDL_Surface& surface, const SDL_Rect& area, const AVFrame& p) {
    if (p.width <= 0 || p.height <= 0 || !can_draw_into(surface)) return false;
    const SDL_Rect dst = letterbox(area, p.width, p.height, p.sample_aspect_ratio, 0);
    const SDL_Rect whole{0, 0, surface.w, surface.h};
    SDL_Rect inside;
    if (dst.w <= 0 || dst.h <= 0 || !SDL_IntersectRect(&dst, &whole, &inside) || !SDL_RectEquals(&inside, &dst))
        return false;

    SwsContext* before = sws_;
    sws_ = sws_getCachedContext(sws_, p.width, p.height, without_range(p.format), dst.w, dst.h,
                                rgb_format(surface), SWS_BILINEAR, nullptr, nullptr, nullptr);
    if (!sws_) return false;
    // The colours SDL gives the same picture through a YUV texture: BT.601 for full-range (JPEG)
    // pictures and for pictures of up to 576 rows, BT.709 above.
    const int full_range = player::is_full_range(p) ? 1 : 0;
    const int colourspace = !full_range && p.height > 576 ? SWS_CS_ITU709 : SWS_CS_ITU601;
    if (sws_ != before || colourspace != colourspace_ || full_range != full_range_) {
        sws_setColorspaceDetails(sws_, sws_getCoefficients(colourspace), full_range, sws_getCoefficients(SWS_CS_DEFAULT),
                                 1, 0, 1 << 16, 1 << 16);
        colourspace_ = colourspace;
        full_range_ = full_range;
    }

    fill_black(surface, area.x, area.y, area.w, dst.y - area.y);                               // above
    fill_black(surface, area.x, dst.y + dst.h, area.w, area.y + area.h - dst.y - dst.h);       // below
    fill_black(surface, area.x, dst.y, dst.x - area.x, dst.h);                                 // left
    fill_black(surface, dst.x + dst.w, dst.y, area.x + area.w - dst.x - dst.w, dst.h);         // right
    if (SDL_LockSurface(&surface) != 0) return false;
    uint8_t* planes[4] = {static_cast<uint8_t*>(surface.pixels) + static_cast<ptrdiff_t>(dst.y) * surface.pitch + dst.x * 4};
    int strides[4] = {surface.pitch};
    const int rows = sws_scale(sws_, p.data, p.linesize, 0, p.height, planes, strides);
    SDL_UnlockSurface(&surface);
    return rows > 0;
}

SDL_Rect FramebufferPicture::on_screen(const SDL_Rect& area, const AVFrame& picture, const SDL_Rect& in_picture) {
    const SDL_Rect dst = letterbox(area, picture.width, picture.height, picture.sample_aspect_ratio, 0);
    return picture_to_screen(dst, 0, picture.width, picture.height, in_picture);
}

}  // namespace courtplay::kiosk
