// `courtplay-server audit verify`: re-checks the stored audit trail from its rows alone, trusting
// none of them: every record's text against its hash, every link, the indexed columns against the
// text, every seal against the kiosk's pinned key, the kiosk's stored head, gaps and unsealed tails.
#pragma once

#include "server/audit_store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace courtplay::server {

struct AuditFinding {
    std::string kiosk_id;
    std::string text;  // what is wrong, in words ("record 7: its hash does not match its contents")
};

struct AuditVerifyReport {
    int64_t events = 0, kiosks = 0;
    std::vector<AuditFinding> faults;
};

AuditVerifyReport verify_audit(AuditStore& store);

}  // namespace courtplay::server
