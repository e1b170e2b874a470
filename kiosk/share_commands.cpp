#include "kiosk/share_commands.h"

#include "auth/court_time.h"
#include "auth/jws.h"
#include "audit/event.h"
#include "auth/share_service.h"
#include "kiosk/audit_trail.h"
#include "kiosk/exit_codes.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

namespace courtplay::kiosk {
int run_redeem(const std::string& config_file, const std::string& token) {
    namespace type = audit::event_type;
    try {
        const config::KioskConfig cfg = config::load_kiosk_config(config_file);
        const std::unique_ptr<AuditTrail> trail = open_audit_trail(cfg);
        if (!trail) return exit_code::audit;
        auth::ShareService service(cfg);
        auth::RedeemOutcome out = service.redeem(token, auth::unix_now());
        if (out.refusal) {
            trail->record(type::token_refused, std::nullopt, {{"reason", out.refusal->code}});
            std::fprintf(stderr, "courtplay: share refused: %s\n", out.refusal->message.c_str());
            return exit_code::refused;
        }
        const auth::Grant& grant = out.redemption->grant;
        trail->subject.share_id = grant.share_id;
        trail->subject.party = auth::party_name(grant.party);
        trail->record(type::token_redeemed, std::nullopt, {{"case", grant.case_ref}, {"for", "redeem"}});
        trail->record(type::grant_verified, std::nullopt, {{"grant_id", grant.grant_id}, {"issuer", grant.issuer}});
        std::printf("%s\n", auth::grant_summary(grant).dump(2).c_str());
        return exit_code::ok;
    } catch (const config::ConfigError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::bad_arguments;
    } catch (const auth::NetworkError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::network;
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return exit_code::audit;
    }
}

int run_jws_verify(const std::string& jwk_file, const std::string& jws_file) {
    std::string jws;
    if (jws_file.empty() || jws_file == "-") {
        jws.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
        std::ifstream in(jws_file, std::ios::binary);
        if (!in) {
            std::fprintf(stderr, "courtplay: %s cannot be read\n", jws_file.c_str());
            return 2;
        }
        jws.assign(std::istreambuf_iterator<char>(in), {});
    }
    // A grant saved from a terminal usually ends with a newline; the JWS itself has no whitespace.
    while (!jws.empty() && (jws.back() == '\n' || jws.back() == '\r' || jws.back() == ' ')) jws.pop_back();
    try {
        const auth::VerifyKey key = auth::VerifyKey::load_jwk(jwk_file);
        const std::string payload = auth::jws_verify(jws, key);
        std::fwrite(payload.data(), 1, payload.size(), stdout);
        return 0;
    } catch (const auth::KeyError& e) {
        std::fprintf(stderr, "courtplay: %s\n", e.what());
        return 2;
    } catch (const auth::JwsError& e) {
        std::fprintf(stderr, "courtplay: does not verify: %s\n", e.what());
        return 1;
    }
}

}  // namespace courtplay::kiosk
