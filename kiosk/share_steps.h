// The steps of a share session that do not depend on how it is shown: `courtplay session` runs
// them one after another at the command line, the kiosk app runs them behind its screens.
#pragma once

#include "auth/share_service.h"
#include "cache/evidence_cache.h"
#include "config/kiosk_config.h"
#include "kiosk/clip_cache.h"
#include "player/https_source.h"
#include "watermark/watermark.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace courtplay::kiosk {

class LinkMonitor;

// "cl_abc" by id, "2" as the second clip listed, "" the first. Null when there is no such clip.
const auth::GrantClip* pick_clip(const auth::Grant& grant, const std::string& wanted);

// What every frame of this session says about where it was shown (docs/watermark.md).
watermark::WatermarkOptions watermark_for(const config::KioskConfig& cfg, const auth::Grant& grant,
                                          const std::string& session_id);

// The cache, or nothing when it cannot be used (streaming still works; court IT are told on stderr).
std::optional<cache::EvidenceCache> open_cache(const config::KioskConfig& cfg, cache::PurgeSink& report);

// The grant from the service; when the service cannot be reached, the grant kept with this code's
// cached clips, verified again now (signature, issuer, kiosk, expiry). Sets `offline` then.
// Throws auth::NetworkError when neither is there.
auth::RedeemOutcome redeem_or_use_kept_grant(auth::ShareService& service, std::optional<cache::EvidenceCache>& cache,
                                             const std::string& token, bool& offline);

// Reads the whole clip through the stream once, so that its SHA-256 is proven before a single
// frame of it is shown, then rewinds. Returns 0 or an exit code (said on stderr).
int prove_original(player::HttpsSource& stream, const LinkMonitor& monitor, const std::string& title,
                   const Progress& progress = {});

// What the cache keeps of a share when its session ends: nothing of a share that was revoked or
// expired (`ended`); otherwise nothing, or everything until the hearing is over, as the config says.
void settle_cache_after_session(cache::EvidenceCache& cache, const config::KioskConfig& cfg,
                                const std::string& share_id, const std::optional<auth::Refusal>& ended);

}  // namespace courtplay::kiosk
