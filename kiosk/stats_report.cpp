#include "kiosk/stats_report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sys/resource.h>

namespace courtplay::kiosk {
namespace {

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    // Nearest-rank: the smallest value with at least p of the values at or below it.
    auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

}  // namespace

bool write_stats(const std::string& path, const player::PlaybackStats& stats, player::Micros process_start,
                 player::Micros ended_at, const nlohmann::json& extra) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    double max_abs = 0;
    for (double o : stats.av_offset_ms) max_abs = std::max(max_abs, std::fabs(o));

    nlohmann::json j;
    j["frames_presented"] = stats.frames_presented;
    j["frames_dropped"] = stats.frames_dropped;
    j["first_frame_ms"] = stats.first_frame_at == player::kNoTime
                              ? nlohmann::json(nullptr)
                              : nlohmann::json(static_cast<double>(stats.first_frame_at - process_start) / 1000.0);
    // p99 settles IS-191's early side (sound at most 15 ms ahead), p1 its late side (45 ms behind).
    j["av_offset_ms"] = {{"p1", percentile(stats.av_offset_ms, 0.01)},
                         {"p50", percentile(stats.av_offset_ms, 0.50)},
                         {"p99", percentile(stats.av_offset_ms, 0.99)},
                         {"max_abs", max_abs},
                         {"samples", stats.av_offset_ms.size()}};
    j["seek_ms"] = stats.seek_ms;
    j["step_ms"] = stats.step_ms;
    j["waits"] = stats.waits;
    j["waited_ms"] = static_cast<double>(stats.waited) / 1000.0;
    j["cpu_seconds"] = cpu;
    j["wall_seconds"] = static_cast<double>(ended_at - process_start) / 1e6;
    j["peak_rss_kb"] = usage.ru_maxrss;  // Linux reports kilobytes
    if (extra.is_object()) j.update(extra);

    std::ofstream out(path);
    if (!out) return false;
    out << j.dump(2) << '\n';
    return static_cast<bool>(out);
}

}  // namespace courtplay::kiosk
