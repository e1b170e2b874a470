// Adding a clip: probe it with libavformat (a file FFmpeg cannot read is refused), copy it into
// DIR/clips/ atomically while hashing it, and describe it for the database.
#pragma once

#include "server/store.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace courtplay::server {

struct ClipError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ClipProbe {
    int64_t duration_ms = 0;
    std::string creation_time;  // the container's creation_time as ISO 8601 UTC, or empty
};
// Opens the file with libavformat and reads its streams. Throws ClipError saying why it cannot be used.
ClipProbe probe_clip(const std::filesystem::path& file);

struct ClipImport {
    std::filesystem::path file;
    std::string title;
    std::optional<std::string> recorded_at;  // ISO 8601 as typed; else the container's creation time
    std::string device;
};
// Probes, copies into `clips_dir` under the new id and returns the record (not yet in the database).
ClipRecord import_clip(const ClipImport& what, const std::filesystem::path& clips_dir, int64_t now);

}  // namespace courtplay::server
