// Grants: JWS EdDSA against RFC 8037's vectors, every way a grant is refused, and key files.
#include "auth/base64url.h"
#include "auth/grant.h"
#include "auth/jws.h"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

using namespace courtplay::auth;
using nlohmann::json;

namespace {
// RFC 8037 appendix A.
const json kRfcPrivate = {{"kty", "OKP"}, {"crv", "Ed25519"},
                          {"d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"},
                          {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}};
const std::string kRfcJws =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

SigningKey rfc_key() { return SigningKey::from_raw(*base64url_decode(kRfcPrivate["d"].get<std::string>())); }

std::string b64(const std::string& s) { return base64url_encode(s); }

// Signs an arbitrary header and payload, so tests can make grants the service never would.
std::string sign_raw(const SigningKey& key, const std::string& header, const std::string& payload) {
    const std::string input = b64(header) + "." + b64(payload);
    const auto sig = key.sign(input);
    return input + "." + base64url_encode(std::span<const uint8_t>(sig));
}

constexpr int64_t kNow = 1796000000;  // 2026-11-30

Grant sample_grant(Party party = Party::cps) {
    Grant g;
    g.grant_id = "gr_1";
    g.issuer = party == Party::cps ? "https://svc/issuers/cps" : "https://svc/issuers/defence";
    g.party = party;
    g.share_id = "sh_ABC";
    g.case_ref = "01YZ1234526";
    g.issued_at = kNow - 60;
    g.not_before = kNow - 3600;
    g.expires_at = kNow + 3600;
    g.watermark = "CPS 01YZ1234526 sh_ABC";
    GrantClip c;
    c.id = "clip-1";
    c.title = "Body-worn camera, PC 1234";
    c.sha256 = std::string(64, 'a');
    c.bytes = 1000;
    c.duration_ms = 10000;
    c.url = "https://svc/v1/clips/clip-1";
    c.perms.view = true;
    c.segment = Segment{2000, 6000};
    g.clips.push_back(c);
    return g;
}

struct Issuers {
    SigningKey cps = SigningKey::generate();
    SigningKey defence = SigningKey::generate();
    TrustStore trust() const {
        return {{Party::cps, {"https://svc/issuers/cps", cps.public_key()}},
                {Party::defence, {"https://svc/issuers/defence", defence.public_key()}}};
    }
};

GrantCheck at(int64_t now, std::string kiosk = "kiosk-1") { return GrantCheck{now, 120, std::move(kiosk)}; }

std::string refusal_code(const VerifiedGrant& v) { return v.refusal ? v.refusal->code : "accepted"; }
}  // namespace

TEST_CASE("RFC 8037 A.3: the JWK thumbprint of the example key") {
    CHECK(VerifyKey::from_jwk(kRfcPrivate).thumbprint() == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    CHECK(rfc_key().public_key().raw() == VerifyKey::from_jwk(kRfcPrivate).raw());
}

TEST_CASE("RFC 8037 A.4 and A.5: signing is deterministic and the example verifies") {
    const auto sig = rfc_key().sign("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc");
    CHECK(base64url_encode(std::span<const uint8_t>(sig)) == kRfcJws.substr(kRfcJws.rfind('.') + 1));
    CHECK(jws_verify(kRfcJws, VerifyKey::from_jwk(kRfcPrivate)) == "Example of Ed25519 signing");
}

TEST_CASE("A JWS that was tampered with does not verify") {
    const VerifyKey key = VerifyKey::from_jwk(kRfcPrivate);
    const size_t d1 = kRfcJws.find('.'), d2 = kRfcJws.rfind('.');
    auto fault_of = [&](const std::string& jws) {
        try {
            jws_verify(jws, key);
            return std::string("verified");
        } catch (const JwsError& e) {
            return std::string(e.fault == JwsFault::bad_signature ? "bad_signature"
                               : e.fault == JwsFault::unsupported_alg ? "unsupported_alg" : "malformed");
        }
    };
    SECTION("payload") {
        CHECK(fault_of(kRfcJws.substr(0, d1 + 1) + b64("Example of Ed25519 signinG") + kRfcJws.substr(d2)) == "bad_signature");
    }
    SECTION("header, still EdDSA") {
        CHECK(fault_of(b64(R"({"alg":"EdDSA","kid":"x"})") + kRfcJws.substr(d1)) == "bad_signature");
    }
    SECTION("every bit of the signature") {
        std::vector<uint8_t> sig = *base64url_decode(kRfcJws.substr(d2 + 1));
        for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
            auto flipped = sig;
            flipped[bit / 8] ^= uint8_t(1u << (bit % 8));
            INFO("bit " << bit);
            REQUIRE(fault_of(kRfcJws.substr(0, d2 + 1) + base64url_encode(std::span<const uint8_t>(flipped))) == "bad_signature");
        }
    }
    SECTION("signature cut short, missing or extended") {
        CHECK(fault_of(kRfcJws.substr(0, kRfcJws.size() - 4)) == "malformed");
        CHECK(fault_of(kRfcJws.substr(0, d2 + 1)) == "malformed");
        CHECK(fault_of(kRfcJws + "AAAA") == "malformed");
    }
    SECTION("structure") {
        CHECK(fault_of("") == "malformed");
        CHECK(fault_of("a.b") == "malformed");
        CHECK(fault_of(kRfcJws + ".x") == "malformed");
        CHECK(fault_of("!!!" + kRfcJws.substr(d1)) == "malformed");
        CHECK(fault_of(b64("[1,2]") + kRfcJws.substr(d1)) == "malformed");
        CHECK(fault_of(b64(R"({"alg":"EdDSA","crit":["exp"]})") + kRfcJws.substr(d1)) == "malformed");
    }
    SECTION("any algorithm but EdDSA, including none") {
        const std::string rest = kRfcJws.substr(d1);
        for (const char* alg : {"none", "None", "HS256", "RS256", "ES256", "eddsa", "Ed25519", ""})
            CHECK(fault_of(b64(std::string(R"({"alg":")") + alg + "\"}") + rest) == "unsupported_alg");
        CHECK(fault_of(b64(R"({"alg":null})") + rest) == "malformed");
        CHECK(fault_of(b64(R"({"typ":"JWT"})") + rest) == "malformed");
        // The classic "none" attack: no signature at all.
        CHECK(fault_of(b64(R"({"alg":"none"})") + "." + b64("{}") + ".") == "unsupported_alg");
    }
}

TEST_CASE("base64url is strict") {
    CHECK(base64url_decode("")->empty());
    CHECK(base64url_decode("QQ") == std::vector<uint8_t>{'A'});
    CHECK_FALSE(base64url_decode("QR"));    // non-zero trailing bits
    CHECK_FALSE(base64url_decode("QQ=="));  // padding
    CHECK_FALSE(base64url_decode("Q"));     // impossible length
    CHECK_FALSE(base64url_decode("Q+Q/"));  // standard alphabet
    for (size_t n = 0; n < 40; ++n) {
        std::vector<uint8_t> bytes(n);
        for (size_t i = 0; i < n; ++i) bytes[i] = uint8_t(i * 37 + n);
        REQUIRE(base64url_decode(base64url_encode(std::span<const uint8_t>(bytes))) == bytes);
    }
}

TEST_CASE("Grant claims round-trip through the signed payload") {
    Issuers keys;
    const Grant g = sample_grant();
    const auto v = verify_grant(jws_sign(keys.cps, grant_to_claims(g).dump()), keys.trust(), at(kNow));
    REQUIRE(refusal_code(v) == "accepted");
    CHECK(grant_to_claims(*v.grant) == grant_to_claims(g));
    CHECK(v.grant->clips.at(0).segment == Segment{2000, 6000});
    const json summary = grant_summary(*v.grant);
    for (const char* key : {"party", "share_id", "case", "not_before", "expires_at", "reshare", "watermark", "clips"})
        CHECK(summary.contains(key));
    CHECK(summary["party"] == "cps");
    CHECK(summary["clips"][0]["perms"] == json::array({"view"}));
    CHECK(summary["clips"][0]["segment"] == json({{"in_ms", 2000}, {"out_ms", 6000}}));
}

TEST_CASE("Every refusal reason, with words a person can act on") {
    Issuers keys;
    const TrustStore trust = keys.trust();
    auto signed_by = [](const SigningKey& k, const Grant& g) { return jws_sign(k, grant_to_claims(g).dump()); };

    SECTION("expired, allowing for clock skew") {
        Grant g = sample_grant();
        g.expires_at = 1796313600;  // 3 Dec 2026 16:00 UTC = 16:00 UK (GMT)
        const std::string jws = signed_by(keys.cps, g);
        CHECK(refusal_code(verify_grant(jws, trust, at(g.expires_at + 119))) == "accepted");
        const auto v = verify_grant(jws, trust, at(g.expires_at + 120));
        REQUIRE(refusal_code(v) == "expired");
        CHECK_THAT(v.refusal->message, Catch::StartsWith("This share expired on 3 Dec 2026 at 16:00"));
    }
    SECTION("not yet valid") {
        Grant g = sample_grant();
        g.not_before = kNow + 600;
        const auto v = verify_grant(signed_by(keys.cps, g), trust, at(kNow));
        REQUIRE(refusal_code(v) == "not_yet_valid");
        CHECK_THAT(v.refusal->message, Catch::Contains("cannot be used until"));
        CHECK(refusal_code(verify_grant(signed_by(keys.cps, g), trust, at(kNow + 480))) == "accepted");
    }
    SECTION("signed by a key the kiosk does not trust") {
        SigningKey stranger = SigningKey::generate();
        CHECK(refusal_code(verify_grant(signed_by(stranger, sample_grant()), trust, at(kNow))) == "untrusted_issuer");
    }
    SECTION("the defence's key cannot vouch for a CPS share, nor the CPS's for a defence share") {
        CHECK(refusal_code(verify_grant(signed_by(keys.defence, sample_grant(Party::cps)), trust, at(kNow))) == "untrusted_issuer");
        CHECK(refusal_code(verify_grant(signed_by(keys.cps, sample_grant(Party::defence)), trust, at(kNow))) == "untrusted_issuer");
    }
    SECTION("an issuer name the config does not list for that party") {
        Grant g = sample_grant();
        g.issuer = "https://elsewhere/issuers/cps";
        CHECK(refusal_code(verify_grant(signed_by(keys.cps, g), trust, at(kNow))) == "untrusted_issuer");
    }
    SECTION("a trusted key id but an altered payload") {
        const std::string jws = signed_by(keys.cps, sample_grant());
        Grant wider = sample_grant();
        wider.clips[0].perms.cast = true;
        const size_t d1 = jws.find('.'), d2 = jws.rfind('.');
        const std::string forged = jws.substr(0, d1 + 1) + b64(grant_to_claims(wider).dump()) + jws.substr(d2);
        CHECK(refusal_code(verify_grant(forged, trust, at(kNow))) == "bad_signature");
    }
    SECTION("a grant for another kiosk") {
        Grant g = sample_grant();
        g.kiosk = "kiosk-9";
        const auto v = verify_grant(signed_by(keys.cps, g), trust, at(kNow));
        REQUIRE(refusal_code(v) == "wrong_kiosk");
        CHECK_THAT(v.refusal->message, Catch::Contains("kiosk-9"));
        CHECK(refusal_code(verify_grant(signed_by(keys.cps, g), trust, at(kNow, "kiosk-9"))) == "accepted");
    }
    SECTION("alg none carrying real claims") {
        const std::string jws = b64(R"({"alg":"none"})") + "." + b64(grant_to_claims(sample_grant()).dump()) + ".";
        CHECK(refusal_code(verify_grant(jws, trust, at(kNow))) == "unsupported_alg");
    }
    SECTION("signed claims of the wrong shape are refused, not defaulted") {
        json claims = grant_to_claims(sample_grant());
        for (auto edit : std::vector<std::function<void(json&)>>{
                 [](json& c) { c.erase("exp"); },
                 [](json& c) { c["exp"] = "tomorrow"; },
                 [](json& c) { c["party"] = "police"; },
                 [](json& c) { c["reshare"] = 1; },
                 [](json& c) { c["clips"][0]["sha256"] = "ABC"; },
                 [](json& c) { c["clips"][0]["perms"] = json::array({"view", "download"}); },
                 [](json& c) { c["clips"][0]["url"] = "http://svc/clip"; },
                 [](json& c) { c["clips"][0]["segment"] = json({{"in_ms", 5}, {"out_ms", 5}}); },
                 [](json& c) { c["clips"].push_back(c["clips"][0]); },
                 [](json& c) { c["nbf"] = c["exp"]; },
             }) {
            json bad = claims;
            edit(bad);
            INFO(bad.dump());
            CHECK(refusal_code(verify_grant(sign_raw(keys.cps, R"({"alg":"EdDSA"})", bad.dump()), trust, at(kNow))) == "malformed");
        }
        CHECK(refusal_code(verify_grant(sign_raw(keys.cps, R"({"alg":"EdDSA"})", "not json"), trust, at(kNow))) == "malformed");
    }
}

TEST_CASE("A grant permits only the clips it lists, and only what each clip allows") {
    Grant g = sample_grant();
    CHECK_FALSE(check_clip(g, "clip-1", true, false, false));
    REQUIRE(check_clip(g, "clip-2", true, false, false));
    CHECK(check_clip(g, "clip-2", true, false, false)->code == "clip_not_granted");
    CHECK(check_clip(g, "clip-1", false, true, false)->code == "not_permitted");
    CHECK(check_clip(g, "clip-1", false, false, true)->code == "not_permitted");
    CHECK(parse_perms("view,cast")->covers(*parse_perms("cast")));
    CHECK_FALSE(parse_perms("view")->covers(*parse_perms("view,cache")));
    CHECK_FALSE(parse_perms("view,download"));
    CHECK(perms_csv(*parse_perms("cast,view")) == "view,cast");
}

TEST_CASE("Key files: private keys owner-only, public keys as JWK") {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("courtplay-keys-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    SigningKey k = SigningKey::generate();
    k.save_pem(dir / "issuer.key");
    k.public_key().save_jwk(dir / "issuer.jwk");
    struct stat st {};
    REQUIRE(::stat((dir / "issuer.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(SigningKey::load_pem(dir / "issuer.key").public_key().raw() == k.public_key().raw());
    CHECK(VerifyKey::load_jwk(dir / "issuer.jwk").raw() == k.public_key().raw());

    fs::permissions(dir / "issuer.key", fs::perms::group_read, fs::perm_options::add);
    CHECK_THROWS_WITH(SigningKey::load_pem(dir / "issuer.key"), Catch::Contains("chmod 600"));
    CHECK_THROWS_WITH(VerifyKey::load_jwk(dir / "missing.jwk"), Catch::Contains("missing.jwk"));
    std::ofstream(dir / "rsa.jwk") << R"({"kty":"RSA","n":"x","e":"AQAB"})";
    CHECK_THROWS_WITH(VerifyKey::load_jwk(dir / "rsa.jwk"), Catch::Contains("OKP"));
    fs::remove_all(dir);
}
