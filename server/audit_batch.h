// A shipped audit batch (POST /v1/audit/batches, docs/audit.md "Shipping"), read and checked on its
// own: everything that can be checked without the stored chain. The request body comes from the
// network, so nothing here trusts it: any text gives either a Batch or a sentence saying what is
// wrong, never a crash. The database side (pinned key, stored head) is audit_store.h's.
#pragma once

#include "audit/chain.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace courtplay::server {

inline constexpr size_t kAuditBodyLimit = 16 * 1024 * 1024;
inline constexpr size_t kAuditLineLimit = 5000;
// Far beyond any journal (a billion events a day for 2,700 years), and small enough that seq + 1
// never overflows anywhere.
inline constexpr int64_t kAuditSeqLimit = 1'000'000'000'000'000;

struct AuditBatch {
    std::string kiosk_id;
    // Journal lines in order: records that each follow the one before, every seal right after the
    // record it covers and signed with the key it names, a seal last.
    std::vector<audit::Line> lines;
    bool gap_acknowledged = false;

    // The records only, in order; and how many there are.
    std::vector<const audit::Record*> records() const;
    // The seals only, in order.
    std::vector<const audit::Seal*> seals() const;
};

// Why a body is not a batch: one sentence for the kiosk's log and the court IT admin.
struct BatchRefusal {
    std::string message;
    std::string kiosk_id;  // as the body gave it, when it gave one (for the fault record)
};

std::variant<AuditBatch, BatchRefusal> parse_audit_batch(std::string_view body);

// True when JSON text nests arrays and objects deeper than any audit batch or event can. Checked
// before parsing text that anyone could have written, because nlohmann copies, compares and
// prints nested values recursively: a million '[' would exhaust the stack.
bool json_nests_too_deep(std::string_view text);

// An event's member `name` when it is a string; nothing when it is missing or not a string.
std::optional<std::string> text_member(const nlohmann::json& event, const char* name);

}  // namespace courtplay::server
