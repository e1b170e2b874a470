/* The library floor of time to first frame: a program that does nothing but print the time, linked
 * (by bench/run) against the libraries courtplay itself names, so that before main() the dynamic
 * loader maps and relocates the same libraries courtplay's start does (some 170 with Debian's
 * FFmpeg, whose codecs bring most of them). It prints CLOCK_MONOTONIC in ms, so bench/run can time
 * it from spawn like courtplay. Not a product part. */
#include <stdio.h>
#include <time.h>

int main(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("%.3f\n", t.tv_sec * 1e3 + t.tv_nsec / 1e6);
    return 0;
}
