// Party separation for `courtplay-server audit export` (docs/audit.md): a defence review is
// privileged, so audit of a defence share goes to the defence and court administration only, never
// to the CPS; audit of a CPS share never goes to the defence; events with no share go to court only.
#pragma once

#include "auth/grant.h"
#include "server/store.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace courtplay::server {

class AuditParties {
public:
    explicit AuditParties(Store& shares) : shares_(shares) {}

    // Whose audit an event is: the party of its share in the service's own database (the event's
    // `party` member only when the share is unknown there). nullopt: court only (no share, or an
    // unknown share with no party the event names).
    std::optional<auth::Party> party_of(const nlohmann::json& event);
    // The same for a share by id.
    std::optional<auth::Party> party_of_share(const std::string& share_id, const nlohmann::json& event);

private:
    Store& shares_;
    std::map<std::string, std::optional<auth::Party>> known_;  // share id -> party in the database
};

}  // namespace courtplay::server
