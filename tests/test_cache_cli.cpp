// The cache as outside checks use it: `courtplay cache prefetch|list|purge` and `courtplay session
// [--cache-only]` against the real share service over real TLS on loopback, with real kills of
// the kiosk and of the service, evidence altered on the service, and cache files altered on disk.
#include "support/share_fixture.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>

using namespace courtplay;
using namespace courtplay::testing;
using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {
// A service with one clip, and the kiosk's config beside it (with [cache] settings added).
struct CacheService : ServiceFolder {
    std::string clip_id, clip_path, token, kiosk_config;

    CacheService(const std::string& name, const std::string& clip, const std::string& perms = "view,cache",
                 const std::string& cache_settings = "", server::ServiceOptions options = {})
        : ServiceFolder(name, options), clip_path(clip) {
        clip_id = add_clip(clip_path, "CCTV, High Street");
        token = share({"--party", "defence", "--case", "01YZ1234526", "--clips", clip_id, "--perms", perms,
                       "--expires", "2h"});
        kiosk_config = config();
        if (!cache_settings.empty()) {
            kiosk_config = (data / "kiosk-cache.toml").string();
            write_file(kiosk_config, read_file(config()) + "\n[cache]\n" + cache_settings + "\n");
        }
    }
    fs::path cache_dir() const { return data / "kiosk" / "cache"; }
    json list() const {
        const RunResult r = run_courtplay({"cache", "list", "--config", kiosk_config, "--json"});
        REQUIRE(r.exit_code == 0);
        return json::parse(r.out);
    }
    RunResult prefetch() const { return run_courtplay({"cache", "prefetch", "--config", kiosk_config, "--token", token}); }
    std::vector<std::string> session(std::vector<std::string> extra) const {
        std::vector<std::string> args{"session", "--config", kiosk_config, "--token", token, "--headless"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
};

std::string short_clip() { return fixture({.path = "cache-short.mp4", .width = 320, .height = 180, .seconds = 2}); }
// Long enough to act on the service while it plays, and several MB (intra-only MJPEG).
std::string long_clip() {
    return fixture({.path = "cache-long.mp4", .video_codec = "mjpeg", .width = 960, .height = 540, .seconds = 6});
}

fs::path entry_file(const fs::path& cache_dir, const std::string& name) {
    for (const auto& e : fs::directory_iterator(cache_dir))
        if (e.is_directory()) return e.path() / name;
    FAIL("no cache entry in " << cache_dir);
    return {};
}

// Every frame the kiosk showed is one FFmpeg decodes from the original at that time. `clip_frames`
// is how many the clip has: on a loaded machine the player drops a frame that is already late (as
// it must, to keep time), so a tenth may be missing; every one shown is checked.
void check_frames_are_the_original(const std::string& frame_log, const std::string& original, size_t clip_frames) {
    const auto shown = read_frame_log(frame_log);
    const auto reference = ffmpeg_framemd5(original);
    CHECK(shown.size() >= clip_frames * 9 / 10);
    for (const FrameLine& f : shown) {
        const auto match = std::find_if(reference.begin(), reference.end(),
                                         [&](const ReferenceFrame& r) { return std::abs(r.media - f.media) < 0.001; });
        REQUIRE(match != reference.end());
        CHECK(match->md5 == f.md5);
    }
}
}  // namespace

TEST_CASE("cache prefetch, then a session plays the clip from the cache with the service gone") {
    CacheService svc("prefetch-play", long_clip());
    const RunResult pre = svc.prefetch();
    INFO(pre.err);
    REQUIRE(pre.exit_code == 0);
    CHECK_THAT(pre.err, Catch::Contains("caching clip \"CCTV, High Street\": 100%") &&
                            Catch::Contains("is in the cache, verified (SHA-256"));
    const json listed = svc.list();
    REQUIRE(listed["clips"].size() == 1);
    CHECK(listed["clips"][0]["state"] == "verified");
    CHECK(listed["clips"][0]["clip_id"] == svc.clip_id);
    CHECK(listed["clips"][0]["party"] == "defence");
    CHECK(listed["clips"][0]["bytes"] == fs::file_size(svc.clip_path));
    // Prefetching again fetches nothing.
    CHECK_THAT(svc.prefetch().err, Catch::Contains("already in the cache, verified"));

    // Evidence altered on the service now would fail any streamed playback: the session must not stream.
    std::ofstream(svc.stored_clip(svc.clip_id), std::ios::app) << "tampered";
    const std::string log = scratch_dir() + "/prefetch-play.log";
    Spawned session = spawn_courtplay(svc.session({"--cache-only", "--frame-log", log}));
    REQUIRE(session.wait_for_err("from the kiosk's encrypted cache", 20s));
    svc.stop();  // the network goes; the hearing goes on
    const RunResult r = session.wait();
    INFO(r.err);
    CHECK(r.exit_code == 0);
    check_frames_are_the_original(log, svc.clip_path, 150);  // 6 s at 25 fps: every frame
    // The session ended, and the default config keeps nothing after it.
    CHECK_THAT(r.err, Catch::Contains("removed clip \"CCTV, High Street\"") && Catch::Contains("the session ended"));
    svc.start();
    CHECK(svc.list()["clips"].empty());
}

TEST_CASE("With no network at all, a cached clip plays under the grant kept with it, and only a cached one") {
    CacheService svc("offline-hearing", short_clip());
    REQUIRE(svc.prefetch().exit_code == 0);
    svc.stop();  // the courtroom has no network from the start
    const std::string log = scratch_dir() + "/offline-hearing.log";
    const RunResult r = run_courtplay(svc.session({"--cache-only", "--frame-log", log}));
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("the grant kept with them checks") &&
                          Catch::Contains("cannot be checked until the network is back"));
    check_frames_are_the_original(log, svc.clip_path, 50);
    // On record as redeemed offline.
    const RunResult listed = run_courtplay({"audit", "list", "--config", svc.kiosk_config});
    CHECK_THAT(listed.out, Catch::Contains(R"("details":{"case":"01YZ1234526","offline":true})"));

    // A code whose clips were never cached here gets nothing without the network.
    svc.start();
    const std::string other = svc.share({"--party", "defence", "--case", "01YZ1234526", "--clips", svc.clip_id,
                                         "--perms", "view,cache", "--expires", "2h"});
    svc.stop();
    const RunResult none = run_courtplay({"session", "--config", svc.kiosk_config, "--token", other, "--headless"});
    CHECK(none.exit_code == 5);
    CHECK_THAT(none.err, Catch::Contains("the share service could not be reached"));
}

TEST_CASE("A session caches a clip it may cache before playing it, and the config can keep it for the hearing") {
    CacheService svc("session-caches", short_clip(), "view,cache", "keep_after_session_h = 1");
    const std::string log = scratch_dir() + "/session-caches.log";
    RunResult r = run_courtplay(svc.session({"--frame-log", log}));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("is in the cache, verified") && Catch::Contains("from the kiosk's encrypted cache"));
    check_frames_are_the_original(log, svc.clip_path, 50);
    const json listed = svc.list();
    REQUIRE(listed["clips"].size() == 1);
    REQUIRE(listed["clips"][0].contains("keep_until"));
    const int64_t keep = *auth::parse_iso8601(listed["clips"][0]["keep_until"].get<std::string>());
    CHECK(std::abs(keep - (unix_now() + 3600)) < 60);  // an hour, within the share's two

    // Revoked: the next use of the code purges what it cached, and says why it is refused.
    REQUIRE(server_cli({"share", "revoke", "--data", svc.data, listed["clips"][0]["share_id"].get<std::string>()})
                .exit_code == 0);
    r = run_courtplay(svc.session({"--cache-only"}));
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("the share was revoked") && Catch::Contains("withdrawn"));
    CHECK(svc.list()["clips"].empty());
}

TEST_CASE("A session with --cache-only never fetches media, and a share without cache is streamed and never stored") {
    SECTION("not cached: refused, and the way out named") {
        CacheService svc("cache-only", short_clip());
        const RunResult r = run_courtplay(svc.session({"--cache-only"}));
        CHECK(r.exit_code == 5);
        CHECK_THAT(r.err, Catch::Contains("is not in this kiosk's cache") && Catch::Contains("courtplay cache prefetch"));
        CHECK(svc.list()["clips"].empty());
    }
    SECTION("view only") {
        CacheService svc("view-only", short_clip(), "view");
        RunResult r = svc.prefetch();
        CHECK(r.exit_code == 4);
        CHECK_THAT(r.err, Catch::Contains("may not be cached on this kiosk (the share allows view)"));
        const std::string log = scratch_dir() + "/view-only.log";
        r = run_courtplay(svc.session({"--frame-log", log}));
        INFO(r.err);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.err, Catch::Contains("streamed from the share service"));
        check_frames_are_the_original(log, svc.clip_path, 50);
        CHECK(svc.list()["clips"].empty());
        CHECK(fs::is_empty(svc.cache_dir()));
    }
}

TEST_CASE("A flipped bit in a cached clip: playback refuses, nothing damaged is shown, the copy goes") {
    CacheService svc("cache-flip", long_clip(), "view,cache", "keep_after_session_h = 1");
    REQUIRE(svc.prefetch().exit_code == 0);
    const fs::path data = entry_file(svc.cache_dir(), "clip.enc");
    {
        std::fstream f(data, std::ios::in | std::ios::out | std::ios::binary);
        f.seekg(int64_t(fs::file_size(data)) * 2 / 3);
        char c = 0;
        f.get(c);
        f.seekp(int64_t(fs::file_size(data)) * 2 / 3);
        f.put(char(c ^ 1));
    }
    const std::string log = scratch_dir() + "/cache-flip.log";
    const RunResult r = run_courtplay(svc.session({"--cache-only", "--frame-log", log}));
    INFO(r.err);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("the cached copy is damaged") && Catch::Contains("nothing damaged was shown"));
    check_frames_are_the_original(log, svc.clip_path, 0);
    CHECK(read_frame_log(log).size() < 150);
    CHECK(svc.list()["clips"].empty());
}

TEST_CASE("Evidence that is not the original is never cached: altered, cut short, or longer") {
    CacheService svc("cache-wrong", short_clip());
    const fs::path stored = svc.stored_clip(svc.clip_id);
    const std::string original = read_file(stored.string());
    SECTION("one byte changed (the wrong hash)") {
        std::string altered = original;
        altered[altered.size() / 2] ^= 1;
        std::ofstream(stored, std::ios::binary) << altered;
        const RunResult r = svc.prefetch();
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Catch::Contains("NOT the original evidence") && Catch::Contains("Tell court IT"));
    }
    SECTION("cut short (a truncated download)") {
        std::ofstream(stored, std::ios::binary) << original.substr(0, original.size() - 1000);
        const RunResult r = svc.prefetch();
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Catch::Contains("holds " + std::to_string(original.size() - 1000)));
    }
    SECTION("a service that says the clip is longer") {
        std::ofstream(stored, std::ios::binary) << original << "more bytes";
        const RunResult r = svc.prefetch();
        CHECK(r.exit_code == 3);
    }
    CHECK(svc.list()["clips"].empty());
    CHECK(fs::is_empty(svc.cache_dir()));
}

TEST_CASE("Prefetch survives kill -9 of the kiosk and a restart of the service, and resumes") {
    // A slow courtroom network: 1 MiB/s.
    CacheService svc("cache-kill", long_clip(), "view,cache", "", {.clip_rate_kib_s = 1024});
    const int64_t bytes = int64_t(fs::file_size(svc.clip_path));
    REQUIRE(bytes > 3 << 20);
    {
        Spawned first = spawn_courtplay({"cache", "prefetch", "--config", svc.kiosk_config, "--token", svc.token});
        REQUIRE(first.wait_for_err("caching clip \"CCTV, High Street\": 20%", 30s));
        first.kill(SIGKILL);
        CHECK(first.wait().exit_code == 128 + SIGKILL);
    }
    json listed = svc.list();
    REQUIRE(listed["clips"].size() == 1);
    CHECK(listed["clips"][0]["state"] == "partial");
    CHECK(listed["clips"][0]["stored_bytes"] > 0);

    // Resumed, and the service restarted under it: it reconnects and finishes.
    Spawned second = spawn_courtplay({"cache", "prefetch", "--config", svc.kiosk_config, "--token", svc.token});
    REQUIRE(second.wait_for_err("resuming after the", 30s));
    REQUIRE(second.wait_for_err("caching clip \"CCTV, High Street\": 60%", 30s));
    svc.stop();
    REQUIRE(second.wait_for_err("reconnecting", 30s));
    svc.start();
    const RunResult r = second.wait();
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.err, Catch::Contains("reconnected") && Catch::Contains("is in the cache, verified"));
    // The first attempt's bytes were not fetched again: the resume started past 20%.
    const std::smatch m = [&] {
        std::smatch found;
        std::regex_search(r.err, found, std::regex(R"(resuming after the ([0-9.]+) MB already stored)"));
        return found;
    }();
    REQUIRE(m.size() == 2);
    CHECK(std::stod(m[1]) * (1 << 20) >= 0.15 * double(bytes));
    listed = svc.list();
    REQUIRE(listed["clips"].size() == 1);
    CHECK(listed["clips"][0]["state"] == "verified");
    // Verified means playable, frame for frame.
    const std::string log = scratch_dir() + "/cache-kill.log";
    const RunResult played = run_courtplay(svc.session({"--cache-only", "--frame-log", log}));
    CHECK(played.exit_code == 0);
    check_frames_are_the_original(log, svc.clip_path, 150);
}

TEST_CASE("A full disk during prefetch: a clear message, exit 6, and what was stored resumes later") {
    const fs::path mnt = fs::path(scratch_dir()) / "cli-small-disk";
    fs::create_directories(mnt);
    REQUIRE(run({"mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", mnt.string()}).exit_code == 0);
    struct Unmount {
        fs::path p;
        ~Unmount() { run({"umount", "-l", p.string()}); }
    } unmount{mnt};
    CacheService svc("cache-full", long_clip(), "view,cache", "dir = \"" + (mnt / "cache").string() + "\"");
    const RunResult r = svc.prefetch();
    INFO(r.err);
    CHECK(r.exit_code == 6);
    CHECK_THAT(r.err, Catch::Contains("cannot be cached") && Catch::Contains("MB free and clip \"CCTV, High Street\" needs") &&
                          Catch::Contains("Court IT: free space"));
    // Streaming still plays it.
    const RunResult played = run_courtplay(svc.session({}));
    CHECK(played.exit_code == 0);
    CHECK_THAT(played.err, Catch::Contains("is streamed instead"));
}

TEST_CASE("cache purge removes what policy says, or everything with --all") {
    CacheService svc("cache-purge", short_clip(), "view,cache", "keep_after_session_h = 1");
    REQUIRE(svc.prefetch().exit_code == 0);
    RunResult r = run_courtplay({"cache", "purge", "--config", svc.kiosk_config});
    CHECK(r.exit_code == 0);
    CHECK(r.out == "0 clips removed from the cache\n");
    CHECK(svc.list()["clips"].size() == 1);
    // A damaged entry (its manifest altered) goes by policy.
    std::ofstream(entry_file(svc.cache_dir(), "manifest"), std::ios::app) << "x";
    CHECK(svc.list()["clips"][0]["state"] == "damaged");
    r = run_courtplay({"cache", "purge", "--config", svc.kiosk_config});
    CHECK(r.out == "1 clip removed from the cache\n");
    CHECK_THAT(r.err, Catch::Contains("removed a damaged entry"));
    REQUIRE(svc.prefetch().exit_code == 0);
    r = run_courtplay({"cache", "purge", "--config", svc.kiosk_config, "--all"});
    CHECK(r.out == "1 clip removed from the cache\n");
    CHECK_THAT(r.err, Catch::Contains("court IT asked for it"));
    CHECK(svc.list()["clips"].empty());
    // People read the list too.
    r = run_courtplay({"cache", "list", "--config", svc.kiosk_config});
    CHECK_THAT(r.out, Catch::StartsWith("Cache " + svc.cache_dir().string() + ": 0 clips, 0.0 MB of 20480.0 MB"));
}
