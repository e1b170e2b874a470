// What a redemption hands out: the grant for a share (pure: built from the share, its clips and the
// service's URLs), signed by the share's party.
#pragma once

#include "auth/grant.h"
#include "server/store.h"

#include <string>
#include <vector>

namespace courtplay::server {

struct GrantUrls {
    std::string issuer_base;  // "https://NAME:PORT" as given to init: the issuers the kiosk trusts
    std::string public_base;  // "https://NAME:PORT" where this service answers now: clip URLs
};

// `clips` holds the ClipRecord of every clip in the share, in any order. Throws std::runtime_error if
// one is missing (the database lost a clip the share names).
auth::Grant make_grant(const ShareRecord& share, const std::vector<ClipRecord>& clips, const GrantUrls& urls,
                       const std::string& grant_id, int64_t now);

std::string issuer_url(const std::string& issuer_base, auth::Party party);  // BASE/issuers/<party>

}  // namespace courtplay::server
