// A presented picture as a texture of an SDL renderer, drawn letterboxed (sample aspect ratio and
// the clip's rotation applied). The playback window and the kiosk's player screen both draw
// through it. Main thread only, like the renderer.
#pragma once

#include "player/player.h"

#include <SDL.h>

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/rational.h>
}

#include <cstdint>
#include <optional>
#include <vector>

struct SwsContext;

namespace courtplay::kiosk {

// Call before making a renderer: on a machine without a GPU, SDL's own software renderer.
void prefer_software_without_gpu();

class VideoTexture {
public:
    explicit VideoTexture(SDL_Renderer* renderer) : renderer_(renderer) {}
    ~VideoTexture();
    VideoTexture(const VideoTexture&) = delete;
    VideoTexture& operator=(const VideoTexture&) = delete;

    // Makes the texture for pictures of this size, ahead of the first: with SDL's software renderer
    // that is some 30 ms of allocation at 1080p (its YUV planes and an RGB copy), which need not
    // wait for the picture. False on failure.
    bool prepare(int width, int height);
    // Copies the picture in: 4:2:0 directly, anything else through libswscale. False on failure.
    // `changed`: the rows in which it differs from the picture uploaded before, the only ones
    // copied (and converted, by the software renderer) when that picture is still there.
    bool upload(const AVFrame* picture, player::PictureRows changed = player::PictureRows::all());
    // Draws it as large as fits in `area`, centred, turned by `rotation` degrees (0/90/180/270).
    void draw(const SDL_Rect& area, int rotation);
    // Where on screen the picture changed since it was last drawn, to be drawn again in `area`:
    // an empty rectangle when nothing changed; none when all of it may have (a new picture, a
    // new place, or a turned picture, whose rows are not the screen's).
    std::optional<SDL_Rect> changed_on_screen(const SDL_Rect& area, int rotation) const;
    // Where a rectangle of the picture (its own pixels) is on screen when drawn in `area`: none
    // before a picture is there.
    std::optional<SDL_Rect> on_screen(const SDL_Rect& area, int rotation, const SDL_Rect& in_picture) const;
    bool empty() const { return !shown_; }
    void clear();  // forgets the picture (the end of a session leaves nothing on screen)

private:
    SDL_Rect placed(const SDL_Rect& area, int rotation) const;

    SDL_Renderer* renderer_;
    SDL_Texture* texture_ = nullptr;
    int width_ = 0, height_ = 0;
    bool shown_ = false;  // a picture has been uploaded into texture_
    player::PictureRows undrawn_ = player::PictureRows::all();  // uploaded since the last draw
    std::optional<SDL_Rect> drawn_;                             // where the last draw put it
    SwsContext* sws_ = nullptr;
    std::vector<uint8_t> converted_;
    AVRational sar_{1, 1};
};

// Where a width x height picture (pixels of sample aspect ratio `sar`) goes in `area` before it is
// turned by `rotation` degrees: as large as fits once turned, centred.
SDL_Rect letterbox(const SDL_Rect& area, int width, int height, AVRational sar, int rotation);

// The screen rectangle of `in_picture` (pixels of a picture_w x picture_h picture) for a picture
// drawn unturned into `dst` and then turned by `rotation` degrees clockwise about dst's centre, as
// SDL_RenderCopyEx draws it.
SDL_Rect picture_to_screen(const SDL_Rect& dst, int rotation, int picture_w, int picture_h, const SDL_Rect& in_picture);

}  // namespace courtplay::kiosk
