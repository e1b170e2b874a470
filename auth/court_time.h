// Times as a court reads them. Grants carry Unix seconds; people read UK local time
// (GMT in winter, BST from the last Sunday of March to the last Sunday of October, 01:00 UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courtplay::auth {

// "2026-12-03T17:00:00Z", "2026-12-03T17:00:00+01:00", "2026-12-03T17:00:00.250Z": Unix seconds.
// A time without Z or an offset is refused (an expiry must not depend on a guess); a date alone
// is midnight UTC.
std::optional<int64_t> parse_iso8601(std::string_view text);
// "P7D", "PT8H", "90m", "8h", "7d", "3600s": seconds. For --expires DURATION.
std::optional<int64_t> parse_duration(std::string_view text);
std::string iso8601_utc(int64_t unix_s);
// Now, in Unix seconds (UTC), by the system clock: what grant times are compared with.
int64_t unix_now();  // "2026-12-03T17:00:00Z"
// UTC offset in seconds of UK civil time at that instant (0 or 3600).
int uk_offset_s(int64_t unix_s);
// "3 Dec 2026 at 17:00" in UK local time.
std::string uk_date_time(int64_t unix_s);

}  // namespace courtplay::auth
