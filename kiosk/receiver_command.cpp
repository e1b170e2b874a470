#include "kiosk/receiver_command.h"

#include "cast/cast_receiver.h"
#include "cast/dns_sd.h"
#include "cast/receiver_control.h"
#include "config/receiver_config.h"
#include "files/posix_file.h"
#include "files/thread_name.h"
#include "kiosk/exit_codes.h"
#include "kiosk/process_clock.h"
#include "kiosk/room_sound.h"
#include "kiosk/screen.h"
#include "kiosk/service_notify.h"
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

std::atomic<bool> g_stop{false};
std::atomic<cast::ReceiverControl*> g_control{nullptr};
std::atomic<cast::StreamReceiver*> g_stream{nullptr};

extern "C" void on_stop_signal(int) {
    g_stop.store(true);
    // Atomic stores only: signal-safe.
    if (cast::ReceiverControl* c = g_control.load()) c->stop();
    if (cast::StreamReceiver* r = g_stream.load()) r->stop();
}

struct ReceiverStats {
    int64_t streams = 0;
    int64_t pictures = 0;       // new pictures (frame log lines)
    int64_t repaints = 0;       // the sender's watermark clock moving on while paused
    int64_t unstamped = 0;
    Micros first_picture_at = kNoTime;
};

bool write_receiver_stats(const std::string& path, const ReceiverStats& s, const RoomSound& sound, Micros process_start,
                          Micros ended_at) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    nlohmann::json j;
    j["streams"] = s.streams;
    j["frames_presented"] = s.pictures;
    j["repaints"] = s.repaints;
    j["frames_unstamped"] = s.unstamped;
    j["sound_seconds"] = sound.seconds_heard();
    j["sound_dropped_seconds"] = sound.seconds_dropped();
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


// What the screen says, set by the receiving threads and read by the window's: large in the middle
// while idle (the name and how to cast to it) and when a cast starts until its first picture; then
// a badge over the picture for a few seconds.
class ScreenWords {
public:
    void idle(std::vector<std::string> lines) {
        std::lock_guard lock(lock_);
        casting_ = false;
        idle_ = std::move(lines);
    }
    void casting(std::string from, std::string party) {
        std::lock_guard lock(lock_);
        casting_ = true;
        from_ = std::move(from);
        party_ = std::move(party);
        first_picture_at_ = kNoTime;
    }
    void picture_arrived(Micros now) {
        std::lock_guard lock(lock_);
        if (casting_ && first_picture_at_ == kNoTime) first_picture_at_ = now;
    }
    std::vector<std::string> notice() const {
        std::lock_guard lock(lock_);
        if (!casting_) return idle_;
        if (first_picture_at_ == kNoTime) return {"Casting from " + from_, party_};
        return {};
    }
    EvidenceBadge badge(Micros now) const;

private:
    mutable std::mutex lock_;  // guards the members below
    bool casting_ = false;
    std::vector<std::string> idle_;
    std::string from_, party_;
    Micros first_picture_at_ = kNoTime;
};

constexpr Micros kAnnounceFor = 4'000'000;  // "Casting from ..." stays this long over the first pictures

EvidenceBadge ScreenWords::badge(Micros now) const {
    std::lock_guard lock(lock_);
    if (!casting_ || first_picture_at_ == kNoTime || now >= first_picture_at_ + kAnnounceFor) return {};
    return {EvidenceBadge::Tone::verified, "Casting from " + from_ + " \u00b7 " + party_};
}

// Everything the receiver shows and counts, shared by the two ways of getting a stream.
struct Shown {
    Shown(const ReceiverOptions& o, std::FILE* log, RoomSound& room) : options(o), frame_log(log), sound(room) {}
    const ReceiverOptions& options;
    std::FILE* frame_log;
    RoomSound& sound;
    Uint32 wake_event = 0;  // 0: no window
    Mailbox mailbox;
    ScreenWords words;
    std::mutex stats_lock;  // guards stats (the receiving thread counts, the end reads)
    ReceiverStats stats;
    std::vector<uint8_t> scratch;  // the receiving thread's

    void wake() const {
        if (!wake_event) return;
        SDL_Event e{};
        e.type = wake_event;
        SDL_PushEvent(&e);
    }
    void on_picture(const cast::ReceivedPicture& got) {
        const bool repaint = got.stamp && got.stamp->repaint;
        {
            std::lock_guard lock(stats_lock);
            if (repaint) ++stats.repaints;
            else ++stats.pictures;
            if (!got.stamp) ++stats.unstamped;
            if (stats.first_picture_at == kNoTime) stats.first_picture_at = player::monotonic_now();
        }
        words.picture_arrived(player::monotonic_now());
        if (wake_event) {
            mailbox.put(got);
            wake();
        }
        if (frame_log && !repaint) {
            // As `play --frame-log`: the md5 of the picture as decoded (here, as received), with
            // the media seconds of the sender's timeline (its stamp).
            // The time first: hashing a 1080p picture takes milliseconds.
            const double at_ms = static_cast<double>(player::monotonic_now()) / 1000.0;
            const double media = got.stamp ? static_cast<double>(got.stamp->media_us) / 1e6 : -1.0;
            const std::string md5 = player::picture_md5(got.picture.get(), scratch);
            std::fprintf(frame_log, "%.3f\t%.6f\t%s\n", at_ms, media, md5.c_str());
        }
    }
    // No picture of the evidence stays on the courtroom screen after the cast.
    void blank() {
        if (!wake_event) return;
        mailbox.put(cast::ReceivedPicture{black_picture(), std::nullopt});
        wake();
    }
    // One stream, start to end. Returns the failure to listen (the port taken), else empty.
    std::string receive_one(cast::StreamReceiver& receiver) {
        g_stream.store(&receiver);
        if (g_stop) receiver.stop();
        const cast::ReceiveOutcome out = receiver.receive(
            [this](const cast::ReceivedPicture& p) { on_picture(p); },
            [this] {
                std::lock_guard lock(stats_lock);
                ++stats.streams;
                std::fprintf(stderr, "courtplay: receiving a cast\n");
            },
            [this](const AVFrame& block) { sound.hear(block); });
        g_stream.store(nullptr);
        blank();
        if (out.connected)
            std::fprintf(stderr, "courtplay: the cast ended: %lld pictures%s%s\n", static_cast<long long>(out.pictures),
                         out.error.empty() ? "" : ": ", out.error.c_str());
        return out.connected ? std::string() : out.error;
    }
};

// Pairing mode: the control channel decides when a cast starts (with which key) and ends.
class PairedCasts final : public cast::ReceiverEvents {
public:
    PairedCasts(Shown& shown, const config::ReceiverConfig& cfg, const cast::HostPort& listen)
        : shown_(shown), cfg_(cfg), listen_(listen) {}
    ~PairedCasts() override { finish_stream(); }
    void set_control(cast::ReceiverControl* control) { control_ = control; }

    void on_pairing_code(const std::string& code) override {
        shown_.words.idle({cfg_.name, "Pairing code", cast::spaced_pairing_code(code)});
        shown_.wake();
        if (shown_.options.print_pairing_code) {
            std::printf("%s\n", code.c_str());
            std::fflush(stdout);
        }
    }
    void on_cast_started(const cast::CastStart& cast) override {
        finish_stream();
        std::fprintf(stderr, "courtplay: paired with %s (%s)\n", cast.kiosk.c_str(), cast.party.c_str());
        shown_.words.casting(cast.kiosk, cast.party);
        shown_.wake();
        receiver_ = std::make_unique<cast::StreamReceiver>(listen_, cast.key, cfg_.latency_ms);
        stream_ = std::thread([this] {
            files::name_this_thread("cast-stream");
            // One stream per clip, for as long as the pairing lasts: the screen is black between
            // them. A stream that cannot be received (its UDP port taken) ends this cast, not the
            // receiver.
            while (!receiver_->stopped()) {
                const std::string failed = shown_.receive_one(*receiver_);
                if (failed.empty()) continue;
                std::fprintf(stderr, "courtplay: %s\n", failed.c_str());
                control_->stream_failed();
                break;
            }
        });
    }
    void on_cast_ended(const std::string& why) override {
        finish_stream();
        shown_.blank();
        // Said once the stream has stopped: everything the screen was given is in the frame log.
        std::fprintf(stderr, "courtplay: the cast is over: %s\n", why.c_str());
    }
    void on_turn() override { last_turn_.store(player::monotonic_now()); }
    // Whether the control loop turned lately: what systemd's watchdog is fed on.
    bool turning(Micros now) const { return now - last_turn_.load() < 5'000'000; }

private:
    void finish_stream() {
        if (receiver_) receiver_->stop();
        if (stream_.joinable()) stream_.join();
        receiver_.reset();
    }

    Shown& shown_;
    const config::ReceiverConfig& cfg_;
    cast::HostPort listen_;
    cast::ReceiverControl* control_ = nullptr;
    std::unique_ptr<cast::StreamReceiver> receiver_;  // the cast on now (control thread only)
    std::thread stream_;
    std::atomic<Micros> last_turn_{player::monotonic_now()};
};

// The window's loop (main thread) until SDL_QUIT or a signal; `work` runs on its own thread.
// `each_turn` runs at least every 200 ms.
void show_until_quit(Screen& screen, Shown& shown, const std::function<void()>& work, const std::function<void()>& stop,
                     const std::function<void()>& each_turn) {
    std::thread working([&] {
        files::name_this_thread("receiver");
        work();
        SDL_Event e{};
        e.type = SDL_QUIT;
        SDL_PushEvent(&e);
    });
    EvidenceBadge said = shown.words.badge(player::monotonic_now());
    std::vector<std::string> noticed = shown.words.notice();
    screen.set_badge(said);
    screen.set_notice(noticed);
    screen.redraw();
    bool running = true;
    while (running) {
        SDL_Event event;
        const bool got = SDL_WaitEventTimeout(&event, 200);
        if (g_stop) running = false;
        each_turn();
        bool redraw = false;
        for (bool more = got; more; more = SDL_PollEvent(&event)) {
            if (event.type == SDL_QUIT) running = false;
            else if (event.type == shown.wake_event) {
                cast::ReceivedPicture p = shown.mailbox.take();
                if (!p.picture) continue;
                player::VideoFrame frame;
                frame.picture = p.picture;
                player::FramePosition at;
                if (p.stamp) at = {p.stamp->media_us, p.stamp->frame_number};
                screen.set_badge(said = shown.words.badge(player::monotonic_now()));
                screen.set_notice(noticed = shown.words.notice());
                screen.present(frame, at);
            } else {
                screen.handle(event);
                redraw = redraw || event.type == SDL_WINDOWEVENT;
            }
        }
        // The words change without a picture: a new code while idle, the announcement's end.
        if (EvidenceBadge now = shown.words.badge(player::monotonic_now()); now != said) {
            screen.set_badge(said = now);
            redraw = true;
        }
        if (std::vector<std::string> now = shown.words.notice(); now != noticed) {
            screen.set_notice(noticed = now);
            redraw = true;
        }
        if (redraw) screen.redraw();
    }
    stop();
    working.join();
}

// Without a window: the main thread only waits for the end, turning `each_turn` as the window would.
void wait_until_done(const std::function<void()>& work, const std::function<void()>& each_turn) {
    std::atomic<bool> done{false};
    std::thread working([&] {
        files::name_this_thread("receiver");
        work();
        done.store(true);
    });
    while (!done.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        each_turn();
    }
    working.join();
}

}  // namespace

int run_receiver(const ReceiverOptions& options) {
    const Micros process_start = process_start_time();
    config::ReceiverConfig cfg;
    cast::HostPort listen;
    std::optional<cast::StreamKey> key;
    files::FilePtr frame_log;
    try {
        cfg = config::load_receiver_config(options.config);
        listen = cast::parse_host_port(options.listen.empty() ? cfg.listen : options.listen, "--listen");
        if (!options.stream_key_file.empty()) key = cast::read_stream_key_file(options.stream_key_file);
        else if (cfg.certificate.empty())
            throw cast::CastError("this receiver cannot pair: " + options.config +
                                  " names no certificate and private_key under [receiver] (`courtplay-server init` "
                                  "writes a complete receiver config). A receiver never accepts an unencrypted stream");
        if (key && options.print_pairing_code)
            throw cast::CastError("--print-pairing-code is for pairing; with --stream-key-file there is no pairing code");
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

    RoomSound sound(!options.headless);
    Shown shown(options, frame_log.get(), sound);
    const std::string where = listen.host + ":" + std::to_string(listen.port);
    shown.words.idle({cfg.name, "Waiting for a cast on " + where});
    player::ClipInfo about;  // what the window's display says: the receiver, not a clip (outlives the screen)
    about.name = cfg.name;
    std::unique_ptr<Screen> screen;
    shown.wake_event = options.headless ? 0 : (SDL_Init(SDL_INIT_VIDEO) == 0 ? SDL_RegisterEvents(1) : 0);
    struct SdlQuit { bool on; ~SdlQuit() { if (on) SDL_Quit(); } } sdl_quit{!options.headless};
    if (!options.headless) {
        try {
            if (!shown.wake_event) throw std::runtime_error(SDL_GetError());
            screen = std::make_unique<Screen>(ScreenOptions{"courtplay receiver - " + cfg.name, true}, about);
            screen->show_osd(SDL_GetTicks() - 1);  // hidden: a receiver has no playback controls to show
        } catch (const std::exception& e) {
            std::fprintf(stderr, "courtplay: no display for the receiver (%s); use --headless to receive without one\n",
                         e.what());
            return 1;
        }
    }
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);

    std::string failure;  // the port taken, or the address not this computer's
    std::function<void()> work, stop;
    std::unique_ptr<cast::ReceiverControl> control;
    std::unique_ptr<cast::ReceiverAnnouncement> announcement;  // DNS-SD, while it can pair
    PairedCasts paired(shown, cfg, listen);
    if (key) {
        work = [&] {
            while (!g_stop && failure.empty()) {
                std::fprintf(stderr, "courtplay: receiver %s listening on %s\n", cfg.name.c_str(), where.c_str());
                cast::StreamReceiver receiver(listen, *key, cfg.latency_ms);
                failure = shown.receive_one(receiver);
            }
        };
        stop = [] { on_stop_signal(0); };
    } else {
        try {
            control = std::make_unique<cast::ReceiverControl>(
                cast::ReceiverControlOptions{listen, cfg.certificate, cfg.private_key, cfg.name}, paired);
        } catch (const cast::CastError& e) {
            std::fprintf(stderr, "courtplay: %s\n", e.what());
            return 1;
        }
        paired.set_control(control.get());
        g_control.store(control.get());
        if (g_stop) control->stop();
        std::fprintf(stderr, "courtplay: receiver %s ready to pair on %s\n", cfg.name.c_str(), where.c_str());
        announcement = std::make_unique<cast::ReceiverAnnouncement>(cfg.name, listen.port);
        if (const auto problem = announcement->problem())
            std::fprintf(stderr, "courtplay: not announced on the network: %s; kiosks that list %s in [cast] receivers "
                                 "still reach it\n", problem->c_str(), where.c_str());
        work = [&] { control->run(); };
        stop = [&] { control->stop(); };
    }
    // As courtplay-receiver.service (Type=notify): ready now that it listens; the watchdog is fed
    // while the control loop turns (with a fixed key there is none: while the process runs).
    ServiceNotifier service;
    service.ready();
    auto each_turn = [&] {
        const Micros now = player::monotonic_now();
        if (!control || paired.turning(now)) service.alive(now);
    };
    if (screen) show_until_quit(*screen, shown, work, stop, each_turn);
    else wait_until_done(work, each_turn);
    service.stopping();
    g_control.store(nullptr);
    control.reset();

    const Micros ended_at = player::monotonic_now();
    frame_log.reset();
    int code = 0;
    if (!failure.empty()) {
        std::fprintf(stderr, "courtplay: %s\n", failure.c_str());
        code = 1;
    }
    std::lock_guard lock(shown.stats_lock);
    if (!options.stats.empty() && !write_receiver_stats(options.stats, shown.stats, sound, process_start, ended_at)) {
        std::fprintf(stderr, "courtplay: cannot write the stats file %s: %s\n", options.stats.c_str(), std::strerror(errno));
        if (code == 0) code = 1;
    }
    return code;
}

}  // namespace courtplay::kiosk
