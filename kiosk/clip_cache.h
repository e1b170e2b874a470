// The kiosk's use of the evidence cache (cache/): what a grant says about a clip, the HTTPS
// stream of a clip, and storing a clip fetched from the share service, with progress on stderr.
#pragma once

#include "auth/share_service.h"
#include "cache/evidence_cache.h"
#include "player/https_source.h"

#include <cstdint>
#include <functional>
#include <string_view>

namespace courtplay::kiosk {

// How far a long step (checking or caching a clip) has got: bytes done of total. Called on the
// thread doing the step.
using Progress = std::function<void(int64_t done, int64_t total)>;

// Until the audit journal exists (issue 5), purges are reported on stderr.
class StderrPurgeReport final : public cache::PurgeSink {
public:
    void purged(const cache::PurgeRecord& record) override;
};

// "2.5 MB" (MiB, one decimal), as progress and `cache list` show sizes.
std::string megabytes(int64_t bytes);

// SHA-256 (hex) of the share code as the service knows it, so cached clips can be found from it.
std::string token_digest(std::string_view typed_token);
cache::ClipRef clip_ref(const auth::Redemption& share, const auth::GrantClip& clip, const std::string& token_digest);
// The clip's bytes from the share service, with the grant's access token and the config's TLS.
player::HttpsSourceOptions stream_options(const config::KioskConfig& cfg, const auth::Redemption& share,
                                          const auth::GrantClip& clip);

// Fetches the clip into the cache, resuming what an earlier attempt stored, and proves it is the
// original before it counts as cached. Returns an exit code: 0 cached (or already was), 3 not the
// original (discarded), 4 refused by the service, 5 unreachable (what arrived is kept, to resume),
// 6 the cache cannot store it.
int cache_clip(cache::EvidenceCache& cache, const cache::ClipRef& ref, const player::HttpsSourceOptions& stream,
               int timeout_s, const Progress& progress = {});

}  // namespace courtplay::kiosk
