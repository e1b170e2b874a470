/* The window floor of time to first frame: a bare SDL program that does what courtplay's window
 * does before its first frame, and nothing else: a borderless window the size of the display, SDL's
 * software renderer made on its framebuffer (the X server's shared memory), a black present, then
 * a display-sized picture written into the framebuffer and presented. No FFmpeg, no decoding: the
 * picture is a fill, where courtplay converts a decoded one (kiosk/framebuffer_picture.cpp). It
 * prints CLOCK_MONOTONIC in ms after the second present, so bench/run can time it from spawn like
 * courtplay. bench/run compiles it with cc; not a product part. */
#include <SDL2/SDL.h>
#include <stdio.h>
#include <time.h>

int main(void) {
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "window_floor: %s\n", SDL_GetError());
        return 1;
    }
    SDL_DisplayMode mode;
    SDL_GetDesktopDisplayMode(0, &mode);
    SDL_Window* window = SDL_CreateWindow("floor", 0, 0, mode.w, mode.h, SDL_WINDOW_BORDERLESS);
    SDL_Surface* framebuffer = window ? SDL_GetWindowSurface(window) : NULL;
    SDL_Renderer* renderer = framebuffer ? SDL_CreateSoftwareRenderer(framebuffer) : NULL;
    if (!renderer) {
        fprintf(stderr, "window_floor: %s\n", SDL_GetError());
        return 1;
    }
    SDL_SetRenderDrawColor(renderer, 0, 0, 0, 255);
    SDL_RenderClear(renderer);
    SDL_UpdateWindowSurface(window);  /* courtplay's window is black at once */
    SDL_FillRect(framebuffer, NULL, SDL_MapRGB(framebuffer->format, 40, 120, 200));
    SDL_UpdateWindowSurface(window);
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("%.3f\n", t.tv_sec * 1e3 + t.tv_nsec / 1e6);
    SDL_Quit();
    return 0;
}
