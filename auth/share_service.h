// The kiosk's side of a share: redeem a typed or scanned code with the share service, verify the
// grant it answers with, and ask later whether the share still stands. docs/api.md is the wire
// contract; docs/grant.md the claims.
#pragma once

#include "auth/grant.h"
#include "auth/https_client.h"
#include "config/kiosk_config.h"

#include <optional>
#include <string>

namespace courtplay::auth {

// A verified grant and what it takes to use it.
struct Redemption {
    Grant grant;
    std::string jws;           // the grant exactly as signed, kept for the audit trail
    std::string access_token;  // bearer for status and clip bytes; never written to disk
    std::string status_url;
};

struct RedeemOutcome {
    std::optional<Redemption> redemption;
    std::optional<Refusal> refusal;  // the token or the grant was refused: say why
};

enum class ShareState { active, revoked, expired };

// Reads the trusted issuers' keys named in the config. Throws config::ConfigError naming the key.
TrustStore load_trust(const config::KioskConfig& cfg);

class ShareService {
public:
    explicit ShareService(const config::KioskConfig& cfg);  // throws config::ConfigError

    // Refuses a mistyped code before any network call. Throws NetworkError when nothing
    // trustworthy came back (unreachable, TLS failure, an answer that is not the API's).
    RedeemOutcome redeem(std::string_view typed_token, int64_t now);
    // Asks the service whether the share still stands. Throws NetworkError.
    ShareState status(const Redemption& r);
    // The session is over: the connection is closed and nothing of its requests (the share's
    // address, its access token) is kept for the next.
    void end_session() { http_.close(); }

    const TrustStore& trust() const { return trust_; }
    GrantCheck check_at(int64_t now) const { return {now, clock_skew_s_, kiosk_id_}; }

private:
    std::string base_url_, kiosk_id_;
    int64_t clock_skew_s_;
    TrustStore trust_;
    HttpsClient http_;
};

}  // namespace courtplay::auth
