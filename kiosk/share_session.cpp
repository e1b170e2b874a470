#include "kiosk/share_session.h"

#include "auth/court_time.h"
#include "auth/share_service.h"
#include "auth/share_watch.h"
#include "player/errors.h"
#include "player/https_source.h"

extern "C" {
#include <libavutil/error.h>
}

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

namespace courtplay::kiosk {
namespace {
constexpr int kBadArguments = 2, kBadMedia = 3, kRefused = 4, kNetwork = 5;
using player::HttpsSource;

// "cl_abc" by id, "2" as the second clip listed. Null when there is no such clip.
const auth::GrantClip* pick_clip(const auth::Grant& g, const std::string& wanted) {
    if (g.clips.empty()) return nullptr;
    if (wanted.empty()) return &g.clips.front();
    if (const auth::GrantClip* by_id = g.find_clip(wanted)) return by_id;
    if (wanted.size() <= 4 && std::all_of(wanted.begin(), wanted.end(), ::isdigit)) {
        const size_t n = std::stoul(wanted);
        if (n >= 1 && n <= g.clips.size()) return &g.clips[n - 1];
    }
    return nullptr;
}

std::string segment_text(const auth::Segment& s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f:%.3f", s.in_ms / 1000.0, s.out_ms / 1000.0);
    return buf;
}

int refused(const auth::Refusal& r) {
    std::fprintf(stderr, "courtplay: share refused: %s\n", r.message.c_str());
    return kRefused;
}

// The exit code and message for a stream that failed: not the original, TLS, or a refusal.
int stream_failed(const HttpsSource::Status& st, const std::string& title) {
    if (st.verification == HttpsSource::Verification::failed || st.error == AVERROR_INVALIDDATA) {
        std::fprintf(stderr, "courtplay: clip \"%s\": %s. It will not be played. Tell court IT.\n", title.c_str(),
                     st.reason.c_str());
        return kBadMedia;
    }
    std::fprintf(stderr, "courtplay: clip \"%s\": %s\n", title.c_str(), st.reason.c_str());
    return st.error == AVERROR(EPROTO) ? kNetwork : kRefused;
}

// The player reads the session's stream through this, so the stream outlives the player and its
// state can still be read once playback is over.
class Borrowed final : public player::Source {
public:
    explicit Borrowed(player::Source& s) : s_(s) {}
    int read(uint8_t* buf, int size) override { return s_.read(buf, size); }
    int64_t seek_to(int64_t offset) override { return s_.seek_to(offset); }
    int64_t size() const override { return s_.size(); }
    std::string name() const override { return s_.name(); }
    void interrupt() override { s_.interrupt(); }

private:
    player::Source& s_;
};

// Says on stderr when the link to the service drops and comes back, and gives up on a service
// that stays unreachable while the clip is still being verified (nothing is on screen yet then;
// during playback the stream keeps trying and playback resumes on its own).
class LinkMonitor {
public:
    LinkMonitor(HttpsSource& stream, std::chrono::seconds give_up)
        : stream_(stream), give_up_(give_up), thread_([this] { run(); }) {}
    ~LinkMonitor() {
        done_ = true;
        thread_.join();
    }
    void playing() { playing_ = true; }
    bool gave_up() const { return gave_up_; }

private:
    void run() {
        using namespace std::chrono;
        auto last = HttpsSource::Link::streaming;
        steady_clock::time_point down_since{};
        while (!done_) {
            const HttpsSource::Status st = stream_.status();
            if (st.link != last) {
                if (st.link == HttpsSource::Link::reconnecting) {
                    std::fprintf(stderr, "courtplay: %s\n", st.reason.c_str());
                    down_since = steady_clock::now();
                } else if (st.link == HttpsSource::Link::streaming) {
                    std::fprintf(stderr, "courtplay: reconnected to the share service\n");
                }
                last = st.link;
            }
            if (st.link == HttpsSource::Link::reconnecting && !playing_ && steady_clock::now() - down_since > give_up_) {
                gave_up_ = true;
                stream_.interrupt();
                return;
            }
            std::this_thread::sleep_for(milliseconds(100));
        }
    }

    HttpsSource& stream_;
    const std::chrono::seconds give_up_;
    std::atomic<bool> done_{false}, playing_{false}, gave_up_{false};
    std::thread thread_;  // last: starts once the members it reads exist
};

// Reads the whole clip through the stream once, so that its SHA-256 is proven before a single
// frame of it is shown. Memory stays bounded by the stream's window. Returns 0 or an exit code.
int prove_original(HttpsSource& stream, const LinkMonitor& monitor, const std::string& title) {
    std::vector<uint8_t> buf(1 << 20);
    int64_t done = 0;
    int reported = -1;
    for (;;) {
        const int n = stream.read(buf.data(), static_cast<int>(buf.size()));
        if (n == 0) break;
        if (n < 0) {
            if (monitor.gave_up()) {
                std::fprintf(stderr, "courtplay: the share service could not be reached while checking clip \"%s\"\n",
                             title.c_str());
                return kNetwork;
            }
            return stream_failed(stream.status(), title);
        }
        done += n;
        const int percent = static_cast<int>(done * 100 / std::max<int64_t>(1, stream.size()));
        if (percent / 10 != reported / 10) {
            std::fprintf(stderr, "courtplay: checking clip \"%s\": %d%%\n", title.c_str(), percent);
            reported = percent;
        }
    }
    const HttpsSource::Status st = stream.status();
    if (st.verification != HttpsSource::Verification::verified) return stream_failed(st, title);
    stream.seek_to(0);
    return 0;
}
}  // namespace

int run_session(const SessionOptions& options) {
    PlayOptions play = options.play;
    play.segment.clear();
    if (int bad = check_play_options(play)) return bad;
    try {
        const config::KioskConfig cfg = config::load_kiosk_config(options.config);
        auth::ShareService service(cfg);
        auth::RedeemOutcome out = service.redeem(options.token, auth::unix_now());
        if (out.refusal) return refused(*out.refusal);
        const auth::Redemption& share = *out.redemption;

        const auth::GrantClip* clip = pick_clip(share.grant, options.clip);
        if (!clip)
            return refused({"clip_not_granted", "This share has no clip \"" + options.clip + "\"; it has " +
                                                    std::to_string(share.grant.clips.size()) + " (numbered from 1)."});
        if (auto r = auth::check_clip(share.grant, clip->id, true, false, false)) return refused(*r);

        // Streamed over HTTPS with the grant's access token; nothing of the clip touches the disk.
        HttpsSource stream({.url = clip->url,
                            .bearer = share.access_token,
                            .name = clip->title,
                            .ca_file = cfg.service.ca_file,
                            .spki_pin = cfg.service.spki_pin,
                            .timeout_s = cfg.service.timeout_s,
                            .expected_bytes = clip->bytes,
                            .expected_sha256 = clip->sha256});
        LinkMonitor monitor(stream, std::chrono::seconds(2 * cfg.service.timeout_s));
        if (int failed = prove_original(stream, monitor, clip->title)) return failed;
        monitor.playing();
        std::fprintf(stderr, "courtplay: %s share %s, case %s: clip \"%s\" verified (SHA-256 %s)\n",
                     auth::party_banner(share.grant.party), share.grant.share_id.c_str(), share.grant.case_ref.c_str(),
                     clip->title.c_str(), clip->sha256.c_str());

        if (clip->segment) play.segment = segment_text(*clip->segment);
        play.input = clip->title;
        StopRequest stop;
        auth::ShareWatch watch(service, share, std::chrono::seconds(cfg.service.status_poll_s),
                               [&stop](const auth::Refusal& why) { stop.request(why.message); });
        const int code = play_clip(play, [&] { return std::make_unique<Borrowed>(stream); }, &stop);
        // Playback that ended because the stream failed says why, with the stream's exit code.
        const HttpsSource::Status st = stream.status();
        if (code != kRefused && st.link == HttpsSource::Link::failed) return stream_failed(st, clip->title);
        return code;
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return kBadArguments;
    } catch (const auth::NetworkError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return kNetwork;
    } catch (const player::OpenError& e) {
        std::fprintf(stderr, "courtplay: cannot play %s: %s\n", e.clip().c_str(), e.reason().c_str());
        return kBadMedia;
    }
}

}  // namespace courtplay::kiosk
