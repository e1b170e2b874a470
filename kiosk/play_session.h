// `courtplay play`: plays one clip from start to end (or `quit`), on a window or --headless, driven
// by the keyboard or a --commands script, writing the frame log and stats it is asked for.
#pragma once

#include "cast/stream_format.h"
#include "kiosk/controls.h"
#include "kiosk/evidence_badge.h"
#include "player/source.h"
#include "watermark/watermark.h"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace courtplay::kiosk {

struct PlayOptions {
    std::string input;      // a file, or an https:// address (kiosk/play_stream.h)
    std::string ca_file;    // https: the CA (PEM) to trust instead of the system's bundle
    std::string access_token_file;  // https: a file holding a bearer token to send
    bool headless = false;
    bool fullscreen = false;
    bool audio = true;
    std::string commands;   // script file
    std::string frame_log;
    std::string audio_log;
    std::string stats;
    std::string segment;    // "IN:OUT" in seconds
    bool verbose = false;
    // Burned into every frame an output shows (docs/watermark.md); `play` fills in a default text.
    watermark::WatermarkOptions watermark;
    std::string dump_presented;  // folder for every dump_every-th presented frame, as PNG
    int dump_every = 1;
    // Also send the watermarked pictures and the sound to a receiver (docs/cast.md): HOST:PORT,
    // with the stream key from an owner-only file (until pairing gives it).
    std::string cast_srt;
    std::string stream_key_file;
    // Or, from `session --cast` once a receiver is paired: where the stream goes, its key, and the
    // screen as the audit trail names it.
    struct PairedCast {
        cast::HostPort receiver;
        cast::StreamKey key;
        std::string display;      // "courtroom screen <name> at HOST:PORT"
        std::string certified_as; // the receiver's certificate's common name
        // Why the receiver ended the cast or went away (the control channel), once it has.
        std::function<std::optional<std::string>()> receiver_ended;
    };
    std::optional<PairedCast> paired_cast;
};

// Exit codes: 0 normal end, 2 bad arguments, 3 input that cannot be opened or decoded, 1 other;
// streaming also 5, the server unreachable or its certificate not verified (docs/play.md).
int run_play(const PlayOptions& options);

// Another thread's reason to stop playback at once (the share was revoked or expired).
class StopRequest {
public:
    void request(const std::string& why);
    std::optional<std::string> reason() const;
    void set_wake(std::function<void()> wake);  // how the playback loop is woken; set while it runs

private:
    mutable std::mutex lock_;  // guards both members
    std::optional<std::string> reason_;
    std::function<void()> wake_;
};

// Checks the arguments (script, segment, output files) without playing: 0, or 2 after saying
// what is wrong. A session calls it before asking the network for anything.
int check_play_options(const PlayOptions& options);
// Plays the clip `open` gives (it throws player::OpenError when it cannot); run_play opens
// options.input. Stops at once when `stop` (optional) is requested, and returns 4 then. `badge`
// (optional) says on screen whether the clip is verified; it is asked every turn of the loop.
// `journal` (optional) records the opening, every control and the closing, each before it takes
// effect; when it cannot, playback stops and play_clip returns 7.
int play_clip(const PlayOptions& options, const std::function<std::unique_ptr<player::Source>()>& open,
              StopRequest* stop, const BadgeSource& badge = {}, PlaybackJournal* journal = nullptr);

}  // namespace courtplay::kiosk
