#include "kiosk/cache_commands.h"

#include "auth/court_time.h"
#include "auth/share_service.h"
#include "cache/evidence_cache.h"
#include "audit/event.h"
#include "kiosk/audit_trail.h"
#include "kiosk/clip_cache.h"
#include "kiosk/exit_codes.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>

namespace courtplay::kiosk {
namespace {

enum class Trail { none, required, if_possible };

// Runs `body` with the config, the cache and (as `trail` asks) the audit trail open, turning their
// errors into exit codes. The trail records what the cache does; without one, stderr says it.
int with_cache(const std::string& config_file, Trail trail,
               const std::function<int(const config::KioskConfig&, cache::EvidenceCache&, AuditTrail*)>& body) {
    try {
        const config::KioskConfig cfg = config::load_kiosk_config(config_file);
        std::unique_ptr<AuditTrail> audit;
        if (trail != Trail::none) {
            audit = open_audit_trail(cfg);
            if (!audit && trail == Trail::required) return exit_code::audit;
        }
        StderrPurgeReport report;
        cache::EvidenceCache cache(cfg.cache, audit ? static_cast<cache::PurgeSink*>(audit.get()) : &report);
        return body(cfg, cache, audit.get());
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::bad_arguments;
    } catch (const cache::CacheError& e) {
        std::fprintf(stderr, "courtplay: the clip cache cannot be used: %s\n", e.what());
        return exit_code::cache_storage;
    } catch (const auth::NetworkError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::network;
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: %s. Nothing more is fetched until the audit journal can be written.\n", e.what());
        return exit_code::audit;
    }
}

const char* state_word(const cache::CachedClip& c) {
    return c.damaged ? "damaged" : c.complete ? "verified" : "partial";
}
}  // namespace

int run_cache_prefetch(const std::string& config_file, const std::string& token) {
    return with_cache(config_file, Trail::required, [&](const config::KioskConfig& cfg, cache::EvidenceCache& cache,
                                                        AuditTrail* trail) {
        namespace type = audit::event_type;
        cache.purge_by_policy(auth::unix_now());
        auth::ShareService service(cfg);
        const auth::RedeemOutcome out = service.redeem(token, auth::unix_now());
        if (out.refusal) {
            trail->record(type::token_refused, std::nullopt, {{"reason", out.refusal->code}});
            if (out.refusal->code == "revoked" || out.refusal->code == "expired")
                cache.purge_token(token_digest(token), out.refusal->code == "revoked" ? cache::PurgeReason::revoked
                                                                                      : cache::PurgeReason::expired);
            std::fprintf(stderr, "courtplay: share refused: %s\n", out.refusal->message.c_str());
            return exit_code::refused;
        }
        const auth::Redemption& share = *out.redemption;
        trail->subject.share_id = share.grant.share_id;
        trail->subject.party = auth::party_name(share.grant.party);
        trail->record(type::token_redeemed, std::nullopt, {{"case", share.grant.case_ref}, {"for", "cache prefetch"}});
        trail->record(type::grant_verified, std::nullopt, {{"grant_id", share.grant.grant_id}, {"issuer", share.grant.issuer}});
        const std::string digest = token_digest(token);
        int worst = exit_code::ok, cached = 0;
        for (const auth::GrantClip& clip : share.grant.clips) {
            if (!clip.perms.cache) {
                std::fprintf(stderr, "courtplay: clip \"%s\" may not be cached on this kiosk (the share allows %s); "
                             "it can be streamed\n", clip.title.c_str(), auth::perms_csv(clip.perms).c_str());
                continue;
            }
            const int code = cache_clip(cache, clip_ref(share, clip, digest), stream_options(cfg, share, clip),
                                        cfg.service.timeout_s);
            if (code == exit_code::ok) {
                trail->subject.clip_id = clip.id;
                trail->subject.sha256 = clip.sha256;
                trail->record(type::cache_stored, std::nullopt, {{"bytes", clip.bytes}});
                ++cached;
            } else if (worst == exit_code::ok) {
                worst = code;
            }
        }
        if (worst == exit_code::ok && cached == 0) {
            std::fprintf(stderr, "courtplay: share refused: this share does not allow any of its clips to be cached; "
                         "they can be played streamed\n");
            return exit_code::refused;
        }
        return worst;
    });
}

int run_cache_list(const std::string& config_file, bool json) {
    return with_cache(config_file, Trail::none, [&](const config::KioskConfig&, cache::EvidenceCache& cache, AuditTrail*) {
        const std::vector<cache::CachedClip> clips = cache.list();
        int64_t used = 0;
        for (const auto& c : clips) used += c.stored_bytes;
        if (json) {
            nlohmann::json entries = nlohmann::json::array();
            for (const auto& c : clips) {
                nlohmann::json e = {{"entry", c.name}, {"state", state_word(c)}, {"stored_bytes", c.stored_bytes},
                                    {"last_used", auth::iso8601_utc(c.last_used)}};
                if (!c.damaged) {
                    e.update({{"share_id", c.share_id}, {"party", c.party}, {"case_ref", c.case_ref},
                              {"clip_id", c.clip_id}, {"title", c.title}, {"sha256", c.sha256}, {"bytes", c.bytes},
                              {"expires_at", auth::iso8601_utc(c.expires_at)}});
                    if (c.keep_until) e["keep_until"] = auth::iso8601_utc(c.keep_until);
                    if (c.complete) e["verified_at"] = auth::iso8601_utc(c.verified_at);
                }
                entries.push_back(std::move(e));
            }
            const nlohmann::json doc = {{"clips", entries}, {"used_bytes", used}, {"limit_bytes", cache.limit_bytes()}};
            std::printf("%s\n", doc.dump(2).c_str());
            return exit_code::ok;
        }
        std::printf("Cache %s: %zu clip%s, %s of %s\n", cache.dir().c_str(), clips.size(), clips.size() == 1 ? "" : "s",
                    megabytes(used).c_str(), megabytes(cache.limit_bytes()).c_str());
        for (const auto& c : clips) {
            if (c.damaged) {
                std::printf("  damaged   entry %s (%s); `courtplay cache purge` removes it\n", c.name.c_str(),
                            megabytes(c.stored_bytes).c_str());
                continue;
            }
            const int64_t until = c.keep_until ? c.keep_until : c.expires_at;
            std::printf("  %-9s %-7s share %s  case %s  clip %s \"%s\"  %s  until %s\n", state_word(c),
                        c.party == "cps" ? "CPS" : "DEFENCE", c.share_id.c_str(), c.case_ref.c_str(),
                        c.clip_id.c_str(), c.title.c_str(),
                        c.complete ? megabytes(c.bytes).c_str()
                                   : (megabytes(c.stored_bytes) + " of " + megabytes(c.bytes)).c_str(),
                        auth::uk_date_time(until).c_str());
        }
        return exit_code::ok;
    });
}

int run_cache_purge(const std::string& config_file, bool all) {
    // A purge removes evidence: it goes ahead even when the journal cannot record it (stderr says so).
    return with_cache(config_file, Trail::if_possible, [&](const config::KioskConfig&, cache::EvidenceCache& cache, AuditTrail*) {
        const int n = all ? cache.purge_all(cache::PurgeReason::requested) : cache.purge_by_policy(auth::unix_now());
        std::printf("%d clip%s removed from the cache\n", n, n == 1 ? "" : "s");
        return exit_code::ok;
    });
}

}  // namespace courtplay::kiosk
