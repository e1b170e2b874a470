// Pure logic from auth/: share codes as clerks type them, and court time.
#include "auth/court_time.h"
#include "auth/share_token.h"

#include <catch2/catch.hpp>

#include <limits>
#include <set>
#include <string>
#include <vector>

using namespace courtplay::auth;

namespace {

constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// "7KQ2-M9XD-..." -> the 20 symbols without dashes, and back.
std::string symbols_of(const std::string& token) {
    std::string out;
    for (char c : token)
        if (c != '-') out += c;
    return out;
}

bool reads_valid(const std::string& symbols) { return read_share_token(symbols).token.has_value(); }

// A fixed, valid token built from the generator's own output, so tests do not depend on one value.
std::string some_token() {
    auto t = make_share_token();
    REQUIRE(read_share_token(t).token == t);
    return t;
}

int64_t utc(std::string_view s) {
    auto t = parse_iso8601(s);
    REQUIRE(t);
    return *t;
}

}  // namespace

// ---- share codes --------------------------------------------------------------------------------

TEST_CASE("share code: made codes read back valid and canonical", "[share]") {
    for (int i = 0; i < 200; ++i) {
        const std::string t = make_share_token();
        REQUIRE(t.size() == 24);
        for (size_t p : {4u, 9u, 14u, 19u}) CHECK(t[p] == '-');
        for (char c : symbols_of(t)) CHECK(alphabet.find(c) != std::string_view::npos);
        auto r = read_share_token(t);
        REQUIRE(r.token);
        CHECK(*r.token == t);
        CHECK(r.problem.empty());
    }
}

TEST_CASE("share code: every single wrong symbol is caught", "[share]") {
    for (int round = 0; round < 20; ++round) {
        const std::string s = symbols_of(some_token());
        for (size_t pos = 0; pos < s.size(); ++pos)
            for (char c : alphabet) {
                if (c == s[pos]) continue;
                std::string typo = s;
                typo[pos] = c;
                INFO(s << " -> " << typo);
                CHECK_FALSE(reads_valid(typo));
            }
    }
}

TEST_CASE("share code: every swap of neighbours is caught", "[share]") {
    // Luhn mod 32 would miss "0Z" <-> "Z0" (as Luhn mod 10 misses "09" <-> "90"); the GF(32) check
    // must not miss any adjacent swap of differing symbols, at any position.
    for (int round = 0; round < 20; ++round) {
        const std::string s = symbols_of(some_token());
        for (size_t pos = 0; pos + 1 < s.size(); ++pos) {
            if (s[pos] == s[pos + 1]) continue;
            std::string swapped = s;
            std::swap(swapped[pos], swapped[pos + 1]);
            INFO(s << " -> " << swapped);
            CHECK_FALSE(reads_valid(swapped));
        }
    }
    // Exhaustively: every pair of differing symbols (a, b) at every position, in a code made valid
    // by choosing its check symbol, then swapped.
    const std::string base = symbols_of(some_token());
    for (size_t pos = 0; pos + 1 < 20; ++pos)
        for (char a : alphabet)
            for (char b : alphabet) {
                if (a == b) continue;
                std::string s = base;
                s[pos] = a;
                s[pos + 1] = b;
                // Make it valid by trying each check symbol (exactly one is valid when pos+1 < 19).
                int valid_checks = 0;
                std::string valid;
                if (pos + 1 < 19) {
                    for (char c : alphabet) {
                        s[19] = c;
                        if (reads_valid(s)) ++valid_checks, valid = s;
                    }
                    REQUIRE(valid_checks == 1);
                } else {  // the pair includes the check symbol: only pairs that make a valid code count
                    if (!reads_valid(s)) continue;
                    valid = s;
                }
                std::string swapped = valid;
                std::swap(swapped[pos], swapped[pos + 1]);
                INFO(valid << " -> " << swapped);
                REQUIRE_FALSE(reads_valid(swapped));
            }
}

TEST_CASE("share code: forgiving reading", "[share]") {
    const std::string t = some_token();
    const std::string s = symbols_of(t);

    std::string lower;
    for (char c : t) lower += char(std::tolower(static_cast<unsigned char>(c)));
    CHECK(read_share_token(lower).token == t);
    CHECK(read_share_token(s).token == t);
    CHECK(read_share_token("  " + s.substr(0, 10) + " \t " + s.substr(10) + "\r\n").token == t);
    CHECK(read_share_token(s.substr(0, 3) + "--" + s.substr(3)).token == t);

    // I, L (either case) are 1; O (either case) is 0.
    std::string ones;
    for (char c : alphabet)
        if (reads_valid("1111-1111-1111-1111-111" + std::string(1, c))) ones = "1111-1111-1111-1111-111" + std::string(1, c);
    REQUIRE(!ones.empty());
    CHECK(read_share_token("IiLl-1111-1111-1111-111" + ones.substr(23)).token == ones);
    std::string zeros = "0000-0000-0000-0000-0000";  // all-zero values have check symbol 0
    REQUIRE(read_share_token(zeros).token == zeros);
    CHECK(read_share_token("oOoO-0000-0000-0000-000o").token == zeros);
}

TEST_CASE("share code: the problems a clerk sees", "[share]") {
    const std::string s = symbols_of(some_token());

    CHECK(read_share_token("").problem == "Enter the share code.");
    CHECK(read_share_token("  - \t").problem == "Enter the share code.");

    auto short_code = read_share_token(s.substr(0, 17));
    CHECK_FALSE(short_code.token);
    CHECK(short_code.problem == "A share code has 20 characters; this one has 17. Check for a missed or extra character.");
    CHECK(read_share_token(s + "7").problem ==
          "A share code has 20 characters; this one has 21. Check for a missed or extra character.");

    auto u = read_share_token(s.substr(0, 5) + "U" + s.substr(6));
    CHECK_FALSE(u.token);
    CHECK(u.problem == "The code has a character that is not used in share codes: 'U'.");
    CHECK(read_share_token(s.substr(0, 5) + "u" + s.substr(6)).problem ==
          "The code has a character that is not used in share codes: 'u'.");
    CHECK(read_share_token(s + "*").problem == "The code has a character that is not used in share codes: '*'.");
    CHECK(read_share_token(s.substr(0, 5) + "\x01" + s.substr(6)).problem ==
          "The code has an unexpected character that is not used in share codes.");
    CHECK(read_share_token(s.substr(0, 5) + "\xc3\xa9" + s.substr(6)).problem ==
          "The code has an unexpected character that is not used in share codes.");

    std::string typo = s;
    typo[3] = typo[3] == 'A' ? 'B' : 'A';
    auto bad = read_share_token(typo);
    CHECK_FALSE(bad.token);
    CHECK(bad.problem == "This code has a typing mistake: check each character against the share letter and try again.");
}

TEST_CASE("share code: made codes look random", "[share]") {
    std::set<std::string> seen;
    std::vector<std::set<char>> per_position(19);
    for (int i = 0; i < 2000; ++i) {
        const std::string s = symbols_of(make_share_token());
        seen.insert(s);
        for (size_t p = 0; p < 19; ++p) per_position[p].insert(s[p]);
    }
    CHECK(seen.size() == 2000);
    // 2000 draws miss one of 32 symbols at a position with probability about 32 * (31/32)^2000 = 1e-26.
    for (size_t p = 0; p < 19; ++p) CHECK(per_position[p].size() == 32);
}

// ---- court time ---------------------------------------------------------------------------------

TEST_CASE("court time: ISO 8601 parsing", "[time]") {
    CHECK(parse_iso8601("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_iso8601("2026-12-03T17:00:00Z") == 1796317200);
    CHECK(parse_iso8601("2026-12-03T17:00:00.250Z") == 1796317200);
    CHECK(parse_iso8601("2026-12-03T17:00:00.999999999Z") == 1796317200);
    CHECK(parse_iso8601("2026-12-03 17:00:00Z") == 1796317200);
    CHECK(parse_iso8601("2026-12-03t17:00:00z") == 1796317200);
    CHECK(parse_iso8601("2026-12-03T18:00:00+01:00") == 1796317200);
    CHECK(parse_iso8601("2026-12-03T12:30:00-04:30") == 1796317200);
    CHECK(parse_iso8601("2026-12-04T03:00:00+10:00") == 1796317200);
    CHECK(parse_iso8601("2026-12-03T17:00:00-00:00") == 1796317200);
    CHECK(parse_iso8601("2026-12-03") == 1796256000);  // midnight UTC
    CHECK(parse_iso8601("2024-02-29T12:00:00Z") == 1709208000);
    CHECK(parse_iso8601("1969-12-31T23:59:59Z") == -1);
    CHECK(parse_iso8601("2000-02-29") == 951782400);
}

TEST_CASE("court time: ISO 8601 refusals", "[time]") {
    for (const char* bad : {
             "",  "garbage", "2026-12-03T17:00:00",      // no zone: ambiguous, refused
             "2026-12-03 17:00:00", "2026-02-30", "2026-02-29T00:00:00Z", "2100-02-29", "2026-13-01",
             "2026-00-10", "2026-12-00", "2026-12-32", "2026-12-03T24:00:00Z", "2026-12-03T23:60:00Z",
             "2026-12-03T23:59:60Z", "2026-12-03T17:00Z", "2026-12-03T17:00:00+0100", "2026-12-03T17:00:00+01",
             "2026-12-03T17:00:00+24:00", "2026-12-03T17:00:00+01:60", "2026-12-03T17:00:00.Z",
             "2026-12-03T17:00:00.1234567890Z", "2026-12-03T17:00:00ZZ", "2026-12-03T17:00:00Z ",
             " 2026-12-03T17:00:00Z", "2026-1-03", "26-12-03", "2026/12/03", "2026-12-03X17:00:00Z",
             "2026-12-03T7:00:00Z", "+2026-12-03", "2026-12-03T17:00:00 Z", "2026-12-03T17:00:00EST"}) {
        INFO(bad);
        CHECK_FALSE(parse_iso8601(bad));
    }
}

TEST_CASE("court time: durations", "[time]") {
    CHECK(parse_duration("P7D") == 7 * 86400);
    CHECK(parse_duration("PT8H") == 8 * 3600);
    CHECK(parse_duration("PT90M") == 90 * 60);
    CHECK(parse_duration("P1DT2H") == 86400 + 7200);
    CHECK(parse_duration("P1DT2H30M15S") == 86400 + 7200 + 1800 + 15);
    CHECK(parse_duration("PT30S") == 30);
    CHECK(parse_duration("P2W") == 14 * 86400);
    CHECK(parse_duration("90m") == 90 * 60);
    CHECK(parse_duration("8h") == 8 * 3600);
    CHECK(parse_duration("7d") == 7 * 86400);
    CHECK(parse_duration("3600s") == 3600);
    CHECK(parse_duration("2w") == 14 * 86400);
    CHECK(parse_duration("1h30m") == 5400);
    CHECK(parse_duration("8H") == 8 * 3600);
    CHECK(parse_duration("9223372036854775807s") == std::numeric_limits<int64_t>::max());

    for (const char* bad : {"", "P", "PT", "P1DT", "P0D", "PT0S", "0s", "0h", "-5m", "-P1D", "P-1D", "90",
                            "m", "1.5h", "PT1.5H", "P1M", "P1Y", "PT1D", "P1H", "PT2H1H", "30m1h", "1h1h",
                            "1x", "1 h", " 1h", "1h ", "P1DT2HT3M", "9223372036854775808s",
                            "106751991167301d", "99999999999999999999s", "P15250284452472W"}) {
        INFO(bad);
        CHECK_FALSE(parse_duration(bad));
    }
}

TEST_CASE("court time: ISO 8601 output and round trips", "[time]") {
    CHECK(iso8601_utc(0) == "1970-01-01T00:00:00Z");
    CHECK(iso8601_utc(1796317200) == "2026-12-03T17:00:00Z");
    CHECK(iso8601_utc(-1) == "1969-12-31T23:59:59Z");
    CHECK(iso8601_utc(951782400) == "2000-02-29T00:00:00Z");
    CHECK(iso8601_utc(253402300799) == "9999-12-31T23:59:59Z");
    CHECK_NOTHROW(iso8601_utc(std::numeric_limits<int64_t>::max()));
    CHECK_NOTHROW(iso8601_utc(std::numeric_limits<int64_t>::min()));

    // Every day from 1900 to 2100 at a few times of day.
    for (int64_t t = utc("1900-01-01"); t < utc("2100-12-31"); t += 86400 + 3607) {
        const std::string s = iso8601_utc(t);
        INFO(s);
        REQUIRE(parse_iso8601(s) == t);
    }
}

TEST_CASE("court time: BST starts and ends at 01:00 UTC on the last Sundays of March and October", "[time]") {
    CHECK(uk_offset_s(utc("2026-03-29T00:59:59Z")) == 0);
    CHECK(uk_offset_s(utc("2026-03-29T01:00:00Z")) == 3600);
    CHECK(uk_offset_s(utc("2026-10-25T00:59:59Z")) == 3600);
    CHECK(uk_offset_s(utc("2026-10-25T01:00:00Z")) == 0);

    CHECK(uk_offset_s(utc("2024-03-31T00:59:59Z")) == 0);
    CHECK(uk_offset_s(utc("2024-03-31T01:00:00Z")) == 3600);
    CHECK(uk_offset_s(utc("2024-10-27T00:59:59Z")) == 3600);
    CHECK(uk_offset_s(utc("2024-10-27T01:00:00Z")) == 0);

    CHECK(uk_offset_s(utc("2027-03-28T00:59:59Z")) == 0);
    CHECK(uk_offset_s(utc("2027-03-28T01:00:00Z")) == 3600);
    CHECK(uk_offset_s(utc("2027-10-31T00:59:59Z")) == 3600);
    CHECK(uk_offset_s(utc("2027-10-31T01:00:00Z")) == 0);

    // Sundays on the 31st and on the 25th, the latest and earliest possible.
    CHECK(uk_offset_s(utc("2024-03-31T01:00:00Z")) == 3600);
    CHECK(uk_offset_s(utc("2026-10-25T00:00:00Z")) == 3600);

    CHECK(uk_offset_s(utc("2026-01-15T12:00:00Z")) == 0);
    CHECK(uk_offset_s(utc("2026-07-15T12:00:00Z")) == 3600);
    CHECK(uk_offset_s(utc("2026-12-31T23:59:59Z")) == 0);
    CHECK(uk_offset_s(std::numeric_limits<int64_t>::max()) == 0);
    CHECK(uk_offset_s(std::numeric_limits<int64_t>::min()) == 0);
}

TEST_CASE("court time: UK local time as a court reads it", "[time]") {
    CHECK(uk_date_time(utc("2026-12-03T17:00:00Z")) == "3 Dec 2026 at 17:00");
    CHECK(uk_date_time(utc("2026-07-15T16:05:59Z")) == "15 Jul 2026 at 17:05");
    CHECK(uk_date_time(utc("2026-03-29T00:59:59Z")) == "29 Mar 2026 at 00:59");
    CHECK(uk_date_time(utc("2026-03-29T01:00:00Z")) == "29 Mar 2026 at 02:00");
    CHECK(uk_date_time(utc("2026-10-25T00:59:59Z")) == "25 Oct 2026 at 01:59");
    CHECK(uk_date_time(utc("2026-10-25T01:00:00Z")) == "25 Oct 2026 at 01:00");
    CHECK(uk_date_time(utc("2026-06-30T23:30:00Z")) == "1 Jul 2026 at 00:30");  // BST crosses midnight
    CHECK(uk_date_time(utc("2026-12-31T23:59:00Z")) == "31 Dec 2026 at 23:59");
    CHECK(uk_date_time(utc("2027-01-01T00:00:00+01:00")) == "31 Dec 2026 at 23:00");
    CHECK_NOTHROW(uk_date_time(std::numeric_limits<int64_t>::max()));
    CHECK_NOTHROW(uk_date_time(std::numeric_limits<int64_t>::min()));
}
