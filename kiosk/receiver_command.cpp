#include "kiosk/receiver_command.h"

#include "cast/cast_receiver.h"
#include "config/receiver_config.h"
#include "kiosk/exit_codes.h"
#include "kiosk/process_clock.h"
#include "kiosk/screen.h"
#include "player/frame_log.h"

#include <SDL.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>
#include <utility>

#include <signal.h>

#include <sys/resource.h>

namespace courtplay::kiosk {
namespace {

using player::Micros;
using player::kNoTime;

std::atomic<cast::StreamReceiver*> g_receiver{nullptr};
std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
    g_stop.store(true);
    if (cast::StreamReceiver* r = g_receiver.load()) r->stop();  // an atomic store: signal-safe
}

struct FileCloser { void operator()(std::FILE* f) const { std::fclose(f); } };

struct ReceiverStats {
    int64_t streams = 0;
    int64_t pictures = 0;       // new pictures (frame log lines)
    int64_t repaints = 0;       // the sender's watermark clock moving on while paused
    int64_t unstamped = 0;
    Micros first_picture_at = kNoTime;
};

bool write_receiver_stats(const std::string& path, const ReceiverStats& s, Micros process_start, Micros ended_at) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    nlohmann::json j;
    j["streams"] = s.streams;
    j["frames_presented"] = s.pictures;
    j["repaints"] = s.repaints;
    j["frames_unstamped"] = s.unstamped;
    j["first_frame_ms"] = s.first_picture_at == kNoTime ? nlohmann::json(nullptr)
                                                        : nlohmann::json(static_cast<double>(s.first_picture_at - process_start) / 1000.0);
    j["cpu_seconds"] = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    j["wall_seconds"] = static_cast<double>(ended_at - process_start) / 1e6;
    j["peak_rss_kb"] = usage.ru_maxrss;
    std::ofstream out(path);
    if (!out) return false;
    out << j.dump(2) << '\n';
    return static_cast<bool>(out);
}

// The newest picture for the window: the receiving thread writes, the main thread takes. Pictures
// the window had no time for are counted, not queued (the stream is live).
class Mailbox {
public:
    void put(cast::ReceivedPicture p) {
        std::lock_guard lock(lock_);
        if (slot_.picture) ++skipped_;
        slot_ = std::move(p);
    }
    cast::ReceivedPicture take() {
        std::lock_guard lock(lock_);
        return std::exchange(slot_, {});
    }

private:
    std::mutex lock_;  // guards slot_ and skipped_
    cast::ReceivedPicture slot_;
    int64_t skipped_ = 0;
};

// What the screen shows between casts: black, with the idle badge over it.
std::shared_ptr<const AVFrame> black_picture() {
    AVFrame* f = av_frame_alloc();
    f->format = AV_PIX_FMT_YUV420P;
    f->width = 16;
    f->height = 16;
    if (av_frame_get_buffer(f, 0) == 0) {
        for (int plane = 0; plane < 3; ++plane)
            std::memset(f->data[plane], plane == 0 ? 16 : 128, static_cast<size_t>(f->linesize[plane]) * (plane ? 8 : 16));
    }
    return std::shared_ptr<const AVFrame>(f, [](const AVFrame* p) {
        AVFrame* owned = const_cast<AVFrame*>(p);
        av_frame_free(&owned);
    });
}

}  // namespace

int run_receiver(const ReceiverOptions& options) {
    const Micros process_start = process_start_time();
    config::ReceiverConfig cfg;
    cast::HostPort listen;
    std::optional<cast::StreamKey> key;
    std::unique_ptr<std::FILE, FileCloser> frame_log;
    try {
        cfg = config::load_receiver_config(options.config);
        listen = cast::parse_host_port(options.listen.empty() ? cfg.listen : options.listen, "--listen");
        if (options.stream_key_file.empty())
            throw cast::CastError(
                "no stream key: a receiver never accepts an unencrypted stream. Until pairing with a kiosk is "
                "built, give the key with --stream-key-file FILE (64 hex digits, owner-only)");
        key = cast::read_stream_key_file(options.stream_key_file);
        if (!options.frame_log.empty()) {
            frame_log.reset(std::fopen(options.frame_log.c_str(), "w"));
            if (!frame_log)
                throw cast::CastError("cannot write the frame log " + options.frame_log + ": " + std::strerror(errno));
            std::setvbuf(frame_log.get(), nullptr, _IOLBF, 0);
        }
        if (!options.stats.empty() && !std::ofstream(options.stats))
            throw cast::CastError("cannot write the stats file " + options.stats);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::bad_arguments;
    }
    if (!options.verbose) av_log_set_level(AV_LOG_QUIET);

    player::ClipInfo shown;  // what the window's display says: the receiver, not a clip (outlives the screen)
    shown.name = cfg.name;
    const EvidenceBadge idle_badge{EvidenceBadge::Tone::checking, cfg.name + " \u00b7 waiting for a cast on " +
                                                                    listen.host + ":" + std::to_string(listen.port)};
    std::unique_ptr<Screen> screen;
    const Uint32 wake_event = options.headless ? 0 : (SDL_Init(SDL_INIT_VIDEO) == 0 ? SDL_RegisterEvents(1) : 0);
    struct SdlQuit { bool on; ~SdlQuit() { if (on) SDL_Quit(); } } sdl_quit{!options.headless};
    if (!options.headless) {
        try {
            if (!wake_event) throw std::runtime_error(SDL_GetError());
            screen = std::make_unique<Screen>(ScreenOptions{"courtplay receiver - " + cfg.name, true}, shown);
            screen->set_badge(idle_badge);
            screen->show_osd(SDL_GetTicks() - 1);  // hidden: a receiver has no playback controls to show
            screen->redraw();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "courtplay: no display for the receiver (%s); use --headless to receive without one\n",
                         e.what());
            return 1;
        }
    }

    cast::StreamReceiver receiver(listen, *key, cfg.latency_ms);
    g_receiver.store(&receiver);
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    if (g_stop) receiver.stop();

    std::mutex stats_lock;  // guards stats (the receiving thread counts, the end reads)
    ReceiverStats stats;
    Mailbox mailbox;
    std::string listen_failure;
    std::vector<uint8_t> scratch;
    auto on_picture = [&](const cast::ReceivedPicture& got) {
        const bool repaint = got.stamp && got.stamp->repaint;
        {
            std::lock_guard lock(stats_lock);
            if (repaint) ++stats.repaints;
            else ++stats.pictures;
            if (!got.stamp) ++stats.unstamped;
            if (stats.first_picture_at == kNoTime) stats.first_picture_at = player::monotonic_now();
        }
        if (screen) {
            mailbox.put(got);
            SDL_Event e{};
            e.type = wake_event;
            SDL_PushEvent(&e);
        }
        if (frame_log && !repaint) {
            // As `play --frame-log`: the md5 of the picture as decoded (here, as received), with
            // the media seconds of the sender's timeline (its stamp).
            const double media = got.stamp ? static_cast<double>(got.stamp->media_us) / 1e6 : -1.0;
            const std::string md5 = player::picture_md5(got.picture.get(), scratch);
            std::fprintf(frame_log.get(), "%.3f\t%.6f\t%s\n", static_cast<double>(player::monotonic_now()) / 1000.0,
                         media, md5.c_str());
        }
    };
    auto receive_loop = [&] {
        while (!receiver.stopped()) {
            std::fprintf(stderr, "courtplay: receiver %s listening on %s:%d\n", cfg.name.c_str(), listen.host.c_str(),
                         listen.port);
            const cast::ReceiveOutcome out = receiver.receive(on_picture, [&] {
                std::lock_guard lock(stats_lock);
                ++stats.streams;
                std::fprintf(stderr, "courtplay: receiving a cast\n");
            });
            if (out.connected && screen) {
                // No picture of the evidence stays on the courtroom screen after the cast.
                mailbox.put(cast::ReceivedPicture{black_picture(), std::nullopt});
                SDL_Event e{};
                e.type = wake_event;
                SDL_PushEvent(&e);
            }
            if (out.connected)
                std::fprintf(stderr, "courtplay: the cast ended: %lld pictures%s%s\n", static_cast<long long>(out.pictures),
                             out.error.empty() ? "" : ": ", out.error.c_str());
            else if (!out.error.empty()) {
                listen_failure = out.error;  // the port is taken, or the address is not this computer's
                break;
            }
        }
        if (screen) {
            SDL_Event e{};
            e.type = SDL_QUIT;
            SDL_PushEvent(&e);
        }
    };

    if (!screen) {
        receive_loop();
    } else {
        std::thread receiving(receive_loop);
        bool running = true;
        while (running) {
            SDL_Event event;
            if (!SDL_WaitEventTimeout(&event, 200)) {
                if (g_stop) running = false;
                continue;
            }
            do {
                if (event.type == SDL_QUIT) running = false;
                else if (event.type == wake_event) {
                    cast::ReceivedPicture got = mailbox.take();
                    if (got.picture) {
                        screen->set_badge(got.stamp ? EvidenceBadge{} : idle_badge);
                        player::VideoFrame frame;
                        frame.picture = got.picture;
                        player::FramePosition at;
                        if (got.stamp) at = {got.stamp->media_us, got.stamp->frame_number};
                        screen->present(frame, at);
                    }
                } else {
                    screen->handle(event);
                    if (event.type == SDL_WINDOWEVENT) screen->redraw();
                }
            } while (SDL_PollEvent(&event));
        }
        receiver.stop();
        receiving.join();
    }
    g_receiver.store(nullptr);
    const Micros ended_at = player::monotonic_now();
    frame_log.reset();
    int code = 0;
    if (!listen_failure.empty()) {
        std::fprintf(stderr, "courtplay: %s\n", listen_failure.c_str());
        code = 1;
    }
    if (!options.stats.empty() && !write_receiver_stats(options.stats, stats, process_start, ended_at)) {
        std::fprintf(stderr, "courtplay: cannot write the stats file %s: %s\n", options.stats.c_str(), std::strerror(errno));
        if (code == 0) code = 1;
    }
    return code;
}

}  // namespace courtplay::kiosk
