// Untrusted text as `[admin] pin_hash`: pin_hash_problem and pin_matches must agree on what is
// well-formed, never throw, crash or read out of bounds, and never run scrypt above the bounded
// costs (scripts/fuzz's -timeout catches a bound that stops holding).
#include "auth/pin_hash.h"

#include <cstdint>
#include <string_view>

using namespace courtplay::auth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto problem = pin_hash_problem(text);
    if (problem && problem->empty()) __builtin_trap();  // a refusal must say why
    // Malformed: refused before any scrypt, so this is cheap. Well-formed: one bounded scrypt.
    const bool matched = pin_matches("123456", text);
    if (problem && matched) __builtin_trap();
    return 0;
}
