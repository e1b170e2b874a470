#include "kiosk/timecode.h"

#include <cstdio>
#include <ctime>

namespace courtplay::kiosk {

std::string format_media_time(player::Micros t) {
    if (t == player::kNoTime) return "--:--";
    const char* sign = t < 0 ? "-" : "";
    if (t < 0) t = -t;
    const int64_t ms = t / 1000;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%lld:%02lld:%02lld.%03lld", sign, static_cast<long long>(ms / 3600000),
                  static_cast<long long>(ms / 60000 % 60), static_cast<long long>(ms / 1000 % 60),
                  static_cast<long long>(ms % 1000));
    return buf;
}

std::string format_rate(double rate) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%gx", rate);
    return buf;
}

std::optional<player::Micros> parse_utc(const std::string& iso) {
    int y, mo, d, h, mi;
    double s;
    if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%lf", &y, &mo, &d, &h, &mi, &s) != 6 &&
        std::sscanf(iso.c_str(), "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &s) != 6)
        return std::nullopt;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s >= 61)
        return std::nullopt;
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    const time_t whole = timegm(&tm);
    return static_cast<player::Micros>(whole) * 1000000 + static_cast<player::Micros>(s * 1e6 + 0.5);
}

std::optional<std::string> recording_time(const std::string& creation_time, player::Micros media) {
    auto start = parse_utc(creation_time);
    if (!start) return std::nullopt;
    const player::Micros at = *start + media;
    const time_t secs = static_cast<time_t>(at / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(at / 1000 % 1000));
    return std::string(buf);
}

}  // namespace courtplay::kiosk
