#include "kiosk/share_steps.h"

#include "auth/court_time.h"
#include "config/watermark_template.h"
#include "kiosk/clip_cache.h"
#include "kiosk/exit_codes.h"
#include "kiosk/link_monitor.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace courtplay::kiosk {

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

watermark::WatermarkOptions watermark_for(const config::KioskConfig& cfg, const auth::Grant& g,
                                          const std::string& session_id) {
    watermark::WatermarkOptions w;
    w.text = config::fill_watermark_template(cfg.watermark.text_template,
                                             {{"party", auth::party_banner(g.party)},
                                              {"share_id", g.share_id},
                                              {"case_ref", g.case_ref},
                                              {"kiosk_id", cfg.kiosk_id},
                                              {"session_id", session_id},
                                              {"label", g.watermark},
                                              {"court", cfg.court},
                                              {"room", cfg.room}});
    w.move_every_s = cfg.watermark.move_every_s;
    w.opacity_percent = cfg.watermark.opacity_percent;
    return w;
}

std::optional<cache::EvidenceCache> open_cache(const config::KioskConfig& cfg, cache::PurgeSink& report) {
    try {
        std::optional<cache::EvidenceCache> c(std::in_place, cfg.cache, &report);
        c->purge_by_policy(auth::unix_now());
        return c;
    } catch (const cache::CacheError& e) {
        std::fprintf(stderr, "courtplay: the clip cache cannot be used (%s). Court IT must fix this.\n", e.what());
        return std::nullopt;
    }
}

auth::RedeemOutcome redeem_or_use_kept_grant(auth::ShareService& service, std::optional<cache::EvidenceCache>& cache,
                                             const std::string& token, bool& offline) {
    try {
        return service.redeem(token, auth::unix_now());
    } catch (const auth::NetworkError& e) {
        const std::optional<std::string> jws = cache ? cache->grant_for(token_digest(token)) : std::nullopt;
        if (!jws) throw;
        offline = true;
        auth::VerifiedGrant v = auth::verify_grant(*jws, service.trust(), service.check_at(auth::unix_now()));
        if (v.refusal) return {std::nullopt, v.refusal};
        std::fprintf(stderr,
                     "courtplay: %s. This share's clips are in the kiosk's cache and the grant kept with them checks, "
                     "so they play from the cache. Whether the share was withdrawn cannot be checked until the "
                     "network is back; the grant ends %s.\n",
                     e.what(), auth::uk_date_time(v.grant->expires_at).c_str());
        return {auth::Redemption{*v.grant, *jws, {}, {}}, std::nullopt};
    }
}

// Memory stays bounded by the stream's window.
int prove_original(player::HttpsSource& stream, const LinkMonitor& monitor, const std::string& title,
                   const Progress& progress) {
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
                return exit_code::network;
            }
            return report_stream_failure(stream.status(), title);
        }
        done += n;
        if (progress) progress(done, stream.size());
        const int percent = static_cast<int>(done * 100 / std::max<int64_t>(1, stream.size()));
        if (percent / 10 != reported / 10) {
            std::fprintf(stderr, "courtplay: checking clip \"%s\": %d%%\n", title.c_str(), percent);
            reported = percent;
        }
    }
    const player::HttpsSource::Status st = stream.status();
    if (st.verification != player::HttpsSource::Verification::verified) return report_stream_failure(st, title);
    stream.seek_to(0);
    return exit_code::ok;
}

void settle_cache_after_session(cache::EvidenceCache& cache, const config::KioskConfig& cfg,
                                const std::string& share_id, const std::optional<auth::Refusal>& ended) {
    if (ended && (ended->code == "revoked" || ended->code == "expired"))
        cache.purge_share(share_id, ended->code == "revoked" ? cache::PurgeReason::revoked : cache::PurgeReason::expired);
    else if (cfg.cache.keep_after_session_h == 0)
        cache.purge_share(share_id, cache::PurgeReason::session_ended);
    else
        cache.keep_share_until(share_id, auth::unix_now() + int64_t(cfg.cache.keep_after_session_h) * 3600);
}

}  // namespace courtplay::kiosk
