#include "server/grants.h"

#include <stdexcept>

namespace courtplay::server {

std::string issuer_url(const std::string& issuer_base, auth::Party party) {
    return issuer_base + "/issuers/" + auth::party_name(party);
}

auth::Grant make_grant(const ShareRecord& share, const std::vector<ClipRecord>& clips, const GrantUrls& urls,
                       const std::string& grant_id, int64_t now) {
    auth::Grant g;
    g.grant_id = grant_id;
    g.issuer = issuer_url(urls.issuer_base, share.party);
    g.party = share.party;
    g.share_id = share.id;
    g.case_ref = share.case_ref;
    g.kiosk = share.kiosk;
    g.issued_at = now;
    g.not_before = share.created_at;
    g.expires_at = share.expires_at;
    g.reshare = share.reshare;
    // The issuer's own line on every frame (the kiosk's template already names the party, case and
    // share): the protective marking and what this copy is.
    g.watermark = share.party == auth::Party::cps ? "OFFICIAL-SENSITIVE \u00b7 prosecution evidence"
                                                  : "OFFICIAL-SENSITIVE \u00b7 disclosed to the defence";
    for (const ShareClip& sc : share.clips) {
        const ClipRecord* clip = nullptr;
        for (const ClipRecord& c : clips) {
            if (c.id == sc.clip_id) clip = &c;
        }
        if (!clip) throw std::runtime_error("share " + share.id + " names clip " + sc.clip_id + ", which is missing");
        auth::GrantClip gc;
        gc.id = clip->id;
        gc.title = clip->title;
        gc.sha256 = clip->sha256;
        gc.bytes = clip->bytes;
        gc.duration_ms = clip->duration_ms;
        gc.recorded_at = clip->recorded_at;
        gc.device = clip->device;
        gc.url = urls.public_base + "/v1/clips/" + clip->id;
        gc.segment = sc.segment;
        gc.perms = sc.perms;
        g.clips.push_back(std::move(gc));
    }
    return g;
}

}  // namespace courtplay::server
