#include "server/audit_route.h"

namespace courtplay::server {

AuditAnswer answer_audit_batch(AuditStore& store, std::string_view body, int64_t now) {
    auto parsed = parse_audit_batch(body);
    if (auto* refusal = std::get_if<BatchRefusal>(&parsed)) {
        store.record_refusal(now, refusal->kiosk_id, IngestOutcome::bad_batch, refusal->message);
        return {400, {{"error", "bad_batch"}, {"message", refusal->message}}};
    }
    const IngestResult r = store.ingest(std::get<AuditBatch>(parsed), now);
    switch (r.outcome) {
    case IngestOutcome::stored:
        return {200, {{"accepted", r.accepted}, {"duplicates", r.duplicates}, {"last_seq", r.last_seq}}};
    case IngestOutcome::bad_batch: return {400, {{"error", "bad_batch"}, {"message", r.message}}};
    case IngestOutcome::key_mismatch: return {403, {{"error", "key_mismatch"}, {"message", r.message}}};
    case IngestOutcome::gap:
        return {409, {{"error", "gap"}, {"expected_seq", r.expected_seq}, {"message", r.message}}};
    case IngestOutcome::conflict: return {409, {{"error", "conflict"}, {"message", r.message}}};
    }
    return {500, {{"error", "internal"}, {"message", "the service failed to answer; its log says why"}}};
}

}  // namespace courtplay::server
