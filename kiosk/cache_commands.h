// `courtplay cache prefetch|list|purge` (docs/cache.md).
#pragma once

#include <string>

namespace courtplay::kiosk {

// Redeems the share and stores every clip it lets this kiosk cache, with progress on stderr,
// resuming what an earlier attempt stored. Exit codes: 0 all cached, 2 bad arguments or config,
// 3 a clip is not the original, 4 refused (or no clip may be cached), 5 network, 6 the cache
// cannot store a clip.
int run_cache_prefetch(const std::string& config_file, const std::string& token);
// One line per cached clip (or JSON with `json`). 0, or 2 / 6.
int run_cache_list(const std::string& config_file, bool json);
// Removes what policy says must go (expired, damaged, over the size limit), or with `all`
// everything. Prints each clip removed. 0, or 2 / 6.
int run_cache_purge(const std::string& config_file, bool all);

}  // namespace courtplay::kiosk
