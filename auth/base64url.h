// base64url without padding (RFC 4648 §5), as JWS and JWK use it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace courtplay::auth {

std::string base64url_encode(std::span<const uint8_t> bytes);
std::string base64url_encode(std::string_view bytes);
// Strict: only the base64url alphabet, no padding, no whitespace, no non-zero trailing bits.
std::optional<std::vector<uint8_t>> base64url_decode(std::string_view text);

// Lower-case hex, as grants carry SHA-256 digests.
std::string hex(std::span<const uint8_t> bytes);
std::array<uint8_t, 32> sha256(std::string_view bytes);
// Random bytes from OpenSSL's CSPRNG; throws std::runtime_error if it cannot deliver.
std::vector<uint8_t> random_bytes(size_t n);

}  // namespace courtplay::auth
