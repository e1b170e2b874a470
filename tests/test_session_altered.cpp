// A share service that sends the original clip to be proven and other bytes to be played: the
// real service (in-process, real TLS on loopback) serves each request from the file it opens when
// the request arrives, so the stored clip replaced (renamed over) while the kiosk's proof request
// runs gives the proof the original and every later request, the playback's, the altered bytes.
// `courtplay session` must stop at the altered chunk, show nothing from it, say so, and put it on
// record as it does a clip that fails its proof.
#include "support/share_fixture.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

using namespace courtplay;
using namespace courtplay::testing;
using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// Uncompressed CCTV (no sound), twice the stream's 8 MiB window: after the proof the window holds
// only the clip's end, so playback from the start is fetched again. 320x240 yuv420p at 25 fps is
// 115,200 bytes a frame, 17.3 MB in 6 s.
constexpr int kFrames = 150;
std::string cctv_clip() {
    return fixture({.path = "altered-cctv.avi", .video_codec = "rawvideo", .audio_codec = "", .width = 320,
                    .height = 240, .seconds = kFrames / 25.0});
}
constexpr int64_t kChunk = 1 << 20;
// The altered byte: in chunk 10, well inside the clip and well past its first frames.
constexpr int64_t kAlteredAt = 10 * kChunk + 4321;

// Where each video frame's bytes end in the file, by ffprobe: a frame is made only of bytes before this.
std::vector<int64_t> frame_ends(const std::string& clip) {
    const RunResult r = run({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pos,size",
                             "-of", "csv=p=0", clip});
    REQUIRE(r.exit_code == 0);
    std::vector<int64_t> ends;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
        long long size = 0, pos = 0;
        char comma = 0;
        std::istringstream fields(line);
        if (fields >> size >> comma >> pos) ends.push_back(pos + size);
    }
    return ends;
}

// Replaces the service's copy at once: a request already running keeps the file it opened.
void replace_stored(const fs::path& stored, const std::string& bytes) {
    const fs::path next = stored.string() + ".next";
    write_file(next, bytes);
    fs::rename(next, stored);
}

}  // namespace

TEST_CASE("Bytes altered after the proof stop playback at the altered chunk and nothing of it is shown") {
    const std::string clip = cctv_clip();
    const std::string original = read_file(clip);
    REQUIRE(static_cast<int64_t>(original.size()) > 2 * (8 << 20));
    const std::vector<ReferenceFrame> reference = ffmpeg_framemd5(clip);
    REQUIRE(reference.size() == kFrames);
    const std::vector<int64_t> ends = frame_ends(clip);
    REQUIRE(ends.size() == kFrames);
    REQUIRE(ends.back() > kAlteredAt);

    // A link a little faster than the clip, so that the proof's request is still running when the
    // stored clip is replaced.
    ServiceFolder svc("session-altered", {.clip_rate_kib_s = 4500});
    const std::string clip_id = svc.add_clip(clip, "CCTV, Mill Lane");
    const std::string token =
        svc.share({"--party", "defence", "--case", "01YZ1234526", "--clips", clip_id, "--perms", "view", "--expires", "2h"});
    const fs::path stored = svc.stored_clip(clip_id);
    REQUIRE(read_file(stored) == original);

    const std::string frames = scratch_dir() + "/session-altered.frames";
    Spawned session = spawn_courtplay({"session", "--config", svc.config(), "--token", token, "--headless", "--frame-log", frames});
    // The proof's request has the original open: from now on the service holds the altered clip.
    REQUIRE(session.wait_for_err("checking clip \"CCTV, Mill Lane\": 10%", 60s));
    std::string altered = original;
    altered[static_cast<size_t>(kAlteredAt)] ^= 0x01;
    replace_stored(stored, altered);

    const RunResult r = session.wait();
    INFO(r.err);
    // The proof passed (it saw the original), then playback stopped on the altered chunk.
    CHECK_THAT(r.err, Catch::Contains("clip \"CCTV, Mill Lane\" verified (SHA-256"));
    CHECK(r.exit_code == 3);  // as for a clip that fails its proof
    CHECK_THAT(r.err, Catch::Contains("the share service sent different bytes for clip \"CCTV, Mill Lane\" than were "
                                      "checked (part 11, from byte " + std::to_string(10 * kChunk) + "); playback "
                                      "stopped. Nothing altered was shown. Tell court IT."));

    // What was shown is the original, and nothing of it comes from the altered chunk or after.
    const std::vector<FrameLine> shown = read_frame_log(frames);
    REQUIRE(!shown.empty());
    int last = -1;
    for (const FrameLine& f : shown) {
        const int i = static_cast<int>(std::lround(f.media * 25));
        INFO("media " << f.media);
        REQUIRE(i >= 0);
        REQUIRE(i < kFrames);
        CHECK(reference[static_cast<size_t>(i)].md5 == f.md5);
        CHECK(ends[static_cast<size_t>(i)] <= 10 * kChunk);
        last = std::max(last, i);
    }
    CHECK(last >= 0);

    // On record as a failed proof is: playback.error with exit code 3, and why; the session ended with 3.
    const RunResult listed = run_courtplay({"audit", "list", "--config", svc.config()});
    REQUIRE(listed.exit_code == 0);
    json error, ended;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        const json e = json::parse(line);
        if (e["type"] == "playback.error") error = e;
        if (e["type"] == "session.ended") ended = e;
    }
    INFO(listed.out);
    REQUIRE(error.is_object());
    CHECK(error["details"]["exit_code"] == 3);
    CHECK(error["details"]["reason"] == "altered_after_proof");
    CHECK(error["details"]["altered_part"] == 11);
    CHECK(error["clip_id"] == clip_id);
    REQUIRE(ended.is_object());
    CHECK(ended["details"]["exit_code"] == 3);
}
