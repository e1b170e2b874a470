#include "auth/share_service.h"

#include "auth/share_token.h"

namespace courtplay::auth {
using nlohmann::json;

TrustStore load_trust(const config::KioskConfig& cfg) {
    TrustStore trust;
    for (const auto& [party_name, issuer] : cfg.issuers) {
        auto party = parse_party(party_name);
        if (!party) throw config::ConfigError(cfg.file.string() + ": table `trust." + party_name + "`: not a party");
        try {
            trust.emplace(*party, TrustedIssuer{issuer.issuer, VerifyKey::load_jwk(issuer.key)});
        } catch (const KeyError& e) {
            throw config::ConfigError(cfg.file.string() + ": key `trust." + party_name + ".key`: " + e.what());
        }
    }
    return trust;
}

ShareService::ShareService(const config::KioskConfig& cfg)
    : base_url_(cfg.service.url),
      kiosk_id_(cfg.kiosk_id),
      clock_skew_s_(cfg.clock_skew_s),
      trust_(load_trust(cfg)),
      http_(TlsPolicy{cfg.service.ca_file, cfg.service.spki_pin, cfg.service.timeout_s}) {}

namespace {
// The service's refusals, in the words a clerk needs. Unknown codes fall back to its own message.
Refusal service_refusal(const HttpResponse& r) {
    json body = json::parse(r.body, nullptr, false);
    const std::string code = body.is_object() && body.value("error", json()).is_string() ? body["error"].get<std::string>() : "";
    const std::string said = body.is_object() && body.value("message", json()).is_string() ? body["message"].get<std::string>() : "";
    if (code == "unknown_token")
        return {code, "This share code is not recognised. Check it against the share letter and try again."};
    if (code == "revoked")
        return {code, "This share has been withdrawn by the party that shared it. Ask them for a new share code."};
    if (code == "expired")
        return {code, "This share has expired. Ask the party that shared it for a new share code."};
    if (code == "wrong_kiosk")
        return {code, "This share is for a different courtroom kiosk. Ask for it to be shared to this one."};
    if (code == "rate_limited") {
        std::string wait = r.retry_after.empty() ? "a few minutes" : r.retry_after + " seconds";
        return {code, "Too many wrong share codes have been tried on this kiosk. Wait " + wait + " and try again."};
    }
    if (!code.empty() && !said.empty()) return {code, said};
    throw NetworkError(false, "the share service answered HTTP " + std::to_string(r.status) +
                                  " without saying why; ask court IT to check the service");
}

std::string text_member(const json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
        throw NetworkError(false, std::string("the share service's answer has no \"") + name +
                                      "\"; ask court IT to check the service version");
    return it->get<std::string>();
}
}  // namespace

RedeemOutcome ShareService::redeem(std::string_view typed_token, int64_t now) {
    TokenReading token = read_share_token(typed_token);
    if (!token.token) return {std::nullopt, Refusal{"mistyped", token.problem}};

    const HttpResponse r = http_.post_json(base_url_ + "/v1/redeem", json{{"token", *token.token}, {"kiosk", kiosk_id_}}.dump());
    if (r.status != 200) return {std::nullopt, service_refusal(r)};
    json body = json::parse(r.body, nullptr, false);
    if (!body.is_object()) throw NetworkError(false, "the share service's answer is not JSON; ask court IT to check the service");

    Redemption out;
    out.jws = text_member(body, "grant");
    out.access_token = text_member(body, "access_token");
    out.status_url = text_member(body, "status_url");
    // The bearer token goes only to the configured service, whatever the answer says.
    if (out.status_url.rfind(base_url_ + "/", 0) != 0)
        throw NetworkError(false, "the share service pointed the kiosk at another server (" + out.status_url + ")");
    VerifiedGrant v = verify_grant(out.jws, trust_, check_at(now));
    if (!v.grant) return {std::nullopt, v.refusal};
    out.grant = std::move(*v.grant);
    return {std::move(out), std::nullopt};
}

ShareState ShareService::status(const Redemption& red) {
    const HttpResponse r = http_.get(red.status_url, red.access_token);
    json body = json::parse(r.body, nullptr, false);
    if (r.status == 200 && body.is_object()) {
        const std::string state = body.value("state", json()).is_string() ? body["state"].get<std::string>() : "";
        if (state == "active") return ShareState::active;
        if (state == "revoked") return ShareState::revoked;
        if (state == "expired") return ShareState::expired;
    }
    if (r.status == 410) return ShareState::revoked;
    throw NetworkError(false, "the share service did not say whether the share stands (HTTP " +
                                  std::to_string(r.status) + ")");
}

}  // namespace courtplay::auth
