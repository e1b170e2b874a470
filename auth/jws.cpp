#include "auth/jws.h"

#include "auth/base64url.h"

namespace courtplay::auth {
namespace {
constexpr size_t kMaxCompact = 1 << 20;

std::string_view next_part(std::string_view& rest, bool last) {
    const size_t dot = rest.find('.');
    if (last) {
        if (dot != std::string_view::npos) throw JwsError(JwsFault::malformed, "the grant has more than three parts");
        return rest;
    }
    if (dot == std::string_view::npos) throw JwsError(JwsFault::malformed, "the grant is not a compact JWS (three parts)");
    std::string_view part = rest.substr(0, dot);
    rest.remove_prefix(dot + 1);
    return part;
}
}  // namespace

JwsParts jws_parse(std::string_view compact) {
    if (compact.size() > kMaxCompact) throw JwsError(JwsFault::malformed, "the grant is larger than 1 MiB");
    std::string_view rest = compact;
    const std::string_view h64 = next_part(rest, false);
    const std::string_view p64 = next_part(rest, false);
    const std::string_view s64 = next_part(rest, true);

    auto header_bytes = base64url_decode(h64);
    if (!header_bytes || header_bytes->empty()) throw JwsError(JwsFault::malformed, "the grant's header is not base64url");
    JwsParts parts;
    parts.header = nlohmann::json::parse(header_bytes->begin(), header_bytes->end(), nullptr, false);
    if (parts.header.is_discarded() || !parts.header.is_object())
        throw JwsError(JwsFault::malformed, "the grant's header is not a JSON object");
    auto alg = parts.header.find("alg");
    if (alg == parts.header.end() || !alg->is_string())
        throw JwsError(JwsFault::malformed, "the grant's header names no algorithm");
    if (*alg != "EdDSA")
        throw JwsError(JwsFault::unsupported_alg,
                       "the grant is signed with \"" + alg->get<std::string>() + "\"; only EdDSA (Ed25519) is accepted");
    // RFC 7515 §4.1.11: a recipient must refuse critical extensions it does not understand.
    if (parts.header.contains("crit"))
        throw JwsError(JwsFault::malformed, "the grant's header has critical extensions this kiosk does not support");

    auto payload = base64url_decode(p64);
    if (!payload) throw JwsError(JwsFault::malformed, "the grant's payload is not base64url");
    parts.payload.assign(payload->begin(), payload->end());
    auto sig = base64url_decode(s64);
    if (!sig || sig->size() != 64) throw JwsError(JwsFault::malformed, "the grant's signature is not an Ed25519 signature");
    parts.signature = std::move(*sig);
    parts.signing_input.assign(compact.substr(0, h64.size() + 1 + p64.size()));
    return parts;
}

std::string jws_verify(std::string_view compact, const VerifyKey& key) {
    JwsParts parts = jws_parse(compact);
    if (!key.verify(parts.signing_input, parts.signature))
        throw JwsError(JwsFault::bad_signature, "the signature does not verify with the issuer's key");
    return std::move(parts.payload);
}

std::string jws_sign(const SigningKey& key, std::string_view payload, const nlohmann::json& extra_header) {
    nlohmann::json header = extra_header.is_object() ? extra_header : nlohmann::json::object();
    header["alg"] = "EdDSA";
    header["kid"] = key.public_key().thumbprint();
    std::string input = base64url_encode(header.dump()) + "." + base64url_encode(payload);
    const auto sig = key.sign(input);
    return input + "." + base64url_encode(std::span<const uint8_t>(sig));
}

}  // namespace courtplay::auth
