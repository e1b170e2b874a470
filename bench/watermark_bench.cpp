// The watermark's benchmark program, run by bench/watermark (docs/benchmarks.md, "Watermark").
//
//   watermark_bench frame [--clip FILE --frame K] [--frames N]
//       Cost per 1080p frame of watermark::MarkStage with a Watermark (the session's 4 lines) and a
//       null output, the wall clock given to it moving 1/30 s per frame (the text mask is rebuilt
//       every 30th frame, as in playback); then the parts alone: av_frame_copy into a reused frame
//       and Watermark::burn. The picture is frame K of the clip, or noise without --clip. Run it
//       pinned to one core (the script does). Prints JSON.
//   watermark_bench play --clip FILE [--seconds S] [--pairs P] [--arms AB] [--x-pid PID]
//       CPU of playing S seconds of the clip in a full-screen window, a player::Player driven by a
//       minimal loop (tick, SDL events), its frames going (A) straight to kiosk::Screen or (B)
//       through MarkStage + Watermark to the Screen; (C), context only, the way
//       kiosk/play_session.cpp wires it at this commit (the Screen a sink of both the player and the
//       stage). Arms alternate in pairs after one uncounted warm-up run. Prints JSON.
// The product has no way to turn the watermark off; only this program composes a pipeline without it.
#include "kiosk/screen.h"
#include "player/clock.h"
#include "player/player.h"
#include "player/source.h"
#include "watermark/mark_stage.h"
#include "watermark/watermark.h"

extern "C" {
#include <libavutil/md5.h>
}

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <sched.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

using namespace courtplay;
using nlohmann::json;

namespace {

// A session's watermark as docs/watermark.md shows it: label, party/case/share, kiosk/session, time.
const char* const kSessionText =
    "OFFICIAL-SENSITIVE \u00b7 disclosed to the defence\n"
    "DEFENCE \u00b7 01YZ1234526 \u00b7 share sh_3b6ommigxbi4\n"
    "kiosk kiosk-1 \u00b7 session se_f55146e2d70ab318\n"
    "{utc}";
constexpr int64_t kUtc0 = 1795916624LL * 1000000;  // 2026-11-29 01:43:44 UTC, on a second

double now_s(clockid_t id) {
    timespec t{};
    clock_gettime(id, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

double rusage_cpu_s() {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);  // every thread of the process, those that have ended included
    return double(r.ru_utime.tv_sec + r.ru_stime.tv_sec) + double(r.ru_utime.tv_usec + r.ru_stime.tv_usec) * 1e-6;
}

// user+sys seconds of another process (the X server), or -1.
double process_cpu_s(int pid) {
    if (pid <= 0) return -1;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), {});
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) return -1;
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    double utime = 0, stime = 0;
    for (int i = 3; fields >> f; ++i) {  // field 3 is the state; 14 utime, 15 stime
        if (i == 14) utime = std::stod(f);
        if (i == 15) { stime = std::stod(f); break; }
    }
    return (utime + stime) / double(sysconf(_SC_CLK_TCK));
}

// Nearest rank, as courtplay's stats and the bench scripts use.
double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const size_t rank = std::clamp<size_t>(size_t(std::ceil(p * double(v.size()))), 1, v.size());
    return v[rank - 1];
}

json summary_ms(const std::vector<double>& ms) {
    const double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / double(ms.size());
    return {{"n", ms.size()}, {"mean_ms", mean}, {"p50_ms", percentile(ms, 0.5)}, {"p99_ms", percentile(ms, 0.99)},
            {"max_ms", *std::max_element(ms.begin(), ms.end())}};
}

// Frame i's wall clock: 1/30 s apart, on a second boundary every 30 frames.
int64_t utc_of(int i) { return kUtc0 + int64_t(i) * 1000000 / 30; }

class NullSink final : public player::VideoSink {
public:
    void present(const player::VideoFrame& frame, const player::FramePosition&) override {
        if (frame.picture) ++count;
    }
    int64_t count = 0;
};

// Frame `k` of the clip, as the player's decoder would give it (one thread: no frame threading delay).
std::shared_ptr<const AVFrame> decode_frame(const std::string& clip, int k) {
    AVFormatContext* raw = nullptr;
    if (avformat_open_input(&raw, clip.c_str(), nullptr, nullptr) < 0) throw std::runtime_error("cannot open " + clip);
    player::InputPtr in(raw);
    avformat_find_stream_info(in.get(), nullptr);
    const int v = av_find_best_stream(in.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (v < 0) throw std::runtime_error("no video in " + clip);
    const AVCodec* codec = avcodec_find_decoder(in->streams[v]->codecpar->codec_id);
    player::CodecPtr dec(avcodec_alloc_context3(codec));
    avcodec_parameters_to_context(dec.get(), in->streams[v]->codecpar);
    if (avcodec_open2(dec.get(), codec, nullptr) < 0) throw std::runtime_error("cannot decode " + clip);
    auto packet = player::make_packet();
    auto frame = player::make_frame();
    for (int got = 0; av_read_frame(in.get(), packet.get()) >= 0; av_packet_unref(packet.get())) {
        if (packet->stream_index != v) continue;
        avcodec_send_packet(dec.get(), packet.get());
        while (avcodec_receive_frame(dec.get(), frame.get()) == 0)
            if (got++ == k) return std::shared_ptr<const AVFrame>(frame.release(), player::FrameFree());
    }
    throw std::runtime_error("the clip has fewer than " + std::to_string(k + 1) + " frames");
}

// A 1080p 4:2:0 picture of noise: no run of equal bytes for anything to take a short cut on.
std::shared_ptr<const AVFrame> noise_frame() {
    auto f = player::make_frame();
    f->width = 1920;
    f->height = 1080;
    f->format = AV_PIX_FMT_YUV420P;
    if (av_frame_get_buffer(f.get(), 0) < 0) throw std::runtime_error("out of memory");
    std::mt19937 rng(7);
    for (int p = 0; p < 3; ++p)
        for (int y = 0; y < (p ? 540 : 1080); ++y)
            for (int x = 0; x < (p ? 960 : 1920); ++x) f->data[p][y * f->linesize[p] + x] = uint8_t(rng());
    return std::shared_ptr<const AVFrame>(f.release(), player::FrameFree());
}

std::string picture_md5(const AVFrame& f) {
    AVMD5* md5 = av_md5_alloc();
    av_md5_init(md5);
    for (int p = 0; p < 3; ++p)
        for (int y = 0; y < (p ? (f.height + 1) / 2 : f.height); ++y)
            av_md5_update(md5, f.data[p] + ptrdiff_t(y) * f.linesize[p], size_t(p ? (f.width + 1) / 2 : f.width));
    uint8_t sum[16];
    av_md5_final(md5, sum);
    av_free(md5);
    char hex[33];
    for (int i = 0; i < 16; ++i) std::snprintf(hex + 2 * i, 3, "%02x", sum[i]);
    return hex;
}

// Times fn(i) for i in [0, n): per call wall ms (CLOCK_MONOTONIC), and the thread's CPU over all.
struct Timed {
    std::vector<double> ms;
    double cpu_s = 0;
};
template <class Fn>
Timed timed(int n, Fn fn) {
    Timed t;
    t.ms.reserve(size_t(n));
    const double cpu0 = now_s(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < n; ++i) {
        const double t0 = now_s(CLOCK_MONOTONIC);
        fn(i);
        t.ms.push_back((now_s(CLOCK_MONOTONIC) - t0) * 1000);
    }
    t.cpu_s = now_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    return t;
}

// The figures of one timed loop, with the frames that rebuilt the text mask (every 30th) apart.
json report(const Timed& t) {
    std::vector<double> rebuild, other;
    for (size_t i = 0; i < t.ms.size(); ++i) (i % 30 == 0 ? rebuild : other).push_back(t.ms[i]);
    json r = summary_ms(t.ms);
    r["cpu_mean_ms"] = t.cpu_s * 1000 / double(t.ms.size());
    r["mask_rebuild_frames"] = summary_ms(rebuild);
    r["other_frames"] = summary_ms(other);
    return r;
}

int run_frame(const std::string& clip, int k, int n) {
    const auto decoded = clip.empty() ? noise_frame() : decode_frame(clip, k);
    if (decoded->format != AV_PIX_FMT_YUV420P || decoded->width != 1920 || decoded->height != 1080)
        throw std::runtime_error("the picture is not 1920x1080 yuv420p");
    cpu_set_t cpus;
    sched_getaffinity(0, sizeof cpus, &cpus);
    json out = {{"mode", "frame"}, {"picture", clip.empty() ? "noise" : clip + " frame " + std::to_string(k)},
                {"frames", n}, {"cores_allowed", CPU_COUNT(&cpus)}, {"text", kSessionText}};

    int64_t utc = kUtc0;
    watermark::Watermark mark(watermark::WatermarkOptions{kSessionText});
    watermark::MarkStage stage([&utc] { return utc; });
    NullSink sink;
    stage.add_mark(&mark);
    stage.add_output(&sink);
    player::VideoFrame vf{decoded, 0, 33333};
    auto present = [&](int i) {
        utc = utc_of(i);
        stage.present(vf, {vf.time, i});
    };
    for (int i = 0; i < 60; ++i) present(i);  // warm-up: glyphs, the pool, the caches
    out["stage"] = report(timed(n, present));
    const auto box = mark.last_box();
    out["box"] = {{"width", box.width}, {"height", box.height}, {"font_px", mark.glyphs().pixel_size()}};
    if (sink.count != n + 60) throw std::runtime_error("the null output was not given every frame");

    // The parts alone. The copy: what the stage does before burning, into one reused frame.
    auto reused = player::make_frame();
    reused->width = decoded->width, reused->height = decoded->height, reused->format = decoded->format;
    av_frame_get_buffer(reused.get(), 0);
    auto copy = [&](int) { av_frame_copy(reused.get(), decoded.get()); };
    for (int i = 0; i < 60; ++i) copy(i);
    out["copy"] = report(timed(n, copy));
    // The burn, on a fresh Watermark with the same clock (its mask rebuilt every 30th call).
    watermark::Watermark alone(watermark::WatermarkOptions{kSessionText});
    auto burn = [&](int i) { alone.burn(*reused, utc_of(i)); };
    for (int i = 0; i < 60; ++i) burn(i);
    out["burn"] = report(timed(n, burn));

    // What was burned, untimed: the md5 of the marked picture at frames across seconds and all five
    // places, so that a change made for speed can be shown to burn exactly the same pixels.
    json md5s;
    for (int i : {0, 1, 29, 30, 31, 599, 600, 1234, 1800, 2400, 2999}) {
        present(i);
        md5s[std::to_string(i)] = picture_md5(*stage.marked());
    }
    out["marked_md5"] = md5s;
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

// ------------------------------------------------------------------------------------------ play

struct Wake {
    Uint32 event = SDL_RegisterEvents(1);
    void operator()() const {
        SDL_Event e{};
        e.type = event;
        SDL_PushEvent(&e);
    }
};

// Times an output (the Screen) or the stage on the main thread: thread CPU per present, and for the
// stage its own part, the time its outputs took inside it taken off.
struct Counts {
    double cpu_s = 0;
    int64_t presents = 0, repaints = 0;
};
class TimedSink final : public player::VideoSink {
public:
    TimedSink(player::VideoSink& inner, const TimedSink* nested = nullptr) : inner_(inner), nested_(nested) {}
    void present(const player::VideoFrame& f, const player::FramePosition& p) override { time([&] { inner_.present(f, p); }, n.presents); }
    void repaint(const player::VideoFrame& f, const player::FramePosition& p, player::PictureRows r) override {
        time([&] { inner_.repaint(f, p, r); }, n.repaints);
    }
    template <class Fn>
    void time(Fn fn, int64_t& count) {
        const double inner0 = nested_ ? nested_->n.cpu_s : 0, t0 = now_s(CLOCK_THREAD_CPUTIME_ID);
        fn();
        n.cpu_s += now_s(CLOCK_THREAD_CPUTIME_ID) - t0 - (nested_ ? nested_->n.cpu_s - inner0 : 0);
        ++count;
    }
    Counts n;

private:
    player::VideoSink& inner_;
    const TimedSink* nested_;
};

// Plays `seconds` of the clip from its start in arm A, B or C; the figures cover the steady part,
// from the first frame on screen to `seconds` later (opening and closing are the same in every arm).
json play_once(const std::string& clip, char arm, double seconds, int x_pid) {
    const Wake wake;
    player::AudioOutputFactory silent = [](player::AudioFormat wanted) { return player::open_silent_output(wanted); };
    player::Player p(player::open_file_source(clip), player::PlayerOptions{}, silent);
    p.set_wake(wake);
    p.start();
    kiosk::Screen screen(kiosk::ScreenOptions{"watermark_bench", true}, p.clip());
    watermark::Watermark mark(watermark::WatermarkOptions{kSessionText});
    watermark::MarkStage stage;  // the real wall clock: the mask is rebuilt once a second
    TimedSink timed_screen(screen), timed_stage(stage, &timed_screen);
    if (arm != 'A') {
        stage.add_mark(&mark);
        stage.add_output(&timed_screen);
    }
    if (arm != 'B') p.add_sink(&timed_screen);
    if (arm != 'A') p.add_sink(&timed_stage);

    bool counting = false;
    double cpu0 = 0, wall0 = 0, x0 = 0;
    player::PlaybackStats stats0;
    Counts screen0, stage0;
    while (!p.ended()) {
        const player::Micros now = player::monotonic_now();
        if (counting && now_s(CLOCK_MONOTONIC) - wall0 >= seconds) break;
        const player::Micros wait = p.tick(now);
        if (arm != 'A') stage.refresh();
        if (!counting && p.stats().first_frame_at != player::kNoTime) {
            counting = true;
            cpu0 = rusage_cpu_s(), wall0 = now_s(CLOCK_MONOTONIC), x0 = process_cpu_s(x_pid);
            stats0 = p.stats();
            screen0 = timed_screen.n, stage0 = timed_stage.n;
        }
        screen.set_state(p.state(now));
        SDL_Event event;
        if (SDL_WaitEventTimeout(&event, int(std::clamp<player::Micros>((wait + 999) / 1000, 0, 100))))
            while (SDL_PollEvent(&event)) {}
    }
    const double cpu = rusage_cpu_s() - cpu0, wall = now_s(CLOCK_MONOTONIC) - wall0;
    const double x = x_pid > 0 ? process_cpu_s(x_pid) - x0 : -1;
    const auto& s = p.stats();
    return {{"arm", std::string(1, arm)}, {"cpu_s", cpu}, {"wall_s", wall}, {"cpu_per_s", cpu / wall},
            {"x_cpu_per_s", x_pid > 0 ? json(x / wall) : json(nullptr)},
            {"frames_presented", s.frames_presented - stats0.frames_presented},
            {"frames_dropped", s.frames_dropped - stats0.frames_dropped}, {"ended_early", p.ended()},
            // On the main thread: the Screen's present (upload and draw) and the stage's own part,
            // in CPU ms each; repaints are the stage burning the frame again when the second changed.
            {"screen", {{"presents", timed_screen.n.presents - screen0.presents},
                        {"repaints", timed_screen.n.repaints - screen0.repaints},
                        {"cpu_ms", (timed_screen.n.cpu_s - screen0.cpu_s) * 1000}}},
            {"stage", {{"presents", timed_stage.n.presents - stage0.presents},
                       {"cpu_ms", (timed_stage.n.cpu_s - stage0.cpu_s) * 1000}}}};
}

int run_play(const std::string& clip, double seconds, int pairs, const std::string& arms, int x_pid) {
    if (SDL_Init(SDL_INIT_VIDEO) != 0) throw std::runtime_error(std::string("no display: ") + SDL_GetError());
    av_log_set_level(AV_LOG_QUIET);
    json out = {{"mode", "play"}, {"clip", clip}, {"seconds", seconds}, {"pairs", pairs}, {"arms", arms}};
    json runs = json::array();
    std::fprintf(stderr, "watermark_bench: warm-up, arm %c, %.0f s\n", arms[0], std::min(seconds, 5.0));
    json warm = play_once(clip, arms[0], std::min(seconds, 5.0), x_pid);
    warm["warmup"] = true;
    runs.push_back(warm);
    for (int pair = 0; pair < pairs; ++pair) {
        std::string order = arms;  // every other pair in reverse: neither arm always goes first
        if (pair % 2) std::reverse(order.begin(), order.end());
        for (char arm : order) {
            std::fprintf(stderr, "watermark_bench: pair %d/%d, arm %c, %.0f s\n", pair + 1, pairs, arm, seconds);
            json r = play_once(clip, arm, seconds, x_pid);
            r["pair"] = pair;
            r["warmup"] = false;
            runs.push_back(r);
        }
    }
    out["runs"] = runs;
    SDL_Quit();
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"watermark benchmark (run by bench/watermark)"};
    app.require_subcommand(1);
    std::string clip, arms = "AB";
    int frame = 45, frames = 3000, pairs = 3, x_pid = 0;
    double seconds = 20;
    auto* f = app.add_subcommand("frame", "cost per 1080p frame, in this thread");
    f->add_option("--clip", clip, "decode the picture from this clip (default: noise)");
    f->add_option("--frame", frame, "which frame of the clip (default 45, not a keyframe)");
    f->add_option("--frames", frames, "presents timed (default 3000)")->check(CLI::Range(30, 1000000));
    auto* p = app.add_subcommand("play", "CPU of playback in a window, without and with the watermark");
    p->add_option("--clip", clip, "the 1080p30 clip")->required();
    p->add_option("--seconds", seconds, "seconds of playback per run (default 20)")->check(CLI::Range(1.0, 3600.0));
    p->add_option("--pairs", pairs, "pairs of runs (default 3)")->check(CLI::Range(1, 100));
    p->add_option("--arms", arms, "A, B and C, in the first pair's order (default AB)")
        ->check([](const std::string& s) { return s.find_first_not_of("ABC") == std::string::npos && !s.empty() ? "" : "A, B, C"; });
    p->add_option("--x-pid", x_pid, "the X server's pid: its CPU is reported per run");
    CLI11_PARSE(app, argc, argv);
    try {
        if (f->parsed()) return run_frame(clip, frame, frames);
        return run_play(clip, seconds, pairs, arms, x_pid);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "watermark_bench: %s\n", e.what());
        return 1;
    }
}
