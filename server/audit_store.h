// The audit trail as the service keeps it: four tables in DIR/share.db (docs/api.md, "Audit
// tables"), added when an AuditStore opens so folders made before the audit trail keep working.
// ingest() applies docs/audit.md's shipping steps 1-4 to a checked batch in one transaction; the
// reading side serves `audit verify` and `audit export`, which re-check everything themselves.
//
// One AuditStore is shared by the service's request threads: every call takes mutex_. It has its
// own connection to the file, beside the Store's; SQLite (WAL, busy timeout) orders the two.
#pragma once

#include "server/audit_batch.h"
#include "server/sqlite.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace courtplay::server {

enum class IngestOutcome { stored, bad_batch, key_mismatch, gap, conflict };
// "bad_batch", "key_mismatch", "gap", "conflict": the API's error codes ("stored" for stored).
const char* ingest_outcome_code(IngestOutcome o);

struct IngestResult {
    IngestOutcome outcome = IngestOutcome::stored;
    int64_t accepted = 0, duplicates = 0;
    int64_t last_seq = 0;      // stored: the kiosk's newest stored seq
    int64_t expected_seq = 0;  // gap: the seq the service expected
    std::string message;       // refused: what is wrong and what to do
};

// Fault kinds in audit_faults. A gap the kiosk acknowledged is part of the stored trail (verify
// reports it); the others record refused batches, of which nothing was stored.
inline constexpr const char* kFaultGap = "gap";
inline constexpr const char* kFaultRefusedPrefix = "refused_";  // + the API error code

struct AuditKioskRow {
    std::string kiosk_id, public_key;  // the pinned key, base64url as the seals name it
    int64_t first_seen = 0, last_seq = 0;
    std::string last_hash;
};

struct AuditEventRow {
    std::string kiosk_id;
    int64_t seq = 0;
    std::string id, type;
    std::optional<std::string> session_id, share_id, party;
    std::string event;  // the event's text exactly as hashed
    std::string prev, hash;
    int64_t received_at = 0;
};

struct AuditSealRow {
    std::string kiosk_id;
    int64_t seq = 0;
    std::string head, sig;
};

struct AuditFaultRow {
    int64_t at = 0;
    std::string kiosk_id, kind, detail;
    std::optional<int64_t> seq_from, seq_to;  // a gap: the missing records
};

class AuditStore {
public:
    // The service's database (it must exist); adds the audit tables when they are missing.
    static AuditStore open(const std::filesystem::path& file);

    // Stores what is new in `batch`, or refuses it and stores only a fault row saying why.
    IngestResult ingest(const AuditBatch& batch, int64_t now);
    // A batch refused before it reached ingest() (it did not parse): its fault row.
    void record_refusal(int64_t at, const std::string& kiosk_id, IngestOutcome why, const std::string& message);

    // Runs `reads` inside one read transaction, so that everything it reads is one moment's state
    // even while the service stores batches. Not for the service's request threads.
    void read_consistently(const std::function<void()>& reads);
    // Every kiosk id found in any audit table, sorted.
    std::vector<std::string> kiosk_ids();
    std::optional<AuditKioskRow> kiosk(const std::string& kiosk_id);
    // A kiosk's stored events oldest first, or every kiosk's (by kiosk id, then seq) for nullopt.
    void for_each_event(const std::optional<std::string>& kiosk_id, const std::function<void(const AuditEventRow&)>& f);
    std::vector<AuditSealRow> seals(const std::string& kiosk_id);
    std::vector<AuditFaultRow> faults(const std::string& kiosk_id, const std::string& kind);
    int64_t event_count();

    AuditStore(AuditStore&&) = default;

private:
    explicit AuditStore(const std::filesystem::path& file);
    IngestResult apply(const AuditBatch& batch, int64_t now);  // inside ingest()'s transaction
    void insert_fault(const AuditFaultRow& f);

    std::unique_ptr<std::recursive_mutex> mutex_;  // guards db_ (recursive: read_consistently nests)
    sqlite::Connection db_;
};

}  // namespace courtplay::server
