// Untrusted bytes as a grant: the JWS parser, the claims decoder and the checks must refuse
// anything malformed with a reason, never crash, hang or read out of bounds. The bytes are also
// signed with a trusted key, so the claims decoder is reached with payloads the fuzzer controls.
#include "auth/base64url.h"
#include "auth/grant.h"
#include "auth/jws.h"

#include <cstdint>
#include <string>

using namespace courtplay::auth;

namespace {
const SigningKey& issuer_key() {
    static const SigningKey key = SigningKey::from_raw(std::vector<uint8_t>(32, 7));
    return key;
}
const TrustStore& trust() {
    static const TrustStore t{{Party::cps, {"https://svc/issuers/cps", issuer_key().public_key()}}};
    return t;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    const GrantCheck check{1796000000, 120, "kiosk-1"};
    // As a whole compact JWS.
    VerifiedGrant v = verify_grant(bytes, trust(), check);
    if (v.grant) {
        (void)grant_summary(*v.grant);
        (void)check_clip(*v.grant, "clip-1", true, true, true);
    }
    // As the payload of a correctly signed JWS.
    v = verify_grant(jws_sign(issuer_key(), bytes), trust(), check);
    if (v.grant) (void)grant_summary(*v.grant);
    // As a JWK.
    auto jwk = nlohmann::json::parse(bytes, nullptr, false);
    if (!jwk.is_discarded()) {
        try {
            (void)VerifyKey::from_jwk(jwk).thumbprint();
        } catch (const KeyError&) {
        }
    }
    return 0;
}
