// Court time: ISO 8601 in and out, durations, UK civil time. Pure arithmetic on the proleptic
// Gregorian calendar (days_from_civil / civil_from_days, after Howard Hinnant): no TZ database, no
// setenv/localtime, so it is thread safe and gives the same answer on every machine.
//
// Decisions:
// - parse_iso8601 refuses a date and time without 'Z' or an offset: an expiry whose zone is a guess
//   is an hour wrong half the year. A date alone ("2026-12-03") is midnight UTC.
// - Fractions of a second are accepted and dropped (times are whole Unix seconds).
// - parse_duration refuses years and months (their length depends on the date), fractions, zero and
//   anything that does not fit in int64 seconds. Short forms may be combined, largest unit first:
//   "1h30m".
// - uk_offset_s applies today's rule (BST from 01:00 UTC on the last Sunday of March to 01:00 UTC
//   on the last Sunday of October) to every year from 0001 to 9999, and says GMT outside them.
#include "auth/court_time.h"

#include <array>
#include <chrono>
#include <cstdio>
#include <limits>

namespace courtplay::auth {
namespace {

constexpr int64_t day_s = 86400;
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
constexpr int64_t first_s = -62135596800;
constexpr int64_t last_s = 253402300799;

struct Civil {
    int64_t year;
    int month, day;
};

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t floor_mod(int64_t a, int64_t b) {  // b > 0; never overflows, unlike a - floor_div(a, b) * b
    const int64_t r = a % b;
    return r < 0 ? r + b : r;
}

int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    const int64_t era = floor_div(y, 400);
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Civil civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = floor_div(z, 146097);
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int d = int(doy - (153 * mp + 2) / 5 + 1);
    const int m = int(mp < 10 ? mp + 3 : mp - 9);
    return {yoe + era * 400 + (m <= 2), m, d};
}

// 0 = Sunday.
int weekday(int64_t days) {  // 1970-01-01 was a Thursday
    const int64_t r = (days + 4) % 7;
    return int(r < 0 ? r + 7 : r);
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int m) {
    static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[size_t(m - 1)];
}

// Reads exactly `width` digits at `pos`.
bool digits(std::string_view s, size_t pos, size_t width, int& out) {
    if (pos + width > s.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + width; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

int64_t last_sunday(int64_t year, int month) {
    const int64_t last_day = days_from_civil(year, month, days_in_month(year, month));
    return last_day - weekday(last_day);
}

}  // namespace

std::optional<int64_t> parse_iso8601(std::string_view s) {
    int year, month, day;
    if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
        !digits(s, 8, 2, day))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
    const int64_t days = days_from_civil(year, month, day);
    if (s.size() == 10) return days * day_s;

    int hour, minute, second;
    if (!(s[10] == 'T' || s[10] == 't' || s[10] == ' ') || !digits(s, 11, 2, hour) || s.size() < 19 ||
        s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second))
        return std::nullopt;
    if (hour > 23 || minute > 59 || second > 59) return std::nullopt;  // no 24:00, no leap second

    size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
        size_t start = ++pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start || pos - start > 9) return std::nullopt;
    }
    if (pos >= s.size()) return std::nullopt;  // no zone: refused, see the top of this file

    int64_t offset_s = 0;
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int oh, om;
        if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om))
            return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
        offset_s = (s[pos] == '-' ? -1 : 1) * (int64_t{oh} * 3600 + int64_t{om} * 60);
        pos += 6;
    } else {
        return std::nullopt;
    }
    if (pos != s.size()) return std::nullopt;
    return days * day_s + int64_t{hour} * 3600 + int64_t{minute} * 60 + second - offset_s;
}

std::optional<int64_t> parse_duration(std::string_view s) {
    if (s.empty()) return std::nullopt;
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    auto seconds_of = [](char unit) -> int64_t {
        switch (unit) {
            case 'w': return 7 * day_s;
            case 'd': return day_s;
            case 'h': return 3600;
            case 'm': return 60;
            case 's': return 1;
            default: return 0;
        }
    };

    const bool iso = lower(s[0]) == 'p';
    // Units largest first, each at most once: ISO "PnWnDTnHnMnS", short "nwndnhnmns".
    constexpr std::string_view order = "wdhms";
    size_t next_unit = 0;  // index into order: units must come largest first, each once
    bool in_time = !iso, any = false;
    int64_t total = 0;
    size_t pos = iso ? 1 : 0;
    while (pos < s.size()) {
        if (iso && lower(s[pos]) == 't') {
            if (in_time) return std::nullopt;
            in_time = true;
            ++pos;
            if (pos == s.size()) return std::nullopt;  // "P1DT"
            continue;
        }
        int64_t n = 0;
        size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (__builtin_mul_overflow(n, int64_t(10), &n) || __builtin_add_overflow(n, int64_t(s[pos] - '0'), &n))
                return std::nullopt;
            ++pos;
        }
        if (pos == start || pos == s.size()) return std::nullopt;
        const char unit = lower(s[pos++]);
        const size_t at = order.find(unit);
        if (at == std::string_view::npos || at < next_unit) return std::nullopt;
        // ISO: weeks and days before T, hours/minutes/seconds after it ("P1M" is a month: refused).
        if (iso && (at <= 1) == in_time) return std::nullopt;
        next_unit = at + 1;
        int64_t part;
        if (__builtin_mul_overflow(n, seconds_of(unit), &part) || __builtin_add_overflow(total, part, &total))
            return std::nullopt;
        any = true;
    }
    if (!any || total <= 0) return std::nullopt;
    return total;
}

std::string iso8601_utc(int64_t unix_s) {
    const int64_t days = floor_div(unix_s, day_s);
    const int64_t in_day = floor_mod(unix_s, day_s);
    const Civil c = civil_from_days(days);
    char out[64];
    std::snprintf(out, sizeof out, "%04lld-%02d-%02dT%02d:%02d:%02dZ", static_cast<long long>(c.year), c.month,
                  c.day, int(in_day / 3600), int(in_day / 60 % 60), int(in_day % 60));
    return out;
}

int uk_offset_s(int64_t unix_s) {
    if (unix_s < first_s || unix_s > last_s) return 0;
    const int64_t year = civil_from_days(floor_div(unix_s, day_s)).year;
    const int64_t bst_from = last_sunday(year, 3) * day_s + 3600;
    const int64_t bst_until = last_sunday(year, 10) * day_s + 3600;
    return unix_s >= bst_from && unix_s < bst_until ? 3600 : 0;
}

std::string uk_date_time(int64_t unix_s) {
    static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const int64_t local = unix_s + uk_offset_s(unix_s);  // the offset is 0 near the int64 limits
    const int64_t days = floor_div(local, day_s);
    const int64_t in_day = floor_mod(local, day_s);
    const Civil c = civil_from_days(days);
    char out[80];
    std::snprintf(out, sizeof out, "%d %s %lld at %02d:%02d", c.day, months[size_t(c.month - 1)],
                  static_cast<long long>(c.year), int(in_day / 3600), int(in_day / 60 % 60));
    return out;
}

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace courtplay::auth
