// `courtplay play`: plays one clip from start to end (or `quit`), on a window or --headless, driven
// by the keyboard or a --commands script, writing the frame log and stats it is asked for.
#pragma once

#include <string>

namespace courtplay::kiosk {

struct PlayOptions {
    std::string input;
    bool headless = false;
    bool fullscreen = false;
    bool audio = true;
    std::string commands;   // script file
    std::string frame_log;
    std::string audio_log;
    std::string stats;
    std::string segment;    // "IN:OUT" in seconds
    bool verbose = false;
};

// Exit codes: 0 normal end, 2 bad arguments, 3 input that cannot be opened or decoded, 1 other.
int run_play(const PlayOptions& options);

}  // namespace courtplay::kiosk
