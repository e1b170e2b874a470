// The kiosk's admin PIN, stored only as a salted slow hash (`[admin] pin_hash` in kiosk.toml):
//
//   scrypt$15$8$1$<salt base64url>$<hash base64url>
//
// scrypt with N = 2^15, r = 8, p = 1 (the three numbers), a 16-byte random salt and a 32-byte
// result. A PIN has at most 10^12 values, so the slowness is what protects it when a copy of the
// config leaves the kiosk: keep the file readable by the kiosk's user only all the same.
//
// The costs are read from the stored string, so the default can be raised later without making
// old hashes unreadable; they are bounded (kPinHashMaxWork) so that a hostile or mistyped config
// cannot make one check take minutes or gigabytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courtplay::auth {

// What make_pin_hash writes.
inline constexpr int kPinHashLog2N = 15, kPinHashR = 8, kPinHashP = 1;
// What a stored hash may ask for: each number in its range, and N·r·p at most 4 times the default
// (so at most 128 MiB of memory and 4 times the default's time).
inline constexpr int kPinHashMinLog2N = 14, kPinHashMaxLog2N = 20;
inline constexpr int kPinHashMaxR = 16, kPinHashMaxP = 4;
inline constexpr uint64_t kPinHashMaxWork = uint64_t(1) << 20;

// A PIN is 6 to 12 ASCII digits.
bool is_valid_pin(std::string_view pin);

// A new hash of `pin` with a fresh random salt. Throws std::invalid_argument when the PIN is not
// 6-12 digits, std::runtime_error when OpenSSL cannot deliver random bytes or scrypt.
std::string make_pin_hash(std::string_view pin);

// True only when `stored` is well-formed and is the hash of `pin`. The comparison takes the same
// time wherever the hashes differ. Never throws: a malformed `stored` or any failure is false.
bool pin_matches(std::string_view pin, std::string_view stored);

// nullopt when `stored` is a well-formed hash; else what is wrong with it, in words for court IT,
// said of "it" ("is empty", "has a salt (the fifth part) that is not ..."). Never quotes the text
// itself, so a message cannot leak most of a hash, or a PIN written where its hash belongs.
std::optional<std::string> pin_hash_problem(std::string_view stored);

}  // namespace courtplay::auth
