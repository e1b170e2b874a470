#include "auth/grant.h"

#include "auth/court_time.h"
#include "auth/jws.h"

#include <algorithm>
#include <set>

namespace courtplay::auth {
using nlohmann::json;

const char* party_name(Party p) { return p == Party::cps ? "cps" : "defence"; }
const char* party_banner(Party p) { return p == Party::cps ? "CPS" : "DEFENCE"; }
std::optional<Party> parse_party(std::string_view name) {
    if (name == "cps") return Party::cps;
    if (name == "defence") return Party::defence;
    return std::nullopt;
}

bool Perms::covers(const Perms& n) const {
    return (view || !n.view) && (cache || !n.cache) && (cast || !n.cast);
}

std::optional<Perms> parse_perms(std::string_view csv) {
    Perms p;
    while (!csv.empty()) {
        const size_t comma = csv.find(',');
        const std::string_view word = csv.substr(0, comma);
        if (word == "view") p.view = true;
        else if (word == "cache") p.cache = true;
        else if (word == "cast") p.cast = true;
        else return std::nullopt;
        if (comma == std::string_view::npos) break;
        csv.remove_prefix(comma + 1);
    }
    if (!p.view && !p.cache && !p.cast) return std::nullopt;
    return p;
}

std::string perms_csv(const Perms& p) {
    std::string out;
    for (auto [on, word] : {std::pair{p.view, "view"}, {p.cache, "cache"}, {p.cast, "cast"}})
        if (on) out += (out.empty() ? "" : ",") + std::string(word);
    return out;
}

const GrantClip* Grant::find_clip(std::string_view id) const {
    auto it = std::find_if(clips.begin(), clips.end(), [&](const GrantClip& c) { return c.id == id; });
    return it == clips.end() ? nullptr : &*it;
}

namespace {
json perms_json(const Perms& p) {
    json a = json::array();
    if (p.view) a.push_back("view");
    if (p.cache) a.push_back("cache");
    if (p.cast) a.push_back("cast");
    return a;
}

json segment_json(const std::optional<Segment>& s) {
    if (!s) return nullptr;
    return {{"in_ms", s->in_ms}, {"out_ms", s->out_ms}};
}

// The same shape in the signed claims and in `courtplay redeem`'s output.
json clips_json(const std::vector<GrantClip>& clips) {
    json out = json::array();
    for (const GrantClip& c : clips)
        out.push_back({{"id", c.id}, {"title", c.title}, {"sha256", c.sha256}, {"bytes", c.bytes},
                       {"duration_ms", c.duration_ms}, {"recorded_at", c.recorded_at}, {"device", c.device},
                       {"url", c.url}, {"segment", segment_json(c.segment)}, {"perms", perms_json(c.perms)}});
    return out;
}

// Reads claims strictly: a claim of the wrong type is an error naming it, never a default.
struct ClaimReader {
    const json& obj;
    std::string where;

    const json& need(const char* name) const {
        auto it = obj.find(name);
        if (it == obj.end()) throw GrantFormatError(where + "\"" + name + "\" is missing");
        return *it;
    }
    std::string text(const char* name) const {
        const json& v = need(name);
        if (!v.is_string()) throw GrantFormatError(where + "\"" + name + "\" must be a string");
        return v.get<std::string>();
    }
    std::optional<std::string> optional_text(const char* name) const {
        auto it = obj.find(name);
        if (it == obj.end() || it->is_null()) return std::nullopt;
        return text(name);
    }
    int64_t number(const char* name, int64_t min = 0) const {
        const json& v = need(name);
        if (!v.is_number_integer()) throw GrantFormatError(where + "\"" + name + "\" must be a whole number");
        const int64_t n = v.get<int64_t>();
        if (n < min) throw GrantFormatError(where + "\"" + name + "\" is out of range");
        return n;
    }
    bool flag(const char* name) const {
        const json& v = need(name);
        if (!v.is_boolean()) throw GrantFormatError(where + "\"" + name + "\" must be true or false");
        return v.get<bool>();
    }
};

bool is_sha256_hex(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

GrantClip clip_from_claims(const json& c, size_t index) {
    const std::string where = "clip " + std::to_string(index + 1) + ": ";
    if (!c.is_object()) throw GrantFormatError(where + "must be an object");
    ClaimReader r{c, where};
    GrantClip clip;
    clip.id = r.text("id");
    if (clip.id.empty()) throw GrantFormatError(where + "\"id\" is empty");
    clip.title = r.text("title");
    clip.sha256 = r.text("sha256");
    if (!is_sha256_hex(clip.sha256)) throw GrantFormatError(where + "\"sha256\" must be 64 lower-case hex digits");
    clip.bytes = r.number("bytes");
    clip.duration_ms = r.number("duration_ms");
    clip.recorded_at = r.optional_text("recorded_at").value_or("");
    clip.device = r.optional_text("device").value_or("");
    clip.url = r.text("url");
    if (clip.url.rfind("https://", 0) != 0) throw GrantFormatError(where + "\"url\" must be an https:// address");
    if (auto seg = c.find("segment"); seg != c.end() && !seg->is_null()) {
        if (!seg->is_object()) throw GrantFormatError(where + "\"segment\" must be an object or null");
        ClaimReader s{*seg, where + "segment "};
        clip.segment = Segment{s.number("in_ms"), s.number("out_ms")};
        if (clip.segment->out_ms <= clip.segment->in_ms)
            throw GrantFormatError(where + "the segment ends before it starts");
    }
    const json& perms = r.need("perms");
    if (!perms.is_array()) throw GrantFormatError(where + "\"perms\" must be a list");
    for (const json& p : perms) {
        if (p == "view") clip.perms.view = true;
        else if (p == "cache") clip.perms.cache = true;
        else if (p == "cast") clip.perms.cast = true;
        else throw GrantFormatError(where + "\"perms\" has an unknown permission " + p.dump());
    }
    return clip;
}

Refusal refused(std::string code, std::string message) { return Refusal{std::move(code), std::move(message)}; }
}  // namespace

json grant_to_claims(const Grant& g) {
    json claims = {{"jti", g.grant_id},      {"iss", g.issuer},         {"party", party_name(g.party)},
                   {"share_id", g.share_id}, {"case", g.case_ref},      {"iat", g.issued_at},
                   {"nbf", g.not_before},    {"exp", g.expires_at},     {"reshare", g.reshare},
                   {"watermark", g.watermark}, {"clips", clips_json(g.clips)}};
    if (g.kiosk) claims["kiosk"] = *g.kiosk;
    if (g.court) claims["court"] = *g.court;
    return claims;
}

Grant grant_from_claims(const json& claims) {
    if (!claims.is_object()) throw GrantFormatError("the claims are not a JSON object");
    ClaimReader r{claims, ""};
    Grant g;
    g.grant_id = r.text("jti");
    g.issuer = r.text("iss");
    const std::string party = r.text("party");
    auto p = parse_party(party);
    if (!p) throw GrantFormatError("\"party\" must be \"cps\" or \"defence\", not \"" + party + "\"");
    g.party = *p;
    g.share_id = r.text("share_id");
    g.case_ref = r.text("case");
    g.kiosk = r.optional_text("kiosk");
    g.court = r.optional_text("court");
    g.issued_at = r.number("iat");
    g.not_before = r.number("nbf");
    g.expires_at = r.number("exp");
    if (g.expires_at <= g.not_before) throw GrantFormatError("\"exp\" is not after \"nbf\"");
    g.reshare = r.flag("reshare");
    g.watermark = r.text("watermark");
    const json& clips = r.need("clips");
    if (!clips.is_array()) throw GrantFormatError("\"clips\" must be a list");
    std::set<std::string> ids;
    for (size_t i = 0; i < clips.size(); ++i) {
        g.clips.push_back(clip_from_claims(clips[i], i));
        if (!ids.insert(g.clips.back().id).second)
            throw GrantFormatError("clip \"" + g.clips.back().id + "\" is listed twice");
    }
    return g;
}

json grant_summary(const Grant& g) {
    return {{"party", party_name(g.party)},
            {"issuer", g.issuer},
            {"share_id", g.share_id},
            {"grant_id", g.grant_id},
            {"case", g.case_ref},
            {"kiosk", g.kiosk ? json(*g.kiosk) : json(nullptr)},
            {"issued_at", iso8601_utc(g.issued_at)},
            {"not_before", iso8601_utc(g.not_before)},
            {"expires_at", iso8601_utc(g.expires_at)},
            {"not_before_unix", g.not_before},
            {"expires_at_unix", g.expires_at},
            {"reshare", g.reshare},
            {"watermark", g.watermark},
            {"clips", clips_json(g.clips)}};
}

std::optional<Refusal> check_grant_now(const Grant& g, const GrantCheck& check) {
    if (check.now + check.clock_skew_s < g.not_before)
        return refused("not_yet_valid", "This share cannot be used until " + uk_date_time(g.not_before) +
                                            ". Check the kiosk's clock, or try again then.");
    if (check.now - check.clock_skew_s >= g.expires_at)
        return refused("expired", "This share expired on " + uk_date_time(g.expires_at) +
                                      ". Ask the party that shared it for a new share code.");
    if (g.kiosk && *g.kiosk != check.kiosk_id)
        return refused("wrong_kiosk", "This share is for kiosk \"" + *g.kiosk + "\", not this one (\"" +
                                          check.kiosk_id + "\"). Ask for it to be shared to this courtroom.");
    return std::nullopt;
}

std::optional<Refusal> check_clip(const Grant& g, std::string_view clip_id, bool need_view, bool need_cache,
                                  bool need_cast) {
    const GrantClip* c = g.find_clip(clip_id);
    if (!c)
        return refused("clip_not_granted", "This share does not include clip \"" + std::string(clip_id) +
                                               "\". Only the clips listed on screen can be played.");
    auto missing = [&](bool need, bool have, const char* what) -> std::optional<Refusal> {
        if (need && !have)
            return refused("not_permitted", "This share does not allow clip \"" + c->title + "\" to be " + what + ".");
        return std::nullopt;
    };
    if (auto r = missing(need_view, c->perms.view, "viewed")) return r;
    if (auto r = missing(need_cache, c->perms.cache, "stored on this kiosk")) return r;
    return missing(need_cast, c->perms.cast, "shown on court screens");
}

VerifiedGrant verify_grant(std::string_view jws, const TrustStore& trust, const GrantCheck& check) {
    const std::string ask_it = " Ask court IT to check the share service.";
    JwsParts parts;
    try {
        parts = jws_parse(jws);
    } catch (const JwsError& e) {
        return {std::nullopt, refused(e.fault == JwsFault::unsupported_alg ? "unsupported_alg" : "malformed",
                                      std::string("The share could not be checked: ") + e.what() + "." + ask_it)};
    }
    // Pick the trusted key by the header's key id; without one, any trusted key may have signed it.
    const TrustedIssuer* signer = nullptr;
    Party signer_party = Party::cps;
    std::string kid;
    if (auto it = parts.header.find("kid"); it != parts.header.end() && it->is_string()) kid = *it;
    bool kid_known = false;
    for (const auto& [party, issuer] : trust) {
        if (!kid.empty() && issuer.key.thumbprint() != kid) continue;
        kid_known = true;
        if (issuer.key.verify(parts.signing_input, parts.signature)) {
            signer = &issuer;
            signer_party = party;
            break;
        }
    }
    if (!signer) {
        if (!kid_known)
            return {std::nullopt, refused("untrusted_issuer", "The share was issued by a party this kiosk does not trust." + ask_it)};
        return {std::nullopt, refused("bad_signature", "The share's signature does not verify: it was altered or "
                                                       "not issued by a trusted party." + ask_it)};
    }
    Grant g;
    try {
        json claims = json::parse(parts.payload, nullptr, false);
        if (claims.is_discarded()) throw GrantFormatError("the claims are not JSON");
        g = grant_from_claims(claims);
    } catch (const GrantFormatError& e) {
        return {std::nullopt, refused("malformed", std::string("The share's contents are not valid: ") + e.what() + "." + ask_it)};
    }
    // A key trusted for one party must not vouch for a share to the other.
    if (g.party != signer_party || g.issuer != signer->issuer)
        return {std::nullopt, refused("untrusted_issuer", "The share names issuer \"" + g.issuer + "\" for the " +
                                                              party_banner(g.party) + ", which this kiosk does not trust for that party." + ask_it)};
    if (auto r = check_grant_now(g, check)) return {std::nullopt, r};
    return {std::move(g), std::nullopt};
}

}  // namespace courtplay::auth
