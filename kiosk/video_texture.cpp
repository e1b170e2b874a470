#include "kiosk/video_texture.h"

#include "player/video_frame.h"

extern "C" {
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

namespace courtplay::kiosk {
namespace {
bool is_420(int format) { return format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P; }
}  // namespace

// Without a GPU, OpenGL is Mesa's software rasteriser: SDL's own software renderer on the X
// server's shared-memory framebuffer does the same work for less CPU, less memory and a faster
// start (measured in docs/benchmarks.md). An explicit SDL_RENDER_DRIVER still wins.
void prefer_software_without_gpu() {
    if (const char* chosen = SDL_GetHint(SDL_HINT_RENDER_DRIVER)) {
        // The software renderer on a GL-backed window framebuffer would still run llvmpipe.
        if (std::string(chosen) == "software") SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        return;
    }
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/dri", ec))
        if (entry.path().filename().string().rfind("renderD", 0) == 0) return;
    SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
}

VideoTexture::~VideoTexture() {
    sws_freeContext(sws_);
    if (texture_) SDL_DestroyTexture(texture_);
}

void VideoTexture::clear() {
    if (!texture_) return;
    // Overwritten before it is let go: the renderer may reuse the memory for the next texture.
    void* pixels = nullptr;
    int pitch = 0;
    if (SDL_LockTexture(texture_, nullptr, &pixels, &pitch) == 0) {
        std::memset(pixels, 0, static_cast<size_t>(pitch) * height_ * 3 / 2);
        SDL_UnlockTexture(texture_);
    }
    SDL_DestroyTexture(texture_);
    texture_ = nullptr;
    shown_ = false;
    drawn_.reset();
    std::fill(converted_.begin(), converted_.end(), 0);
}

bool VideoTexture::prepare(int width, int height) {
    if (width <= 0 || height <= 0) return false;
    if (texture_ && width_ == width && height_ == height) return true;
    if (texture_) SDL_DestroyTexture(texture_);
    shown_ = false;
    texture_ = SDL_CreateTexture(renderer_, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING, width, height);
    width_ = texture_ ? width : 0;
    height_ = texture_ ? height : 0;
    return texture_ != nullptr;
}

bool VideoTexture::upload(const AVFrame* p, player::PictureRows changed) {
    if (!p || !prepare(p->width, p->height)) return false;
    if (p->sample_aspect_ratio.num > 0 && p->sample_aspect_ratio.den > 0) sar_ = p->sample_aspect_ratio;
    SDL_SetYUVConversionMode(player::is_full_range(*p) ? SDL_YUV_CONVERSION_JPEG : SDL_YUV_CONVERSION_AUTOMATIC);
    if (is_420(p->format)) {
        // Whole rows of chroma samples: from an even row to an even row (or the picture's end).
        const int first = std::clamp(changed.first, 0, p->height) & ~1;
        const int end = std::min(p->height, (std::max(changed.first + changed.count, first) + 1) & ~1);
        if (!shown_ || (first == 0 && end == p->height)) {
            undrawn_ = player::PictureRows::all();
            return shown_ = SDL_UpdateYUVTexture(texture_, nullptr, p->data[0], p->linesize[0], p->data[1],
                                                 p->linesize[1], p->data[2], p->linesize[2]) == 0;
        }
        if (end <= first) return true;  // nothing changed
        const SDL_Rect rows{0, first, p->width, end - first};
        undrawn_ = player::span(undrawn_, {first, end - first});
        return SDL_UpdateYUVTexture(texture_, &rows, p->data[0] + static_cast<ptrdiff_t>(first) * p->linesize[0],
                                    p->linesize[0], p->data[1] + static_cast<ptrdiff_t>(first / 2) * p->linesize[1],
                                    p->linesize[1], p->data[2] + static_cast<ptrdiff_t>(first / 2) * p->linesize[2],
                                    p->linesize[2]) == 0;
    }

    sws_ = sws_getCachedContext(sws_, p->width, p->height, static_cast<AVPixelFormat>(p->format), p->width,
                                p->height, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr, nullptr);
    if (!sws_) return false;
    uint8_t* dst[4];
    int dst_linesize[4];
    const int size = av_image_get_buffer_size(AV_PIX_FMT_YUV420P, p->width, p->height, 32);
    converted_.resize(static_cast<size_t>(size));
    av_image_fill_arrays(dst, dst_linesize, converted_.data(), AV_PIX_FMT_YUV420P, p->width, p->height, 32);
    sws_scale(sws_, p->data, p->linesize, 0, p->height, dst, dst_linesize);
    undrawn_ = player::PictureRows::all();
    return shown_ = SDL_UpdateYUVTexture(texture_, nullptr, dst[0], dst_linesize[0], dst[1], dst_linesize[1],
                                         dst[2], dst_linesize[2]) == 0;
}

SDL_Rect letterbox(const SDL_Rect& area, int width, int height, AVRational sar, int rotation) {
    // Picture size as displayed: sample aspect ratio applied, then turned.
    const double pw = width * (sar.num > 0 && sar.den > 0 ? av_q2d(sar) : 1.0), ph = height;
    const bool quarter = rotation == 90 || rotation == 270;
    const double dw = quarter ? ph : pw, dh = quarter ? pw : ph;
    const double scale = std::min(area.w / dw, area.h / dh);
    SDL_Rect dst;
    dst.w = static_cast<int>(pw * scale + 0.5);
    dst.h = static_cast<int>(ph * scale + 0.5);
    dst.x = area.x + (area.w - dst.w) / 2;
    dst.y = area.y + (area.h - dst.h) / 2;
    return dst;
}

SDL_Rect VideoTexture::placed(const SDL_Rect& area, int rotation) const {
    return letterbox(area, width_, height_, sar_, rotation);
}

void VideoTexture::draw(const SDL_Rect& area, int rotation) {
    if (!texture_ || !shown_) return;  // a texture made ahead holds no picture yet
    const SDL_Rect dst = placed(area, rotation);
    SDL_RenderCopyEx(renderer_, texture_, nullptr, &dst, rotation, nullptr, SDL_FLIP_NONE);
    drawn_ = dst;
    undrawn_ = {};
}

std::optional<SDL_Rect> VideoTexture::changed_on_screen(const SDL_Rect& area, int rotation) const {
    if (!texture_ || !shown_ || !drawn_ || rotation != 0 || undrawn_ == player::PictureRows::all()) return std::nullopt;
    const SDL_Rect dst = placed(area, rotation);
    if (!SDL_RectEquals(&dst, &*drawn_)) return std::nullopt;
    if (undrawn_.count <= 0) return SDL_Rect{0, 0, 0, 0};
    // The scaled rows, and a row more on each side for the scaler's reach into its neighbours.
    const int top = dst.y + static_cast<int>(int64_t(undrawn_.first) * dst.h / height_) - 1;
    const int bottom = dst.y + static_cast<int>((int64_t(undrawn_.first + undrawn_.count) * dst.h + height_ - 1) / height_) + 1;
    SDL_Rect rows{dst.x, std::max(dst.y, top), dst.w, 0};
    rows.h = std::min(dst.y + dst.h, bottom) - rows.y;
    return rows;
}

std::optional<SDL_Rect> VideoTexture::on_screen(const SDL_Rect& area, int rotation, const SDL_Rect& in_picture) const {
    if (!texture_ || !shown_) return std::nullopt;
    return picture_to_screen(placed(area, rotation), rotation, width_, height_, in_picture);
}

SDL_Rect picture_to_screen(const SDL_Rect& dst, int rotation, int picture_w, int picture_h, const SDL_Rect& in_picture) {
    if (picture_w <= 0 || picture_h <= 0) return SDL_Rect{dst.x, dst.y, 0, 0};
    const double cx = dst.x + dst.w / 2.0, cy = dst.y + dst.h / 2.0;
    // A picture point, unturned in dst, then turned about the centre (screen y points down, so
    // these are clockwise turns).
    auto point = [&](int px, int py, double& x, double& y) {
        const double dx = dst.x + double(px) * dst.w / picture_w - cx, dy = dst.y + double(py) * dst.h / picture_h - cy;
        switch (((rotation % 360) + 360) % 360) {
        case 90: x = cx - dy, y = cy + dx; break;
        case 180: x = cx - dx, y = cy - dy; break;
        case 270: x = cx + dy, y = cy - dx; break;
        default: x = cx + dx, y = cy + dy; break;
        }
    };
    double x0, y0, x1, y1;
    point(in_picture.x, in_picture.y, x0, y0);
    point(in_picture.x + in_picture.w, in_picture.y + in_picture.h, x1, y1);
    const int left = static_cast<int>(std::floor(std::min(x0, x1))), top = static_cast<int>(std::floor(std::min(y0, y1)));
    return SDL_Rect{left, top, static_cast<int>(std::ceil(std::max(x0, x1))) - left,
                    static_cast<int>(std::ceil(std::max(y0, y1))) - top};
}

}  // namespace courtplay::kiosk
