// `courtplay play` as outside checks use it: the frame log against FFmpeg's own framemd5, the
// commands file, the stats file, exit codes and the one-line errors.
#include "support/testing.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

using namespace courtplay;
using namespace courtplay::testing;

namespace {

std::string path_in_scratch(const std::string& name) { return scratch_dir() + "/" + name; }

std::string clip() {
    assets::SampleSpec spec;
    spec.path = "cli.mp4";
    spec.seconds = 2;
    return fixture(spec);
}

// Pauses at once and steps through every frame: the whole clip, fast, in the frame log.
std::string step_through_script(int frames) {
    std::string s = "0 pause\n";
    for (int i = 1; i < frames; ++i) s += "0 step\n";
    return s + "0 quit\n";
}

}  // namespace

TEST_CASE("the frame log's md5s are FFmpeg's framemd5 for the same frames", "[cli]") {
    struct Case { const char* name; const char* container; const char* video; const char* audio; int w, h; };
    const Case cases[] = {
        {"md5-h264.mp4", "mp4", "libx264", "aac", 320, 240},
        {"md5-hevc.mkv", "matroska", "libx265", "libopus", 320, 240},
        {"md5-vp9.mkv", "matroska", "libvpx-vp9", "", 320, 240},
        {"md5-mpeg4.avi", "avi", "mpeg4", "libmp3lame", 320, 240},
        {"md5-mjpeg.avi", "avi", "mjpeg", "pcm_s16le", 320, 240},
        {"md5-h264.ts", "mpegts", "libx264", "mp2", 320, 240},
        {"md5-odd.mp4", "mp4", "libx264", "", 321, 241},
    };
    for (const Case& c : cases) {
        DYNAMIC_SECTION(c.name) {
            assets::SampleSpec spec;
            spec.path = c.name;
            spec.container = c.container;
            spec.video_codec = c.video;
            spec.audio_codec = c.audio;
            spec.width = c.w;
            spec.height = c.h;
            spec.seconds = 1.2;
            const std::string input = fixture(spec);
            const auto reference = ffmpeg_framemd5(input);
            REQUIRE(reference.size() == 30);
            const std::string script = path_in_scratch(std::string(c.name) + ".cmd");
            const std::string log = path_in_scratch(std::string(c.name) + ".log");
            write_file(script, step_through_script(30));
            auto r = run_courtplay({"play", "--headless", "--commands", script, "--frame-log", log, input});
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
            auto frames = read_frame_log(log);
            REQUIRE(frames.size() == reference.size());
            for (size_t i = 0; i < frames.size(); ++i) {
                INFO("frame " << i);
                CHECK(frames[i].md5 == reference[i].md5);
                CHECK(frames[i].media == Approx(reference[i].media).margin(1e-6));
            }
        }
    }
}

TEST_CASE("a played clip logs every frame once with increasing monotonic times", "[cli]") {
    const std::string log = path_in_scratch("played.log");
    const std::string stats = path_in_scratch("played.json");
    auto r = run_courtplay({"play", "--headless", "--frame-log", log, "--stats", stats, clip()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto frames = read_frame_log(log);
    auto reference = ffmpeg_framemd5(clip());
    auto j = nlohmann::json::parse(read_file(stats));
    const int presented = j["frames_presented"];
    const int dropped = j["frames_dropped"];
    CHECK(presented == static_cast<int>(frames.size()));
    CHECK(presented + dropped == static_cast<int>(reference.size()));
    for (size_t i = 1; i < frames.size(); ++i) {
        CHECK(frames[i].mono_ms >= frames[i - 1].mono_ms);
        CHECK(frames[i].media > frames[i - 1].media);
    }
    CHECK(frames.front().md5 == reference.front().md5);
    CHECK(frames.back().md5 == reference.back().md5);
    for (const char* key : {"first_frame_ms", "cpu_seconds", "wall_seconds", "peak_rss_kb"}) {
        INFO(key);
        CHECK(j[key].get<double>() > 0);
    }
    const auto& av = j["av_offset_ms"];
    CHECK(av["p1"].get<double>() <= av["p50"].get<double>());
    CHECK(av["p50"].get<double>() <= av["p99"].get<double>());
    CHECK(av["max_abs"].get<double>() >= std::max(-av["p1"].get<double>(), av["p99"].get<double>()));
    CHECK(j["av_offset_ms"]["samples"].get<int>() > 10);
    CHECK(j["wall_seconds"].get<double>() >= 1.9);  // real time: a 2 s clip takes 2 s
}

TEST_CASE("the commands file drives seek, step, back and quit, timed from the first frame", "[cli]") {
    const std::string script = path_in_scratch("drive.cmd");
    const std::string log = path_in_scratch("drive.log");
    const std::string stats = path_in_scratch("drive.json");
    write_file(script,
               "# comment lines and blank lines are ignored\n\n"
               "0.3 pause\n0.4 seek 1.5\n0.5 step\n0.6 back\n0.7 back\n0.8 seek 0.52\n0.9 volume 0.5\n"
               "1.0 rate 2\n1.1 play\n1.4 quit\n");
    auto r = run_courtplay({"play", "--headless", "--commands", script, "--frame-log", log, "--stats", stats, clip()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto frames = read_frame_log(log);
    auto reference = ffmpeg_framemd5(clip());
    auto index_of = [&](const FrameLine& f) {
        for (size_t i = 0; i < reference.size(); ++i)
            if (reference[i].md5 == f.md5) return static_cast<int>(i);
        return -1;
    };
    // Find the seek to 1.5 s (frame 37) and what follows it.
    auto it = std::find_if(frames.begin(), frames.end(), [](const FrameLine& f) { return f.media == 1.48; });
    REQUIRE(it != frames.end());
    std::vector<int> sequence;
    for (; it != frames.end() && sequence.size() < 6; ++it) sequence.push_back(index_of(*it));
    CHECK(sequence == std::vector<int>{37, 38, 37, 36, 13, 14});
    // Command times are wall-clock seconds after the first frame (allowing for a busy machine).
    const double first = frames.front().mono_ms;
    auto seek_line = std::find_if(frames.begin(), frames.end(), [](const FrameLine& f) { return f.media == 1.48; });
    CHECK(seek_line->mono_ms - first >= 400);
    auto j = nlohmann::json::parse(read_file(stats));
    CHECK(j["seek_ms"].size() == 2);
    CHECK(j["step_ms"].size() == 3);
}

TEST_CASE("exit codes and one-line errors", "[cli]") {
    SECTION("a file that does not exist: 3, naming the file") {
        auto r = run_courtplay({"play", "--headless", "/nonexistent/clip.mp4"});
        CHECK(r.exit_code == 3);
        CHECK(r.err.find("/nonexistent/clip.mp4") != std::string::npos);
        CHECK(r.err.find("No such file") != std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    SECTION("a file that is not a video: 3") {
        const std::string junk = path_in_scratch("junk.mp4");
        std::string bytes;
        for (int i = 0; i < 100000; ++i) bytes += static_cast<char>((i * 7919) % 251);
        write_file(junk, bytes);
        auto r = run_courtplay({"play", "--headless", junk});
        CHECK(r.exit_code == 3);
        CHECK(r.err.find(junk) != std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    SECTION("an empty file: 3") {
        const std::string empty = path_in_scratch("empty.mp4");
        write_file(empty, "");
        auto r = run_courtplay({"play", "--headless", empty});
        CHECK(r.exit_code == 3);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    SECTION("a folder: 3") {
        auto r = run_courtplay({"play", "--headless", scratch_dir()});
        CHECK(r.exit_code == 3);
    }
    SECTION("bad arguments: 2") {
        CHECK(run_courtplay({"play", "--headless", "--no-such-flag", clip()}).exit_code == 2);
        CHECK(run_courtplay({"play", "--headless"}).exit_code == 2);
        CHECK(run_courtplay({"play", "--headless", "--segment", "5:2", clip()}).exit_code == 2);
        CHECK(run_courtplay({}).exit_code == 2);
    }
    SECTION("a bad commands file: 2, naming the line") {
        const std::string script = path_in_scratch("bad.cmd");
        write_file(script, "0.5 pause\n1 rate 9\n");
        auto r = run_courtplay({"play", "--headless", "--commands", script, clip()});
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("line 2") != std::string::npos);
        CHECK(r.err.find("rate must be between 0.25 and 4") != std::string::npos);
    }
    SECTION("--help: 0") { CHECK(run_courtplay({"play", "--help"}).exit_code == 0); }
}

TEST_CASE("damaged clips play what can be decoded and end cleanly", "[cli][corrupt]") {
    assets::SampleSpec spec;
    spec.path = "to-damage.ts";
    spec.container = "mpegts";
    spec.seconds = 2;
    const std::string good = fixture(spec);
    const std::string bytes = read_file(good);

    SECTION("truncated") {
        const std::string cut = path_in_scratch("truncated.ts");
        write_file(cut, bytes.substr(0, bytes.size() * 6 / 10));
        const std::string log = path_in_scratch("truncated.log");
        auto r = run_courtplay({"play", "--headless", "--frame-log", log, cut});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        auto frames = read_frame_log(log);
        CHECK(frames.size() >= 15);
        CHECK(frames.size() < 50);
    }
    SECTION("garbage in the middle") {
        std::string damaged = bytes;
        for (size_t i = damaged.size() / 3; i < damaged.size() / 3 + 20000 && i < damaged.size(); ++i)
            damaged[i] = static_cast<char>(i * 31);
        const std::string path = path_in_scratch("garbled.ts");
        write_file(path, damaged);
        const std::string log = path_in_scratch("garbled.log");
        auto r = run_courtplay({"play", "--headless", "--frame-log", log, path});
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK(read_frame_log(log).size() >= 10);
    }
    SECTION("a damaged MP4 header") {
        std::string damaged = bytes;
        const std::string mp4 = fixture([] {
            assets::SampleSpec s;
            s.path = "to-damage.mp4";
            s.seconds = 1;
            return s;
        }());
        std::string m = read_file(mp4);
        m.resize(m.size() / 2);  // moov is at the end: without it nothing can be played
        const std::string path = path_in_scratch("no-moov.mp4");
        write_file(path, m);
        auto r = run_courtplay({"play", "--headless", path});
        CHECK(r.exit_code == 3);
        CHECK(r.err.find(path) != std::string::npos);
    }
    SECTION("only the header survives: streams known, not one picture") {
        const std::string mkv = fixture({.path = "to-damage.mkv", .seconds = 1});
        const std::string path = path_in_scratch("header-only.mkv");
        write_file(path, read_file(mkv).substr(0, 1200));
        // It once waited for a first frame forever: `timeout` turns a hang into a failure.
        auto r = run({"timeout", "60", COURTPLAY_BIN, "play", "--headless", path});
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Catch::Contains("no picture in it could be decoded"));
    }
}

TEST_CASE("plays in a window on a real X server", "[cli][window]") {
    if (!std::getenv("DISPLAY")) {
        WARN("no DISPLAY: run the suite under xvfb-run (scripts/test does)");
        return;
    }
    const std::string log = path_in_scratch("window.log");
    const std::string script = path_in_scratch("window.cmd");
    write_file(script, "0.4 pause\n0.5 seek 1.0\n0.6 back\n0.7 quit\n");
    // Mesa's GL driver is loaded and unloaded by SDL; kept loaded, LeakSanitizer can name (and the
    // suppressions file excuse) what it never frees. Harmless without sanitizers.
    std::vector<std::string> env;
    const char* dri = "/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so";
    if (std::filesystem::exists(dri)) env.push_back(std::string("LD_PRELOAD=") + dri);
    auto r = run_courtplay({"play", "--commands", script, "--frame-log", log, clip()}, env);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto frames = read_frame_log(log);
    auto reference = ffmpeg_framemd5(clip());
    REQUIRE(frames.size() >= 3);
    CHECK(frames[frames.size() - 2].md5 == reference[25].md5);
    CHECK(frames.back().md5 == reference[24].md5);
}

// Court IT see which part of the player is busy or stuck (`top -H`, `ps -L`): each thread is
// named for what it does, not "courtplay" for all of them.
TEST_CASE("the player's threads are named for what they do", "[cli]") {
    const std::string commands = path_in_scratch("names.commands");
    write_file(commands, "0 pause\n30 quit\n");
    Spawned player = spawn_courtplay({"play", "--headless", "--commands", commands, clip()});
    const std::vector<std::string> wanted{"demux", "video-decode", "sound-decode", "silent-sound"};
    std::set<std::string> names;
    auto has_all = [&] {
        for (const auto& n : wanted)
            if (!names.count(n)) return false;
        return true;
    };
    for (int i = 0; i < 200 && !has_all(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        names.clear();
        std::error_code ec;
        for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(player.pid()) + "/task", ec)) {
            std::ifstream comm(task.path() / "comm");
            std::string name;
            if (std::getline(comm, name)) names.insert(name);
        }
    }
    player.kill(SIGTERM);
    player.wait();
    std::string seen;
    for (const auto& n : names) seen += n + " ";
    INFO("threads: " << seen);
    for (const auto& n : wanted) {
        INFO(n);
        CHECK(names.count(n) == 1);
    }
}

// The tests' own guard: a program under test that hangs fails its test at once, saying where it
// hung, instead of holding the suite until ctest's limit with nothing to show.
TEST_CASE("a program that hangs is killed at the limit, with its threads' stacks", "[process]") {
    const RunResult r = Spawned({"sleep", "30"}).wait(std::chrono::seconds(1));
    CHECK(r.exit_code == 124);
    CHECK_THAT(r.err, Catch::Contains("still running after 1 s, killed"));
    CHECK_THAT(r.err, Catch::Contains("#0 ") && Catch::Contains("nanosleep"));  // gdb: the frame it waits in
}
