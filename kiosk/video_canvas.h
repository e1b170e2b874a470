// What a window shows of the presented pictures: the SDL renderer it draws with, and the last
// picture, letterboxed and turned as the clip says. Without a GPU (prefer_software_without_gpu()
// chose SDL's software renderer) the renderer is made on the window's framebuffer, and an unturned
// picture is converted straight into it (FramebufferPicture: one pass instead of SDL's three);
// otherwise, and for a turned picture, it goes through a YUV texture (VideoTexture).
//
// The framebuffer is a new one whenever the window's size changes, and nothing may draw through
// a renderer made on the old one: every draw starts with stale(), and remake() when it is.
// Used by the play window and the court screens. Main thread only.
#pragma once

#include "kiosk/framebuffer_picture.h"
#include "kiosk/video_texture.h"
#include "player/player.h"

#include <SDL.h>

#include <memory>
#include <optional>

namespace courtplay::kiosk {

class VideoCanvas {
public:
    // Throws std::runtime_error when the window cannot be drawn in.
    explicit VideoCanvas(SDL_Window* window);
    ~VideoCanvas();
    VideoCanvas(const VideoCanvas&) = delete;
    VideoCanvas& operator=(const VideoCanvas&) = delete;

    SDL_Renderer* renderer() const { return renderer_; }  // null while the window has no framebuffer
    // The window has a new framebuffer (or none): call remake() before drawing. What was made with
    // the renderer (a texture of the caller's, such as ImGui's font) must go before remake().
    bool stale();
    // A new renderer on the window's framebuffer as it is now, with the picture. False when there
    // is none yet: stale() stays true, and nothing is drawn.
    bool remake();

    void set_rotation(int degrees);       // of the clip's pictures: 0, 90, 180 or 270
    void prepare(int width, int height);  // the texture ahead of the first picture, if one is used
    // The picture drawn from now on; `changed`: the rows in which it differs from the last (all
    // that a texture takes of it). False when it cannot be shown, and nothing changes.
    bool take(std::shared_ptr<const AVFrame> picture, player::PictureRows changed = player::PictureRows::all());
    // The window black, and the picture in `area`, as large as fits and centred.
    void draw(const SDL_Rect& area);
    // Where a rectangle of the picture (its own pixels) is on screen when drawn in `area`.
    std::optional<SDL_Rect> on_screen(const SDL_Rect& area, const SDL_Rect& in_picture) const;
    bool empty() const { return !picture_; }
    void clear();  // forgets the picture (its texture's copy wiped): black from the next draw
    void show();   // puts what was drawn on screen

private:
    bool make_on(SDL_Surface* framebuffer);
    bool direct() const { return framebuffer_ && rotation_ % 360 == 0; }

    SDL_Window* window_;
    SDL_Renderer* renderer_ = nullptr;
    SDL_Surface* framebuffer_ = nullptr;  // what renderer_ draws on; null: SDL's renderer for the window
    int framebuffer_w_ = 0, framebuffer_h_ = 0;
    int rotation_ = 0;
    // Held for every draw until the next (the picture is not changed once presented), and to be
    // put on a new renderer's texture.
    std::shared_ptr<const AVFrame> picture_;
    FramebufferPicture converter_;
    std::unique_ptr<VideoTexture> texture_;  // made with renderer_, gone before it
};

}  // namespace courtplay::kiosk
