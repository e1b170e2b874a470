// `courtplay-server share create | onward | revoke | list`.
#include "auth/court_time.h"
#include "auth/share_token.h"
#include "server/commands.h"
#include "server/data_folder.h"
#include "server/shares.h"
#include "server/store.h"

#include <cstdio>
#include <stdexcept>

namespace courtplay::server {
namespace {

Store open_store(const std::filesystem::path& data) {
    const DataFolder d(data);
    d.require_initialised();
    return Store::open(d.database());
}

// The share a person named, by id ("sh_...") or by its token in any form a clerk might type it.
ShareRecord find_named_share(Store& store, const std::string& text) {
    if (text.rfind("sh_", 0) == 0) {
        if (auto s = store.find_share(text)) return *s;
        throw std::runtime_error("there is no share " + text + ": see `courtplay-server share list`");
    }
    const auth::TokenReading reading = auth::read_share_token(text);
    if (!reading.token) {
        throw std::runtime_error("`" + text + "` is neither a share id (sh_...) nor a share token: " + reading.problem);
    }
    if (auto s = store.find_share_by_token_hash(sha256_hex(*reading.token))) return *s;
    throw std::runtime_error("no share has this token: check it, or find the share with `courtplay-server share list`");
}

ShareRequest read_request(const ShareOptions& o, int64_t now) {
    ShareRequest r;
    const auto party = auth::parse_party(o.party);
    if (!party) throw ShareError("--party `" + o.party + "` is not a party: give cps or defence");
    r.party = *party;
    r.case_ref = o.case_ref;
    r.clip_ids = parse_clip_list(o.clips);
    const auto perms = auth::parse_perms(o.perms);
    if (!perms) throw ShareError("--perms `" + o.perms + "` is not a list of view, cache, cast (for example view,cache)");
    r.perms = *perms;
    r.expires_at = parse_expiry_arg(o.expires, now);
    r.kiosk = o.kiosk;
    for (const std::string& s : o.segments) r.segments.push_back(parse_segment_arg(s));
    r.reshare = o.reshare;
    return r;
}

ClipLookup lookup_in(Store& store) {
    return [&store](const std::string& id) { return store.find_clip(id); };
}

void announce(const ShareRecord& s) {
    // stdout carries the token only (scripts read it); the rest is for the person at the terminal.
    std::fprintf(stderr, "courtplay-server: share %s for the %s, case %s, %zu clip%s, expires %s (%s)%s%s%s\n",
                 s.id.c_str(), auth::party_banner(s.party), s.case_ref.c_str(), s.clips.size(),
                 s.clips.size() == 1 ? "" : "s", auth::uk_date_time(s.expires_at).c_str(),
                 auth::iso8601_utc(s.expires_at).c_str(), s.kiosk ? (", kiosk " + *s.kiosk).c_str() : "",
                 s.reshare ? ", may be shared onward" : "",
                 s.parent_id ? (", onward from " + *s.parent_id).c_str() : "");
}

}  // namespace

void run_share_create(const ShareOptions& o) {
    Store store = open_store(o.data);
    const int64_t now = unix_now();
    const std::string token = auth::make_share_token();
    const ShareRecord share =
        plan_share(read_request(o, now), lookup_in(store), now, random_id("sh_", 12), sha256_hex(token));
    store.add_share(share);
    announce(share);
    std::printf("%s\n", token.c_str());
}

void run_share_onward(const ShareOptions& o) {
    Store store = open_store(o.data);
    const int64_t now = unix_now();
    const ShareRecord source = find_named_share(store, o.from);
    const std::string token = auth::make_share_token();
    const ShareRecord share =
        plan_onward(source, read_request(o, now), lookup_in(store), now, random_id("sh_", 12), sha256_hex(token));
    store.add_share(share);
    announce(share);
    std::printf("%s\n", token.c_str());
}

void run_share_revoke(const std::filesystem::path& data, const std::string& share_or_token) {
    Store store = open_store(data);
    const ShareRecord share = find_named_share(store, share_or_token);
    const int64_t now = unix_now();
    const std::vector<std::string> onward = store.revoke_share(share.id, now);
    if (share.revoked_at) {
        std::printf("share %s (case %s, %s) was already revoked on %s.", share.id.c_str(), share.case_ref.c_str(),
                    auth::party_banner(share.party), auth::uk_date_time(*share.revoked_at).c_str());
    } else {
        std::printf("revoked share %s (case %s, %s): kiosks can no longer redeem it or fetch its clips, and open "
                    "sessions end at their next status check.",
                    share.id.c_str(), share.case_ref.c_str(), auth::party_banner(share.party));
    }
    if (onward.empty()) {
        std::printf(" No onward shares%s.\n", share.revoked_at ? " needed revoking" : " were made from it");
    } else {
        std::string ids;
        for (const std::string& id : onward) ids += (ids.empty() ? "" : ", ") + id;
        std::printf(" Also revoked its %zu onward share%s: %s.\n", onward.size(), onward.size() == 1 ? "" : "s",
                    ids.c_str());
    }
}

void run_share_list(const std::filesystem::path& data) {
    Store store = open_store(data);
    const auto shares = store.list_shares();
    if (shares.empty()) {
        std::printf("no shares yet: make one with `courtplay-server share create`\n");
        return;
    }
    const int64_t now = unix_now();
    std::printf("%-16s %-8s %-8s %-16s %-21s %-12s %-16s %s\n", "SHARE", "PARTY", "STATE", "CASE", "EXPIRES", "KIOSK",
                "FROM", "CLIPS");
    for (const ShareRecord& s : shares) {
        std::string clips;
        for (const ShareClip& c : s.clips) {
            clips += (clips.empty() ? "" : " ") + c.clip_id + "(" + auth::perms_csv(c.perms);
            if (c.segment) {
                char seg[64];
                std::snprintf(seg, sizeof seg, " %.3f-%.3f", static_cast<double>(c.segment->in_ms) / 1000.0,
                              static_cast<double>(c.segment->out_ms) / 1000.0);
                clips += seg;
            }
            clips += ")";
        }
        std::printf("%-16s %-8s %-8s %-16s %-21s %-12s %-16s %s%s\n", s.id.c_str(), auth::party_name(s.party),
                    share_state_name(share_state(s, now)), s.case_ref.c_str(), auth::iso8601_utc(s.expires_at).c_str(),
                    s.kiosk ? s.kiosk->c_str() : "-", s.parent_id ? s.parent_id->c_str() : "-", clips.c_str(),
                    s.reshare ? " [reshare]" : "");
    }
}

}  // namespace courtplay::server
