/* The window floor of time to first frame: a bare SDL program that does what courtplay's window
 * does before its first frame (SDL's software renderer on the X server's shared-memory
 * framebuffer, a borderless window the size of the display, a 1080p YUV texture, one present) and
 * nothing else: no FFmpeg, no decoding. It prints CLOCK_MONOTONIC in ms after the present, so
 * bench/run can time it from spawn like courtplay. bench/run compiles it with cc; not a product part. */
#include <SDL2/SDL.h>
#include <stdio.h>
#include <time.h>

static unsigned char luma[1920 * 1080], chroma[960 * 540];

int main(void) {
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "window_floor: %s\n", SDL_GetError());
        return 1;
    }
    SDL_DisplayMode mode;
    SDL_GetDesktopDisplayMode(0, &mode);
    SDL_Window* window = SDL_CreateWindow("floor", 0, 0, mode.w, mode.h, SDL_WINDOW_BORDERLESS);
    SDL_Renderer* renderer = window ? SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE) : NULL;
    SDL_Texture* texture =
        renderer ? SDL_CreateTexture(renderer, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING, 1920, 1080) : NULL;
    if (!texture) {
        fprintf(stderr, "window_floor: %s\n", SDL_GetError());
        return 1;
    }
    SDL_UpdateYUVTexture(texture, NULL, luma, 1920, chroma, 960, chroma, 960);
    SDL_RenderCopy(renderer, texture, NULL, NULL);
    SDL_RenderPresent(renderer);
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("%.3f\n", t.tv_sec * 1e3 + t.tv_nsec / 1e6);
    SDL_Quit();
    return 0;
}
