#include "server/audit_export.h"

namespace courtplay::server {

std::optional<auth::Party> AuditParties::party_of(const nlohmann::json& event) {
    const auto share = event.find("share_id");
    if (share == event.end() || !share->is_string()) return std::nullopt;
    return party_of_share(share->get<std::string>(), event);
}

std::optional<auth::Party> AuditParties::party_of_share(const std::string& share_id, const nlohmann::json& event) {
    auto it = known_.find(share_id);
    if (it == known_.end()) {
        const auto share = shares_.find_share(share_id);
        it = known_.emplace(share_id, share ? std::optional(share->party) : std::nullopt).first;
    }
    if (it->second) return it->second;
    // The database is the authority; the kiosk's word counts only for a share it does not know.
    const auto party = event.find("party");
    if (party == event.end() || !party->is_string()) return std::nullopt;
    return auth::parse_party(party->get_ref<const std::string&>());
}

}  // namespace courtplay::server
