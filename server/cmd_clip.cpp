// `courtplay-server clip add` and `clip list`.
#include "auth/court_time.h"
#include "server/clips.h"
#include "server/commands.h"
#include "server/data_folder.h"
#include "server/store.h"

#include <cstdio>

namespace courtplay::server {

void run_clip_add(const ClipAddOptions& o) {
    const DataFolder d(o.data);
    d.require_initialised();
    Store store = Store::open(d.database());
    const ClipRecord clip = import_clip({o.file, o.title, o.recorded_at, o.device}, d.clips(), unix_now());
    try {
        store.add_clip(clip);
    } catch (...) {
        std::error_code ec;
        std::filesystem::remove(d.clips() / clip.file, ec);
        throw;
    }
    std::printf("%s\n", clip.id.c_str());
}

void run_clip_list(const std::filesystem::path& data) {
    const DataFolder d(data);
    d.require_initialised();
    Store store = Store::open(d.database());
    const auto clips = store.list_clips();
    if (clips.empty()) {
        std::printf("no clips yet: add one with `courtplay-server clip add --data %s FILE --title TEXT`\n",
                    d.root.string().c_str());
        return;
    }
    std::printf("%-16s %10s %12s  %-20s  %-12s %s\n", "CLIP", "SECONDS", "BYTES", "RECORDED", "DEVICE", "TITLE");
    for (const ClipRecord& c : clips) {
        std::printf("%-16s %10.3f %12lld  %-20s  %-12s %s\n", c.id.c_str(), static_cast<double>(c.duration_ms) / 1000.0,
                    static_cast<long long>(c.bytes), c.recorded_at.empty() ? "-" : c.recorded_at.c_str(),
                    c.device.empty() ? "-" : c.device.c_str(), c.title.c_str());
    }
}

}  // namespace courtplay::server
