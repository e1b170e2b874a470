// Share tokens: what a clerk types or scans. 19 random Crockford base32 symbols (95 bits) and one
// check symbol (a weighted sum over GF(32)), written in five groups of four: "7KQ2-M9XD-4HFR-TB3W-PN64".
// Crockford's alphabet has no I, L, O or U, so reading is forgiving: i/l read as 1, o as 0, case
// and separators (space, '-') do not matter. A single wrong symbol or any two swapped symbols are
// caught by the check symbol before anything is sent.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace courtplay::auth {

std::string make_share_token();

struct TokenReading {
    std::optional<std::string> token;  // canonical "XXXX-XXXX-XXXX-XXXX-XXXX" when valid
    std::string problem;               // otherwise: what is wrong, in words a clerk can act on
};
TokenReading read_share_token(std::string_view typed);

}  // namespace courtplay::auth
