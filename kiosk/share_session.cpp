#include "kiosk/share_session.h"

#include "auth/base64url.h"
#include "auth/share_service.h"
#include "auth/share_watch.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace courtplay::kiosk {
namespace {
constexpr int kBadArguments = 2, kBadMedia = 3, kRefused = 4, kNetwork = 5;

int64_t unix_now() {
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

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
}  // namespace

int run_session(const SessionOptions& options) {
    PlayOptions play = options.play;
    play.segment.clear();
    if (int bad = check_play_options(play)) return bad;
    try {
        const config::KioskConfig cfg = config::load_kiosk_config(options.config);
        auth::ShareService service(cfg);
        auth::RedeemOutcome out = service.redeem(options.token, unix_now());
        if (out.refusal) return refused(*out.refusal);
        const auth::Redemption& share = *out.redemption;

        const auth::GrantClip* clip = pick_clip(share.grant, options.clip);
        if (!clip)
            return refused({"clip_not_granted", "This share has no clip \"" + options.clip + "\"; it has " +
                                                    std::to_string(share.grant.clips.size()) + " (numbered from 1)."});
        if (auto r = auth::check_clip(share.grant, clip->id, true, false, false)) return refused(*r);

        auth::ShareService::ClipBytes media = service.fetch_clip(share, *clip);
        if (media.refusal) return refused(*media.refusal);
        const auto digest = auth::sha256(media.bytes);
        const std::string actual = auth::hex(std::span<const uint8_t>(digest));
        if (actual != clip->sha256 || static_cast<int64_t>(media.bytes.size()) != clip->bytes) {
            std::fprintf(stderr,
                         "courtplay: clip \"%s\" is NOT the original evidence: its SHA-256 is %s but the share says %s. "
                         "It will not be played. Tell court IT.\n",
                         clip->title.c_str(), actual.c_str(), clip->sha256.c_str());
            return kBadMedia;
        }
        std::fprintf(stderr, "courtplay: %s share %s, case %s: clip \"%s\" verified (SHA-256 %s)\n",
                     auth::party_banner(share.grant.party), share.grant.share_id.c_str(), share.grant.case_ref.c_str(),
                     clip->title.c_str(), actual.c_str());

        if (clip->segment) play.segment = segment_text(*clip->segment);
        play.input = clip->title;
        StopRequest stop;
        auth::ShareWatch watch(service, share, std::chrono::seconds(cfg.service.status_poll_s),
                               [&stop](const auth::Refusal& why) { stop.request(why.message); });
        std::vector<uint8_t> bytes(media.bytes.begin(), media.bytes.end());
        media.bytes.clear();
        return play_clip(play, [&] { return player::open_memory_source(clip->title, std::move(bytes)); }, &stop);
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return kBadArguments;
    } catch (const auth::NetworkError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return kNetwork;
    }
}

}  // namespace courtplay::kiosk
