// The rules for making shares, as pure functions of the request, the clips and the clock: what
// `share create` and `share onward` accept, and why they refuse. Nothing here touches the database.
#pragma once

#include "auth/grant.h"
#include "server/store.h"

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace courtplay::server {

// A refused share: what() says what is wrong and what to do, for the admin at the command line.
struct ShareError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

using ClipLookup = std::function<std::optional<ClipRecord>(const std::string& id)>;

// "--segment ID:IN-OUT" with IN and OUT in seconds (decimals allowed): the clip id and the segment
// in milliseconds. Throws ShareError.
std::pair<std::string, auth::Segment> parse_segment_arg(std::string_view text);
// "--expires": ISO 8601 (absolute) or a duration from `now` ("8h", "P7D"). Throws ShareError.
int64_t parse_expiry_arg(std::string_view text, int64_t now);
// "--clips ID,ID": the ids, without empties or repeats. Throws ShareError.
std::vector<std::string> parse_clip_list(std::string_view csv);

struct ShareRequest {
    auth::Party party = auth::Party::cps;
    std::string case_ref;
    std::vector<std::string> clip_ids;
    auth::Perms perms;
    int64_t expires_at = 0;
    std::optional<std::string> kiosk;
    std::vector<std::pair<std::string, auth::Segment>> segments;
    bool reshare = false;
};

// A new share from a request. `id` and `token_sha256` are filled in from the arguments. Throws
// ShareError: unknown clip, segment outside its clip, expiry in the past, no permission ...
ShareRecord plan_share(const ShareRequest& request, const ClipLookup& clips, int64_t now, const std::string& id,
                       const std::string& token_sha256);

// An onward share (the CPS passing evidence on to the defence) from `source`. It can only narrow:
// clips a subset, each clip's perms covered by the source's, expiry no later, segments inside the
// source's segment (a source segment carries over when none is given), the same kiosk if the source
// names one. Never reshare. `request.case_ref` and `request.reshare` are ignored.
ShareRecord plan_onward(const ShareRecord& source, const ShareRequest& request, const ClipLookup& clips, int64_t now,
                        const std::string& id, const std::string& token_sha256);

}  // namespace courtplay::server
