#include "kiosk/video_canvas.h"

#include <stdexcept>
#include <string>

namespace courtplay::kiosk {

VideoCanvas::VideoCanvas(SDL_Window* window) : window_(window) {
    const char* driver = SDL_GetHint(SDL_HINT_RENDER_DRIVER);
    if (driver && std::string(driver) == "software" && make_on(SDL_GetWindowSurface(window_))) return;
    renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_ACCELERATED);
    if (!renderer_) renderer_ = SDL_CreateRenderer(window_, -1, 0);
    if (!renderer_) throw std::runtime_error(SDL_GetError());
    texture_ = std::make_unique<VideoTexture>(renderer_);
}

VideoCanvas::~VideoCanvas() {
    texture_.reset();
    if (renderer_) SDL_DestroyRenderer(renderer_);
}

bool VideoCanvas::make_on(SDL_Surface* framebuffer) {
    if (!framebuffer || !FramebufferPicture::can_draw_into(*framebuffer)) return false;
    renderer_ = SDL_CreateSoftwareRenderer(framebuffer);
    if (!renderer_) return false;
    framebuffer_ = framebuffer;
    framebuffer_w_ = framebuffer->w;
    framebuffer_h_ = framebuffer->h;
    texture_ = std::make_unique<VideoTexture>(renderer_);
    return true;
}

bool VideoCanvas::stale() {
    if (!renderer_) return true;
    if (!framebuffer_) return false;  // SDL's renderer for the window follows it itself
    const SDL_Surface* now = SDL_GetWindowSurface(window_);
    return now != framebuffer_ || now->w != framebuffer_w_ || now->h != framebuffer_h_;
}

bool VideoCanvas::remake() {
    texture_.reset();
    if (renderer_) SDL_DestroyRenderer(renderer_);
    renderer_ = nullptr;
    framebuffer_ = nullptr;
    if (!make_on(SDL_GetWindowSurface(window_))) return false;
    if (picture_ && !direct()) texture_->upload(picture_.get());
    return true;
}

void VideoCanvas::set_rotation(int degrees) {
    const bool was_direct = direct();
    rotation_ = degrees;
    if (!texture_ || was_direct == direct()) return;
    if (direct()) texture_->clear();  // not needed now, and not kept
    else if (picture_) texture_->upload(picture_.get());
}

void VideoCanvas::prepare(int width, int height) {
    if (texture_ && !direct()) texture_->prepare(width, height);
}

bool VideoCanvas::take(std::shared_ptr<const AVFrame> picture, player::PictureRows changed) {
    if (!picture || !texture_) return false;
    if (!direct() && !texture_->upload(picture.get(), changed)) return false;
    picture_ = std::move(picture);
    return true;
}

void VideoCanvas::draw(const SDL_Rect& area) {
    if (!renderer_) return;
    SDL_RenderFlush(renderer_);  // what was drawn before is in the framebuffer before the picture
    if (direct() && picture_) {
        if (converter_.draw(*framebuffer_, area, *picture_)) return;
        texture_->upload(picture_.get());  // a picture the conversion cannot take: through the texture
    }
    SDL_SetRenderDrawColor(renderer_, 0, 0, 0, 255);
    SDL_RenderClear(renderer_);
    if (picture_) texture_->draw(area, rotation_);
}

std::optional<SDL_Rect> VideoCanvas::on_screen(const SDL_Rect& area, const SDL_Rect& in_picture) const {
    if (!picture_) return std::nullopt;
    if (direct()) return FramebufferPicture::on_screen(area, *picture_, in_picture);
    return texture_ ? texture_->on_screen(area, rotation_, in_picture) : std::nullopt;
}

void VideoCanvas::clear() {
    picture_.reset();
    if (texture_) texture_->clear();
}

void VideoCanvas::show() {
    if (!renderer_) return;
    SDL_RenderPresent(renderer_);
    if (framebuffer_) SDL_UpdateWindowSurface(window_);  // a renderer made on a surface only draws on it
}

}  // namespace courtplay::kiosk
