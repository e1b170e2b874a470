#include "kiosk/demo.h"

#include "assets/sample_clip.h"
#include "kiosk/play_session.h"

extern "C" {
#include <libavutil/log.h>
}

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace courtplay::kiosk {
namespace {

// Removes the demo's folder however the demo ends.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "courtplay-demo-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot make a folder for the demo clip");
        path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

constexpr const char* kTour =
    "# The demo's tour of the controls (seconds after the first frame)\n"
    "2.0 pause\n"
    "2.5 step\n"
    "3.0 step\n"
    "3.5 back\n"
    "4.0 seek 6.52\n"
    "5.0 back\n"
    "5.5 play\n"
    "6.0 rate 2\n"
    "8.0 rate 1\n";

}  // namespace

int run_demo(bool headless) {
    TempDir dir;
    assets::SampleSpec spec;
    spec.path = (dir.path / "demo-bodycam.mp4").string();
    spec.width = 1280;
    spec.height = 720;
    spec.fps_num = 25;
    spec.seconds = 12;
    spec.gop = 50;
    spec.creation_time = "2026-03-01T09:30:00.000000Z";
    std::printf("courtplay demo: making a 12 s sample clip (1280x720, H.264 + AAC, frame numbers drawn in)...\n");
    std::fflush(stdout);
    av_log_set_level(AV_LOG_ERROR);  // the encoder's statistics are not for the court
    try {
        assets::write_sample(spec);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "courtplay demo: cannot make the sample clip: %s\n", e.what());
        return 1;
    }
    const auto script = dir.path / "tour.txt";
    std::ofstream(script) << kTour;

    PlayOptions options;
    options.input = spec.path;
    options.headless = headless;
    options.commands = script.string();
    options.frame_log = (dir.path / "frames.log").string();
    options.stats = (dir.path / "stats.json").string();
    std::printf("courtplay demo: playing it: pause at 2 s, step forward twice, back once, exact seek to 6.52 s,\n"
                "                step back, play, double speed, normal speed, to the end.\n");
    std::fflush(stdout);
    int code = run_play(options);
    if (code != 0) return code;

    std::ifstream log(options.frame_log);
    int frames = 0;
    for (std::string line; std::getline(log, line);) ++frames;
    std::ifstream stats(options.stats);
    std::string json((std::istreambuf_iterator<char>(stats)), std::istreambuf_iterator<char>());
    std::printf("courtplay demo: done; %d frames put on screen. Playback figures (first_frame_ms counts from\n"
                "                the process start, so it includes making the clip):\n%s",
                frames, json.c_str());
    return 0;
}

}  // namespace courtplay::kiosk
