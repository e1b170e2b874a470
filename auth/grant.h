// The grant: what a share lets this kiosk do, as signed claims. docs/grant.md is the reference.
#pragma once

#include "auth/keys.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace courtplay::auth {

enum class Party { cps, defence };
const char* party_name(Party p);          // "cps", "defence"
const char* party_banner(Party p);        // "CPS", "DEFENCE"
std::optional<Party> parse_party(std::string_view name);

struct Perms {
    bool view = false, cache = false, cast = false;
    bool covers(const Perms& narrower) const;  // every permission of `narrower` is also here
    bool operator==(const Perms&) const = default;
};
// "view,cache" <-> Perms. parse_perms returns nullopt on an unknown word.
std::optional<Perms> parse_perms(std::string_view csv);
std::string perms_csv(const Perms& p);

struct Segment {
    int64_t in_ms = 0, out_ms = 0;
    bool operator==(const Segment&) const = default;
};

struct GrantClip {
    std::string id, title;
    std::string sha256;  // 64 lower-case hex digits
    int64_t bytes = 0;
    int64_t duration_ms = 0;
    std::string recorded_at;  // ISO 8601 UTC, or empty when unknown
    std::string device;       // camera / device id, or empty
    std::string url;          // absolute https URL of the clip bytes
    std::optional<Segment> segment;
    Perms perms;
};

struct Grant {
    std::string grant_id;  // "jti": unique per redemption
    std::string issuer;    // "iss"
    Party party = Party::cps;
    std::string share_id;
    std::string case_ref;  // URN
    std::optional<std::string> kiosk;  // the kiosk id it is for, if any
    std::optional<std::string> court;
    int64_t issued_at = 0, not_before = 0, expires_at = 0;  // Unix seconds (UTC)
    bool reshare = false;
    std::string watermark;
    std::vector<GrantClip> clips;

    const GrantClip* find_clip(std::string_view id) const;
};

// A claim missing or of the wrong type; what() names the claim.
struct GrantFormatError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

nlohmann::json grant_to_claims(const Grant& g);            // the JWS payload
Grant grant_from_claims(const nlohmann::json& claims);     // strict; throws GrantFormatError
// What `courtplay redeem` prints: the claims in the documented output shape.
nlohmann::json grant_summary(const Grant& g);

// Why a grant (or a token) is refused. `code` is stable for programs, `message` is for people.
struct Refusal {
    std::string code;
    std::string message;
};

// The issuers this kiosk trusts: one per party, from the config.
struct TrustedIssuer {
    std::string issuer;  // must equal the grant's "iss"
    VerifyKey key;
};
using TrustStore = std::map<Party, TrustedIssuer>;

struct GrantCheck {
    int64_t now = 0;             // Unix seconds
    int64_t clock_skew_s = 120;  // allowance either side of nbf / exp
    std::string kiosk_id;
};

// Verifies the JWS against the trusted issuers, decodes and checks every claim. Returns the grant,
// or the refusal (bad signature, untrusted issuer, malformed, expired, not yet valid, wrong kiosk).
struct VerifiedGrant {
    std::optional<Grant> grant;
    std::optional<Refusal> refusal;
};
VerifiedGrant verify_grant(std::string_view jws, const TrustStore& trust, const GrantCheck& check);
// Only the time and kiosk checks, for a grant already verified (e.g. expiry during playback).
std::optional<Refusal> check_grant_now(const Grant& g, const GrantCheck& check);
// "This share does not include clip X" when the clip is not listed or lacks the permission.
std::optional<Refusal> check_clip(const Grant& g, std::string_view clip_id, bool need_view, bool need_cache,
                                  bool need_cast);

}  // namespace courtplay::auth
