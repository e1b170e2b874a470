#include "kiosk/play_session.h"

#include "audit/event.h"
#include "audit/journal.h"
#include "cast/cast_sender.h"
#include "files/posix_file.h"
#include "files/thread_name.h"
#include "kiosk/command_script.h"
#include "kiosk/controls.h"
#include "kiosk/court_screens.h"
#include "kiosk/exit_codes.h"
#include "kiosk/play_stream.h"
#include "kiosk/presented_dump.h"
#include "kiosk/process_clock.h"
#include "kiosk/screen.h"
#include "kiosk/stats_report.h"
#include "kiosk/timecode.h"
#include "player/errors.h"
#include "player/frame_log.h"
#include "watermark/mark_stage.h"

#include <SDL.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace courtplay::kiosk {
namespace {

using player::Micros;
using player::kNoTime;

using files::FilePtr;

Micros seconds(double s) { return static_cast<Micros>(s * 1e6 + (s >= 0 ? 0.5 : -0.5)); }

// Wakes the headless loop when a decoder has a frame ready or a deadline passes.
class Wakeup {
public:
    void notify() {
        {
            std::lock_guard lock(mutex_);
            pending_ = true;
        }
        cv_.notify_one();
    }
    void wait_for(Micros us) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, std::chrono::microseconds(us), [&] { return pending_; });
        pending_ = false;
    }

private:
    std::mutex mutex_;  // guards pending_
    std::condition_variable cv_;
    bool pending_ = false;
};

// Runs script commands once they are due; returns false at `quit`.
class ScriptRunner {
public:
    explicit ScriptRunner(std::vector<ScriptCommand> commands) : commands_(std::move(commands)) {}

    // `court` is where blank and show act: null when nothing goes to the court's screens.
    bool run_due(Controls& c, CourtScreens* court, Micros since_first_frame, Micros now) {
        using K = ScriptCommand::Kind;
        for (; next_ < commands_.size() && seconds(commands_[next_].at) <= since_first_frame; ++next_) {
            const ScriptCommand& cmd = commands_[next_];
            switch (cmd.kind) {
            case K::Blank:
            case K::Show:
                if (court) court->set_blank(cmd.kind == K::Blank, c.player().state(now).position);
                else std::fprintf(stderr, "courtplay: commands line %d: nothing goes to the court's screens\n", cmd.line);
                break;
            case K::Pause: c.pause(now); break;
            case K::Play: c.play(now); break;
            case K::Seek: c.seek(seconds(cmd.a), now); break;
            case K::Step: c.step(now); break;
            case K::Back: c.back(now); break;
            case K::Rate: c.set_rate(cmd.a, now); break;
            case K::Volume: c.set_volume(static_cast<float>(cmd.a)); break;
            case K::Mute: c.set_muted(true); break;
            case K::Unmute: c.set_muted(false); break;
            case K::Jump: c.jump(seconds(cmd.a), now); break;
            case K::Loop: c.set_loop(seconds(cmd.a), seconds(cmd.b), now); break;
            case K::LoopOff: c.clear_loop(now); break;
            case K::Quit: return false;
            }
        }
        return true;
    }
    // Time until the next command is due, from `since_first_frame`.
    Micros until_next(Micros since_first_frame) const {
        if (next_ >= commands_.size()) return INT64_MAX;
        return std::max<Micros>(0, seconds(commands_[next_].at) - since_first_frame);
    }

private:
    std::vector<ScriptCommand> commands_;
    size_t next_ = 0;
};

// Keyboard controls of the window: true to keep playing.
bool handle_key(const SDL_KeyboardEvent& key, Controls& c, Screen& screen, Micros now) {
    const bool shift = key.keysym.mod & KMOD_SHIFT;
    const player::PlayerState s = c.player().state(now);
    switch (key.keysym.sym) {
    case SDLK_SPACE: s.paused ? c.play(now) : c.pause(now); break;
    case SDLK_RIGHT: c.jump(shift ? 30000000 : 5000000, now); break;
    case SDLK_LEFT: c.jump(shift ? -30000000 : -5000000, now); break;
    case SDLK_UP: c.jump(30000000, now); break;
    case SDLK_DOWN: c.jump(-30000000, now); break;
    case SDLK_PERIOD: c.step(now); break;
    case SDLK_COMMA: c.back(now); break;
    case SDLK_RIGHTBRACKET: c.set_rate(s.rate * 2, now); break;
    case SDLK_LEFTBRACKET: c.set_rate(s.rate / 2, now); break;
    case SDLK_BACKSPACE: c.set_rate(1.0, now); break;
    case SDLK_EQUALS: c.set_volume(s.volume + 0.1f); break;
    case SDLK_MINUS: c.set_volume(s.volume - 0.1f); break;
    case SDLK_m: c.set_muted(!s.muted); break;
    case SDLK_f: screen.toggle_fullscreen(); break;
    case SDLK_ESCAPE:
    case SDLK_q: return false;
    default: break;
    }
    screen.show_osd(SDL_GetTicks() + 3000);
    return true;
}

FilePtr open_output(const std::string& path, const char* what) {
    if (path.empty()) return nullptr;
    FilePtr f(std::fopen(path.c_str(), "w"));
    if (!f) throw std::invalid_argument(std::string("cannot write the ") + what + " " + path + ": " + std::strerror(errno));
    return f;
}

std::string dump_display(const PlayOptions& options) {
    return "frame pictures (PNG, every " + std::to_string(options.dump_every) + ") in " + options.dump_presented;
}

// A cast as the audit trail names it: the screen, and who its certificate says it is.
nlohmann::json cast_display(const PlayOptions& options) {
    if (!options.paired_cast) return {{"display", "cast receiver at " + options.cast_srt}};
    return {{"display", options.paired_cast->display},
            {"receiver", options.paired_cast->certified_as},
            {"address", options.paired_cast->receiver.host + ":" + std::to_string(options.paired_cast->receiver.port)}};
}

bool parse_segment(const std::string& text, player::PlayerOptions& o) {
    double in = 0, out = 0;
    char colon = 0;
    std::istringstream s(text);
    if (!(s >> in >> colon >> out) || colon != ':' || in < 0 || out <= in || !s.eof()) return false;
    o.segment_in = seconds(in);
    o.segment_out = seconds(out);
    return true;
}

}  // namespace

void StopRequest::request(const std::string& why) {
    // Woken under the lock, so the loop's wake target cannot be gone by the time it is called.
    std::lock_guard lock(lock_);
    if (!reason_) reason_ = why;
    if (wake_) wake_();
}

std::optional<std::string> StopRequest::reason() const {
    std::lock_guard lock(lock_);
    return reason_;
}

void StopRequest::set_wake(std::function<void()> wake) {
    std::lock_guard lock(lock_);
    wake_ = std::move(wake);
}

namespace {
struct CheckedArguments {
    std::vector<ScriptCommand> script;
    FilePtr frame_log, audio_log;
    player::PlayerOptions player;
    std::unique_ptr<PresentedDump> dump;
    std::unique_ptr<watermark::Watermark> watermark;  // when anything is shown: a window, a dump, a cast
    std::optional<cast::HostPort> cast_to;
    std::optional<cast::StreamKey> cast_key;
};

// Both observers of the sound as heard: the audio log and the cast (device thread).
class AudioFanout final : public player::AudioObserver {
public:
    void add(player::AudioObserver* o) { if (o) observers_.push_back(o); }
    bool empty() const { return observers_.empty(); }
    void on_audio(const float* samples, int frames, const player::AudioFormat& format, Micros media, double rate,
                  Micros heard_at) override {
        for (auto* o : observers_) o->on_audio(samples, frames, format, media, rate, heard_at);
    }

private:
    std::vector<player::AudioObserver*> observers_;  // set before the player starts
};

// Arguments first: a mistake there must not wait for the clip to open. Prints and returns false.
bool check_arguments(const PlayOptions& options, CheckedArguments& out) {
    out.player.audio = options.audio;
    try {
        if (!options.commands.empty()) {
            std::ifstream in(options.commands);
            if (!in) throw std::invalid_argument("cannot read the commands file " + options.commands);
            std::stringstream text;
            text << in.rdbuf();
            out.script = parse_script(text.str());
        }
        if (!options.segment.empty() && !parse_segment(options.segment, out.player))
            throw std::invalid_argument("--segment must be IN:OUT in seconds with IN < OUT, e.g. 10:25.5");
        out.frame_log = open_output(options.frame_log, "frame log");
        out.audio_log = open_output(options.audio_log, "audio log");
        // Line by line: a log can be followed while the clip plays, and a player killed mid-clip
        // leaves a line for every frame it showed (a full buffer was some 70 lines behind).
        for (std::FILE* f : {out.frame_log.get(), out.audio_log.get()})
            if (f) std::setvbuf(f, nullptr, _IOLBF, 0);
        if (!options.stats.empty()) open_output(options.stats, "stats file");
        if (!options.dump_presented.empty()) out.dump = std::make_unique<PresentedDump>(options.dump_presented, options.dump_every);
        if (options.paired_cast) {
            out.cast_to = options.paired_cast->receiver;
            out.cast_key = options.paired_cast->key;
        } else if (!options.cast_srt.empty()) {
            if (options.stream_key_file.empty())
                throw std::invalid_argument("--cast-srt needs --stream-key-file: a cast is never sent unencrypted");
            out.cast_to = cast::parse_host_port(options.cast_srt, "--cast-srt");
            out.cast_key = cast::read_stream_key_file(options.stream_key_file);
        } else if (!options.stream_key_file.empty()) {
            throw std::invalid_argument("--stream-key-file is for --cast-srt");
        }
        if (!options.headless || out.dump || out.cast_to) out.watermark = std::make_unique<watermark::Watermark>(options.watermark);
        return true;
    } catch (const watermark::FontError& e) {
        std::fprintf(stderr, "courtplay: %s. Nothing is shown without its watermark.\n", e.what());
    } catch (const ScriptError& e) {
        std::fprintf(stderr, "courtplay: commands file %s, %s\n", options.commands.c_str(), e.what());
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
    } catch (const cast::CastError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
    }
    return false;
}
// The clip's pipeline as the opening thread makes it. What the player's threads call into (the
// audio log, the cast) is declared before the player, so it is still there while they stop.
struct Pipeline {
    std::unique_ptr<player::AudioLog> audio_sink;
    std::unique_ptr<cast::CastSender> caster;
    AudioFanout heard;
    std::unique_ptr<player::Player> player;
    int failure = 0;      // an exit code when it could not be made, and then...
    std::string message;  // ...the one line that says why (printed by the main thread)
};

// Opens the clip and starts decoding: what the window used to wait for. Runs on its own thread
// while the main thread makes the window; it touches nothing the main thread touches before the join.
void start_pipeline(const PlayOptions& options, CheckedArguments& args,
                    const std::function<std::unique_ptr<player::Source>()>& open,
                    const player::AudioOutputFactory& audio_factory, const std::optional<player::AudioFormat>& heard_format,
                    const std::function<void()>& wake, PlaybackJournal* journal, Pipeline& out) {
    try {
        out.player = std::make_unique<player::Player>(open(), args.player, audio_factory);
    } catch (const player::OpenError& e) {
        out.failure = exit_code::bad_media;
        out.message = "courtplay: cannot play " + e.clip() + ": " + e.reason();
        return;
    }
    player::Player& p = *out.player;
    p.set_wake(wake);
    if (args.audio_log) out.audio_sink = std::make_unique<player::AudioLog>(args.audio_log.get());
    // The cast connects before anything plays: a receiver that is not there, or that refuses the
    // key, is said at once rather than after the clip has started.
    if (args.cast_to) {
        cast::CastOptions co{*args.cast_to, *args.cast_key};
        co.frame_rate = p.clip().frame_rate;
        co.audio = heard_format;
        try {
            out.caster = std::make_unique<cast::CastSender>(co);
        } catch (const cast::CastError& e) {
            out.failure = exit_code::network;
            out.message = std::string("courtplay: ") + e.what();
            return;
        }
    }
    out.heard.add(out.audio_sink.get());
    out.heard.add(out.caster.get());
    if (!out.heard.empty()) p.set_audio_observer(&out.heard);
    // Log before act: the clip, its playing and the screen it goes to are on record, durably,
    // before the pipeline decodes its first frame.
    const Micros opened_at = player::monotonic_now();
    const Micros start_position = p.state(opened_at).position;
    try {
        if (journal) {
            journal->record(audit::event_type::clip_opened, start_position,
                            {{"duration_ms", std::max<Micros>(0, p.state(opened_at).duration) / 1000}});
            journal->record(audit::event_type::play, start_position);
            if (!options.headless)
                journal->record(audit::event_type::output_started, start_position,
                                {{"display", options.fullscreen ? "main screen, full screen" : "main screen, window"}});
            if (args.dump)
                journal->record(audit::event_type::output_started, start_position,
                                {{"display", dump_display(options)}});
            if (out.caster) journal->record(audit::event_type::output_started, start_position, cast_display(options));
        }
    } catch (const audit::JournalError& e) {
        out.failure = exit_code::audit;
        out.message = std::string("courtplay: ") + e.what() + ". The clip is not played.";
        return;
    }
    p.start();
}
}  // namespace

int check_play_options(const PlayOptions& options) {
    CheckedArguments unused;
    return check_arguments(options, unused) ? 0 : exit_code::bad_arguments;
}

int run_play(const PlayOptions& options) {
    if (is_network_address(options.input)) return play_stream(options);
    if (!options.ca_file.empty() || !options.access_token_file.empty()) {
        std::fprintf(stderr, "courtplay: --ca-file and --access-token-file are for https:// addresses, and %s is a file\n",
                     options.input.c_str());
        return exit_code::bad_arguments;
    }
    PlayOptions o = options;
    if (o.watermark.text.empty()) {
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        o.watermark.text = std::string("LOCAL PLAYBACK \u00b7 ") + host;
    }
    return play_clip(o, [&] { return player::open_file_source(o.input); }, nullptr);
}

int play_clip(const PlayOptions& options, const std::function<std::unique_ptr<player::Source>()>& open,
              StopRequest* stop, const BadgeSource& badge, PlaybackJournal* journal) {
    const Micros process_start = process_start_time();
    CheckedArguments args;
    if (!check_arguments(options, args)) return exit_code::bad_arguments;
    std::vector<ScriptCommand>& script = args.script;
    FilePtr& frame_log = args.frame_log;
    FilePtr& audio_log = args.audio_log;
    if (args.dump)
        std::fprintf(stderr,
                     "courtplay: writing presented frames into %s: unencrypted pictures of the evidence, for checks; "
                     "delete them when done\n",
                     options.dump_presented.c_str());

    if (!options.verbose) av_log_set_level(AV_LOG_QUIET);  // one clear line of our own instead

    // The clip opens, and starts decoding, on its own thread while SDL and the window are made:
    // one after the other they cost about twice the time to the first frame (docs/benchmarks.md,
    // "Time to first frame"). The objects the pipeline's threads use are declared before it.
    struct SdlQuit { bool started = false; ~SdlQuit() { if (started) SDL_Quit(); } } sdl_quit;  // after the pipeline is gone
    std::promise<bool> sdl_sound;  // the device is opened on the opening thread, once SDL's sound runs (or cannot)
    std::shared_future<bool> sdl_sound_ready = sdl_sound.get_future().share();
    std::atomic<Uint32> wake_event{0};  // 0 until SDL's events run: the loop looks at the player before it waits
    Wakeup wakeup;
    std::function<void()> wake = [&wakeup] { wakeup.notify(); };
    if (!options.headless)
        wake = [&wake_event] {
            SDL_Event e{};
            e.type = wake_event.load();
            if (e.type) SDL_PushEvent(&e);
        };
    if (stop) stop->set_wake(wake);
    struct ForgetWake { StopRequest* s; ~ForgetWake() { if (s) s->set_wake(nullptr); } } forget_wake{stop};

    std::optional<player::AudioFormat> heard_format;  // what the device takes: the cast encodes that
    player::AudioOutputFactory audio_factory = [&](player::AudioFormat wanted) -> std::unique_ptr<player::AudioOutput> {
        std::unique_ptr<player::AudioOutput> out;
        if (!options.headless && sdl_sound_ready.get()) out = player::open_sdl_output(wanted);
        if (!out) out = player::open_silent_output(wanted);  // no sound card: the clock still runs in real time
        heard_format = out->format();
        return out;
    };
    Pipeline pipeline;
    std::unique_ptr<Screen> screen;
    {
        std::jthread opening;
        if (options.headless)
            start_pipeline(options, args, open, audio_factory, heard_format, wake, journal, pipeline);
        else
            opening = std::jthread([&] {
                files::name_this_thread("clip-open");
                start_pipeline(options, args, open, audio_factory, heard_format, wake, journal, pipeline);
            });
        std::string no_window;  // said after the opening thread is done, whose own failure comes first
        if (!options.headless) {
            // Sound first, on its own (well under a millisecond here): the opening thread can then
            // open the device while the video starts, which takes some 40 ms (the X connection),
            // rather than after it (the two share only SDL's event queue, which has its own lock).
            // Without SDL's sound the sound is silent, as without a device.
            const bool sound = SDL_Init(SDL_INIT_AUDIO) == 0;
            sdl_quit.started = sound;
            sdl_sound.set_value(sound);
            const bool sdl_ok = SDL_InitSubSystem(SDL_INIT_VIDEO) == 0;
            if (!sdl_ok) {
                no_window = std::string("courtplay: no display to play on (") + SDL_GetError() +
                            "); use --headless to play without one";
            } else {
                sdl_quit.started = true;
                wake_event = SDL_RegisterEvents(1);
                try {
                    screen = std::make_unique<Screen>(ScreenOptions{"courtplay - " + options.input, options.fullscreen});
                } catch (const std::exception& e) {
                    no_window = std::string("courtplay: ") + e.what() + "; use --headless to play without a display";
                }
            }
        }
        if (opening.joinable()) opening.join();
        if (pipeline.failure || !no_window.empty()) {
            std::fprintf(stderr, "%s\n", pipeline.failure ? pipeline.message.c_str() : no_window.c_str());
            pipeline.player.reset();  // its threads call into the cast and the logs
            screen.reset();
            return pipeline.failure ? pipeline.failure : 1;
        }
    }
    player::Player* const p = pipeline.player.get();
    cast::CastSender* const caster = pipeline.caster.get();
    if (screen) screen->set_clip(p->clip());

    // Every output reads the watermark stage, never the decoder; the frame log reads the decoder.
    watermark::MarkStage stage;
    if (args.watermark) stage.add_mark(args.watermark.get());
    if (screen) {
        stage.add_output(screen.get());
        screen->keep_clear_of(args.watermark.get());
    }
    if (args.dump) stage.add_output(args.dump.get());
    // The court's screens get the marked picture through the gate that can blank them.
    CourtScreens court(journal, caster ? cast_display(options)["display"].get<std::string>() : std::string());
    if (caster) {
        court.add(caster);
        stage.add_output(&court);
    }
    if (stage.has_outputs()) p->add_sink(&stage);
    std::unique_ptr<player::FrameLog> frame_sink;
    if (frame_log) {
        frame_sink = std::make_unique<player::FrameLog>(frame_log.get());
        p->add_sink(frame_sink.get());
    }

    Controls controls(*p, journal);
    std::optional<std::string> journal_failure;  // the journal failed: playback stops (fail closed)
    ScriptRunner runner(std::move(script));
    const bool has_video = !p->clip().video_codec.empty();
    const Micros sound_only_start = player::monotonic_now();
    bool running = true;
    EvidenceBadge shown_badge;
    Micros waiting_since = kNoTime;  // playback waits for the clip's bytes (said on stderr)
    bool quitting = false;  // `quit` waits for the controls before it to take effect
    std::optional<std::string> cast_failure;  // said once, when it happens; local playback goes on
    try {
        while (running && !p->ended()) {
            if (stop && stop->reason()) break;
            Micros now = player::monotonic_now();
            // Script time counts from the first frame on screen (for a clip with no picture, from the start).
            Micros first = has_video ? p->stats().first_frame_at : sound_only_start;
            Micros until_command = INT64_MAX;
            if (first != kNoTime && !quitting) {
                quitting = !runner.run_due(controls, court.empty() ? nullptr : &court, now - first, now);
                until_command = runner.until_next(now - first);
            }
            Micros wait = std::min(p->tick(now), until_command);
            if (const player::PlayerState st = p->state(now); st.waiting != (waiting_since != kNoTime)) {
                // A stream that stopped delivering: playback holds on the frame on screen (the
                // badge says why) and goes on from the next one by itself. Court IT see both here.
                if (st.waiting) {
                    waiting_since = now;
                    std::fprintf(stderr, "courtplay: playback waits at %s: the rest of the clip has not arrived yet\n",
                                 format_media_time(st.position).c_str());
                } else {
                    const double waited = static_cast<double>(now - waiting_since) / 1e6;
                    // A pause, a seek or the end also ends a wait: then playback did not go on.
                    const char* instead = st.ended ? "the clip ended" : st.paused ? "paused" : st.seeking ? "a seek" : nullptr;
                    if (instead)
                        std::fprintf(stderr, "courtplay: playback stopped waiting at %s after %.1f s: %s\n",
                                     format_media_time(st.position).c_str(), waited, instead);
                    else
                        std::fprintf(stderr, "courtplay: playback continues at %s after waiting %.1f s\n",
                                     format_media_time(st.position).c_str(), waited);
                    waiting_since = kNoTime;
                }
            }
            if (p->ended() || (quitting && !p->busy())) break;
            if (caster && !cast_failure && options.paired_cast && options.paired_cast->receiver_ended)
                if (std::optional<std::string> why = options.paired_cast->receiver_ended()) caster->abandon(*why);
            if (caster && !cast_failure && (cast_failure = caster->failure()))
                std::fprintf(stderr, "courtplay: the cast to %s stopped: %s\n", caster->receiver_text().c_str(),
                             cast_failure->c_str());
            stage.refresh();  // the watermark's clock moves on while paused too
            if (!screen) {
                if (wait > 0) wakeup.wait_for(wait);
                continue;
            }
            screen->set_state(p->state(now));
            bool redraw = false;
            if (badge) {
                EvidenceBadge b = badge();
                redraw = !(b == shown_badge);  // while paused no frame comes to carry the change
                if (redraw) screen->set_badge(shown_badge = std::move(b));
            }
            SDL_Event event;
            int timeout_ms = static_cast<int>(std::clamp<Micros>((wait + 999) / 1000, 0, 100));
            if (SDL_WaitEventTimeout(&event, timeout_ms)) {
                do {
                    if (event.type == wake_event) continue;
                    if (event.type == SDL_QUIT) running = false;
                    screen->handle(event);
                    if (event.type == SDL_KEYDOWN && !handle_key(event.key, controls, *screen, player::monotonic_now()))
                        running = false;
                    if (event.type == SDL_WINDOWEVENT || event.type == SDL_KEYDOWN) redraw = true;
                } while (SDL_PollEvent(&event));
            }
            if (redraw || (p->state(now).paused && timeout_ms >= 100)) {
                screen->set_state(p->state(player::monotonic_now()));
                screen->redraw();
            }
        }
    } catch (const audit::JournalError& e) {
        journal_failure = e.what();
    }
    const Micros ended_at = player::monotonic_now();
    const player::PlayerState last_state = p->state(ended_at);
    const player::PlaybackStats stats = p->stats();
    pipeline.player.reset();  // stop the pipeline before the logs it writes to are closed
    nlohmann::json extra_stats = nlohmann::json::object();
    if (caster) {
        caster->finish();  // what is queued goes out, then the stream ends
        if (!cast_failure && (cast_failure = caster->failure()))
            std::fprintf(stderr, "courtplay: the cast to %s stopped: %s\n", caster->receiver_text().c_str(),
                         cast_failure->c_str());
        const cast::CastStats cs = caster->stats();
        extra_stats["cast"] = {{"pictures_sent", cs.pictures_sent},
                               {"pictures_dropped", cs.pictures_dropped},
                               {"audio_blocks_dropped", cs.audio_blocks_dropped},
                               {"bytes_sent", cs.bytes_sent},
                               {"failure", cast_failure ? nlohmann::json(*cast_failure) : nlohmann::json(nullptr)}};
        std::fprintf(stderr, "courtplay: cast to %s: %lld pictures sent, %lld dropped (encoder behind), %lld bytes\n",
                     caster->receiver_text().c_str(), static_cast<long long>(cs.pictures_sent),
                     static_cast<long long>(cs.pictures_dropped), static_cast<long long>(cs.bytes_sent));
    }
    frame_log.reset();
    audio_log.reset();
    const std::optional<std::string> dump_failure = args.dump ? args.dump->finish() : std::nullopt;

    int code = 0;
    if (journal && !journal_failure) {
        try {
            const Micros at = last_state.position;
            if (last_state.ended && last_state.segment_out != kNoTime)
                journal->record(audit::event_type::segment_boundary, at, {{"out_ms", last_state.segment_out / 1000}});
            if (last_state.ended) journal->record(audit::event_type::clip_ended, at);
            if (screen) journal->record(audit::event_type::output_stopped, at, {{"display", "main screen"}});
            if (args.dump) journal->record(audit::event_type::output_stopped, at, {{"display", dump_display(options)}});
            if (caster) journal->record(audit::event_type::output_stopped, at, cast_display(options));
            journal->record(audit::event_type::clip_closed, at);
        } catch (const audit::JournalError& e) {
            journal_failure = e.what();
        }
    }
    if (journal_failure) {
        std::fprintf(stderr, "courtplay: %s. Playback stopped: nothing is shown that is not on record.\n",
                     journal_failure->c_str());
        code = exit_code::audit;
    } else if (auto why = stop ? stop->reason() : std::nullopt) {
        std::fprintf(stderr, "courtplay: %s\n", why->c_str());
        code = exit_code::refused;
    } else if (has_video && stats.frames_presented == 0) {
        std::fprintf(stderr, "courtplay: cannot play %s: no picture in it could be decoded (the file is damaged)\n",
                     options.input.c_str());
        code = exit_code::bad_media;
    }
    if (dump_failure) {
        std::fprintf(stderr, "courtplay: --dump-presented: %s\n", dump_failure->c_str());
        if (code == 0) code = 1;
    }
    if (cast_failure && code == 0) code = exit_code::network;
    if (!options.stats.empty() && !write_stats(options.stats, stats, process_start, ended_at, extra_stats)) {
        std::fprintf(stderr, "courtplay: cannot write the stats file %s: %s\n", options.stats.c_str(), std::strerror(errno));
        if (code == 0) code = 1;
    }
    return code;
}

}  // namespace courtplay::kiosk
