// JWS compact serialization (RFC 7515) with EdDSA / Ed25519 only (RFC 8037).
// Anything else ("none", HS256, RS256, a "crit" header, a JWS JSON serialization) is refused:
// grants are only ever signed one way, and accepting more only widens what an attacker can try.
#pragma once

#include "auth/keys.h"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace courtplay::auth {

enum class JwsFault {
    malformed,        // not three base64url parts, bad JSON header, ...
    unsupported_alg,  // alg is not EdDSA (includes "none")
    bad_signature,    // the signature does not verify with the key
};

struct JwsError : std::runtime_error {
    JwsError(JwsFault f, const std::string& what) : std::runtime_error(what), fault(f) {}
    JwsFault fault;
};

struct JwsParts {
    nlohmann::json header;   // the protected header, parsed
    std::string payload;     // decoded payload bytes
    std::string signing_input;  // "BASE64URL(header).BASE64URL(payload)"
    std::vector<uint8_t> signature;
};

// Parses without verifying (throws JwsError malformed / unsupported_alg). Size-capped at 1 MiB.
JwsParts jws_parse(std::string_view compact);
// Parses and verifies with `key`; returns the payload bytes. Throws JwsError.
std::string jws_verify(std::string_view compact, const VerifyKey& key);
// Signs `payload` with header {"alg":"EdDSA","kid":<thumbprint>} plus `extra_header` members.
std::string jws_sign(const SigningKey& key, std::string_view payload,
                     const nlohmann::json& extra_header = nlohmann::json::object());

}  // namespace courtplay::auth
