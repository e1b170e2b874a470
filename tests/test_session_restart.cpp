// `courtplay session` streaming a clip while the share service dies under it: the real
// `courtplay-server serve`, in its own process on the port the kiosk's config names, is killed with
// SIGKILL while bytes of the clip are still on their way to the kiosk, and started again on the same
// port with the same data folder. Twice: while the kiosk proves the clip (reads it through once for
// its SHA-256) and while it plays it. (test_https_source restarts an in-process service under the
// HTTPS source alone; here it is the whole kiosk, as a court runs it.)
#include "support/serve_process.h"
#include "support/share_fixture.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <functional>
#include <sstream>
#include <thread>

using namespace courtplay;
using namespace courtplay::testing;
using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// CCTV as it often comes: pictures and no sound. Uncompressed, so that a small picture (next to no
// CPU to make, decode and hash, under the sanitizers too) still makes a clip twice the stream's
// 8 MiB window (docs/play.md): 320x240 yuv420p is 115,200 bytes a frame, 2.9 MB a second at 25 fps,
// 17.3 MB in 6 s. A clip that fits the window is all in memory after one request, and a service
// killed after that changes nothing.
constexpr int kFrames = 150;
std::string cctv_clip() {
    return fixture({.path = "restart-cctv.avi", .video_codec = "rawvideo", .audio_codec = "", .width = 320,
                    .height = 240, .seconds = kFrames / 25.0});
}
// A courtroom link a little faster than the clip: the kiosk is never far ahead of what it shows, so
// most of the clip is still on the service at each kill, and it plays without waiting otherwise.
const std::vector<std::string> kSlowLink{"--clip-rate", "4500"};  // KiB/s

double monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

bool wait_until(const std::function<bool()>& fn, std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!fn()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

// Where `text` occurs in `s` at or after `from` (npos: it does not).
size_t at(const std::string& s, const std::string& text, size_t from = 0) {
    return from == std::string::npos ? std::string::npos : s.find(text, from);
}

size_t count(const std::string& s, const std::string& text) {
    size_t n = 0;
    for (size_t i = s.find(text); i != std::string::npos; i = s.find(text, i + text.size())) ++n;
    return n;
}

}  // namespace

TEST_CASE("A streamed session rides out the share service killed and restarted mid-clip, twice") {
    const std::string clip = cctv_clip();
    REQUIRE(fs::file_size(clip) > 2 * (8u << 20));
    const std::vector<ReferenceFrame> reference = ffmpeg_framemd5(clip);
    REQUIRE(reference.size() == kFrames);
    const RunResult digest = run({"sha256sum", clip});
    REQUIRE(digest.exit_code == 0);
    const std::string sha256 = digest.out.substr(0, 64);

    // The service on a port of its own, kept across restarts: the kiosk's config names it.
    const int port = free_port();
    const fs::path data = fs::path(scratch_dir()) / "restart-service";
    REQUIRE(server_cli({"init", "--data", data, "--listen", "127.0.0.1:" + std::to_string(port)}).exit_code == 0);
    const RunResult added = server_cli({"clip", "add", "--data", data, clip, "--title", "CCTV, Station Road"});
    REQUIRE(added.exit_code == 0);
    const RunResult made = server_cli({"share", "create", "--data", data, "--party", "cps", "--case", "01YZ1234526",
                                       "--clips", trimmed(added.out), "--perms", "view", "--expires", "2h"});
    REQUIRE(made.exit_code == 0);  // view only: streamed, never cached
    const std::string config = (data / "kiosk.toml").string();
    auto serve = std::make_unique<Serve>(data.string(), kSlowLink, port);

    const std::string frames = scratch_dir() + "/restart.frames", stats = scratch_dir() + "/restart.json";
    Spawned session = spawn_courtplay({"session", "--config", config, "--token", trimmed(made.out), "--headless",
                                       "--frame-log", frames, "--stats", stats});

    // 1. While the clip is being proven: a third read, the rest still on the service.
    REQUIRE(session.wait_for_err("checking clip \"CCTV, Station Road\": 30%", 60s));
    REQUIRE(serve->kill(SIGKILL) == 128 + SIGKILL);
    // Said while the service is down (it is started again only after this).
    REQUIRE(session.wait_for_err("reconnecting", 30s));
    serve = std::make_unique<Serve>(data.string(), kSlowLink, port);
    REQUIRE(session.wait_for_err("streamed from the share service", 60s));

    // 2. While it plays: a few frames on screen, most of the clip still on the service.
    REQUIRE(wait_until([&] { return read_lines(frames).size() >= 10; }, 60s));
    REQUIRE(serve->kill(SIGKILL) == 128 + SIGKILL);
    REQUIRE(session.wait_for_err("reconnecting", 30s, 2));
    // Playback shows what arrived, then holds on its last frame: it waits, it does not fail. (It
    // may have waited and gone on before, on a busy machine; what counts is that it waits now.)
    REQUIRE(wait_until([&] {
        const std::string e = session.err();
        return count(e, "playback waits at") > count(e, "playback continues at");
    }, 30s));
    const double restarted_at = monotonic_ms();
    serve = std::make_unique<Serve>(data.string(), kSlowLink, port);

    const RunResult r = session.wait();
    INFO(r.err);
    CHECK(r.exit_code == 0);
    // The service that came back shuts down cleanly (under the sanitizers: with nothing reported).
    CHECK(serve->stop() == 0);

    // In order on stderr: lost, back, proven the original (every byte hashed, across the restart),
    // lost again while playing, playback waits, back, playback continues.
    const std::string& err = r.err;
    const size_t lost1 = at(err, "reconnecting");
    const size_t back1 = at(err, "reconnected; the clip continues", lost1);
    const size_t proven = at(err, "clip \"CCTV, Station Road\" verified (SHA-256 " + sha256 + "), streamed", back1);
    const size_t lost2 = at(err, "reconnecting", proven);
    const size_t back2 = at(err, "reconnected; the clip continues", lost2);
    const size_t waits = at(err, "playback waits at", proven);
    const size_t continues = at(err, "playback continues at", waits);
    CHECK(lost1 != std::string::npos);
    CHECK(back1 != std::string::npos);
    CHECK(proven != std::string::npos);
    CHECK(lost2 != std::string::npos);
    CHECK(back2 != std::string::npos);
    CHECK(waits != std::string::npos);
    CHECK(continues != std::string::npos);
    CHECK(at(err, "not the original") == std::string::npos);

    // Every frame shown is the original's frame at that time, each once, in order, to the last:
    // the bytes after each restart are the ones where they stopped. A frame not shown was dropped as
    // late (counted): a loaded machine may do that, and that is all it may do.
    const std::vector<FrameLine> shown = read_frame_log(frames);
    REQUIRE(!shown.empty());
    std::vector<int> index;
    for (const FrameLine& f : shown) {
        const int i = static_cast<int>(std::lround(f.media * 25));
        INFO("media " << f.media);
        REQUIRE(i >= 0);
        REQUIRE(i < kFrames);
        CHECK(std::abs(reference[i].media - f.media) < 1e-3);
        CHECK(reference[i].md5 == f.md5);
        if (!index.empty()) CHECK(i > index.back());
        index.push_back(i);
    }
    CHECK(index.back() == kFrames - 1);
    const json figures = json::parse(read_file(stats));
    CHECK(figures["frames_presented"] == shown.size());
    CHECK(shown.size() + figures["frames_dropped"].get<size_t>() == reference.size());
    CHECK(figures["waits"] >= 1);

    // Where playback stopped and went on: it was waiting on a frame when the service came back,
    // and went on with the very next one, at the clip's own pace. (Had its clock run on through
    // the wait, the frames after it would all be late: dropped, or shown in a rush until the
    // picture caught up, and the court would not see them.) A slow machine only takes longer.
    size_t k = 0;
    while (k + 1 < shown.size() && shown[k + 1].mono_ms < restarted_at) ++k;
    REQUIRE(k + 1 < shown.size());
    CHECK(shown[k].mono_ms < restarted_at);
    CHECK(index[k + 1] == index[k] + 1);
    const double rest_ms = shown.back().mono_ms - shown[k + 1].mono_ms;
    const double rest_media_ms = (shown.back().media - shown[k + 1].media) * 1e3;
    CHECK(rest_ms >= rest_media_ms - 200);

    // On record: the clip opened, played to its end and closed, and the session ended well.
    const RunResult listed = run_courtplay({"audit", "list", "--config", config});
    REQUIRE(listed.exit_code == 0);
    std::vector<std::string> types;
    json ended;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        const json e = json::parse(line);
        types.push_back(e["type"]);
        if (e["type"] == "session.ended") ended = e;
    }
    for (const char* t : {"clip.opened", "play", "clip.ended", "clip.closed"})
        CHECK(std::count(types.begin(), types.end(), t) == 1);
    CHECK(std::count(types.begin(), types.end(), "playback.error") == 0);
    CHECK(ended["details"]["exit_code"] == 0);
}
