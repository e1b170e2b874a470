// The exit codes every courtplay command shares (docs/share.md, docs/cache.md, docs/audit.md).
#pragma once

namespace courtplay::kiosk::exit_code {
constexpr int ok = 0;
constexpr int other = 1;
constexpr int bad_arguments = 2;   // the command line or the configuration
constexpr int bad_media = 3;       // cannot be opened or decoded, or is not the original (SHA-256)
constexpr int refused = 4;         // the share, the grant or a permission was refused, or playback was stopped
constexpr int network = 5;         // the share service cannot be reached (or the network may not be used)
constexpr int cache_storage = 6;   // the cache cannot store the clip: disk full, key or folder unusable
constexpr int audit = 7;           // the audit journal cannot be written (or its backlog is too old): nothing is played
}  // namespace courtplay::kiosk::exit_code
