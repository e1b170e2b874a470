#include "server/audit_store.h"

#include <stdexcept>

namespace courtplay::server {
namespace {

// IF NOT EXISTS: a data folder made before the audit trail gets the tables the first time the
// service or an audit command opens it. No foreign keys between them: verify must still be able
// to read (and report) rows that someone deleted or edited around.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS audit_kiosks (
  kiosk_id   TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  last_seq   INTEGER NOT NULL,
  last_hash  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_events (
  kiosk_id    TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  id          TEXT NOT NULL UNIQUE,
  type        TEXT NOT NULL,
  session_id  TEXT,
  share_id    TEXT,
  party       TEXT,
  event       TEXT NOT NULL,
  prev        TEXT NOT NULL,
  hash        TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (kiosk_id, seq)
);
CREATE INDEX IF NOT EXISTS audit_events_share ON audit_events(share_id);
CREATE TABLE IF NOT EXISTS audit_seals (
  kiosk_id TEXT NOT NULL,
  seq      INTEGER NOT NULL,
  head     TEXT NOT NULL,
  sig      TEXT NOT NULL,
  PRIMARY KEY (kiosk_id, seq)
);
CREATE TABLE IF NOT EXISTS audit_faults (
  at       INTEGER NOT NULL,
  kiosk_id TEXT NOT NULL,
  kind     TEXT NOT NULL,
  detail   TEXT NOT NULL,
  seq_from INTEGER,
  seq_to   INTEGER
);
CREATE INDEX IF NOT EXISTS audit_faults_kiosk ON audit_faults(kiosk_id, kind);
)sql";

IngestResult refuse(IngestOutcome why, std::string message) {
    IngestResult r;
    r.outcome = why;
    r.message = std::move(message);
    return r;
}

// A read transaction: BEGIN (deferred) takes a WAL snapshot at the first read and holds no write
// lock, so the service goes on storing batches while verify or export reads.
class ReadTransaction {
public:
    explicit ReadTransaction(sqlite::Connection& db) : db_(db) { db_.prepare("BEGIN").run(); }
    ~ReadTransaction() {
        try {
            db_.prepare("COMMIT").run();
        } catch (...) {
            // Nothing was written; SQLite ends the transaction when the connection closes.
        }
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

private:
    sqlite::Connection& db_;
};

}  // namespace

const char* ingest_outcome_code(IngestOutcome o) {
    switch (o) {
    case IngestOutcome::stored: return "stored";
    case IngestOutcome::bad_batch: return "bad_batch";
    case IngestOutcome::key_mismatch: return "key_mismatch";
    case IngestOutcome::gap: return "gap";
    case IngestOutcome::conflict: return "conflict";
    }
    return "?";
}

AuditStore::AuditStore(const std::filesystem::path& file)
    : mutex_(std::make_unique<std::recursive_mutex>()), db_(file, false) {
    db_.exec_script(kSchema);
}

AuditStore AuditStore::open(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) throw sqlite::DbError("there is no database at " + file.string());
    return AuditStore(file);
}

IngestResult AuditStore::ingest(const AuditBatch& batch, int64_t now) {
    std::lock_guard lock(*mutex_);
    IngestResult result;
    {
        sqlite::Transaction tx(db_);
        result = apply(batch, now);
        if (result.outcome == IngestOutcome::stored) tx.commit();
    }  // a refusal rolls back here: nothing of the batch is stored ...
    // ... and only then is the refusal recorded, in a transaction of its own.
    if (result.outcome != IngestOutcome::stored) record_refusal(now, batch.kiosk_id, result.outcome, result.message);
    return result;
}

void AuditStore::record_refusal(int64_t at, const std::string& kiosk_id, IngestOutcome why, const std::string& message) {
    std::lock_guard lock(*mutex_);
    insert_fault({at, kiosk_id, std::string(kFaultRefusedPrefix) + ingest_outcome_code(why), message, {}, {}});
}

void AuditStore::insert_fault(const AuditFaultRow& f) {
    db_.prepare("INSERT INTO audit_faults(at, kiosk_id, kind, detail, seq_from, seq_to) VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, f.at)
        .bind(2, f.kiosk_id)
        .bind(3, f.kind)
        .bind(4, f.detail)
        .bind(5, f.seq_from)
        .bind(6, f.seq_to)
        .run();
}

IngestResult AuditStore::apply(const AuditBatch& batch, int64_t now) {
    const std::string& kiosk_id = batch.kiosk_id;
    const auto known = kiosk(kiosk_id);
    const auto records = batch.records();
    const auto seals = batch.seals();

    // 1. Key: pinned by the kiosk's first stored batch (trust on first use); every seal names it.
    // parse_audit_batch has checked that each seal verifies with the key it names.
    const std::string pinned = known ? known->public_key : seals.front()->key;
    for (const audit::Seal* seal : seals) {
        if (seal->key == pinned) continue;
        return refuse(IngestOutcome::key_mismatch,
                      known ? "the seal over record " + std::to_string(seal->seq) + " is signed with a key other than "
                                  "the one pinned for kiosk " + kiosk_id + " when it first shipped: if the kiosk was "
                                  "rebuilt, court IT must re-enrol it (docs/api.md, Re-enrolling a kiosk)"
                            : "the seals of this first batch from kiosk " + kiosk_id + " name different keys: a kiosk "
                              "signs with one key; check its keys/audit.key");
    }

    // 2. Records at or below the stored head are retries of what is stored, or a replaced journal.
    audit::ChainHead head;
    if (known) head = {known->last_seq, known->last_hash};
    IngestResult result;
    size_t first_new = 0;
    for (; first_new < records.size() && records[first_new]->seq() <= head.seq; ++first_new) {
        const audit::Record& r = *records[first_new];
        auto q = db_.prepare("SELECT hash FROM audit_events WHERE kiosk_id = ?1 AND seq = ?2");
        q.bind(1, kiosk_id).bind(2, r.seq());
        if (!q.step())
            return refuse(IngestOutcome::conflict,
                          "record " + std::to_string(r.seq()) + " is one the service recorded as missing (a gap the "
                          "kiosk acknowledged): the kiosk's journal does not match what it shipped before; court IT "
                          "must look at the kiosk before it ships again");
        if (q.text(0) != r.hash)
            return refuse(IngestOutcome::conflict,
                          "record " + std::to_string(r.seq()) + " differs from the record " + std::to_string(r.seq()) +
                          " the service already holds for kiosk " + kiosk_id + ": the kiosk's journal was replaced; "
                          "court IT must look at the kiosk before it ships again");
        ++result.duplicates;
    }

    // 2 and 3. The first new record is the next one and links to the stored head, or there is a gap.
    if (first_new < records.size()) {
        const audit::Record& first = *records[first_new];
        if (first.seq() > head.seq + 1) {
            if (!batch.gap_acknowledged) {
                IngestResult gap = refuse(
                    IngestOutcome::gap,
                    "records " + std::to_string(head.seq + 1) + " to " + std::to_string(first.seq() - 1) +
                        " of kiosk " + kiosk_id + " have not reached the service: send from record " +
                        std::to_string(head.seq + 1) + ", or set gap_acknowledged if the kiosk no longer holds them");
                gap.expected_seq = head.seq + 1;
                return gap;
            }
            insert_fault({now, kiosk_id, kFaultGap,
                          "records " + std::to_string(head.seq + 1) + " to " + std::to_string(first.seq() - 1) +
                              " never reached the service: the kiosk said it no longer held them",
                          head.seq + 1, first.seq() - 1});
        } else if (first.prev != head.hash) {
            if (head.seq == 0)
                return refuse(IngestOutcome::bad_batch, "record 1 does not start a chain: its prev must be 64 zeros");
            return refuse(IngestOutcome::conflict,
                          "record " + std::to_string(first.seq()) + " does not follow on from record " +
                              std::to_string(head.seq) + " the service holds for kiosk " + kiosk_id +
                              ": the kiosk's journal was replaced; court IT must look at the kiosk before it ships again");
        }
    }
    for (size_t i = first_new; i < records.size(); ++i) {
        const audit::Record& r = *records[i];
        auto same_id = db_.prepare("SELECT kiosk_id, seq FROM audit_events WHERE id = ?1");
        same_id.bind(1, r.id());
        if (same_id.step())
            return refuse(IngestOutcome::conflict, "record " + std::to_string(r.seq()) + " has the id " + r.id() +
                                                       " of record " + std::to_string(same_id.int64(1)) + " of kiosk " +
                                                       same_id.text(0) + " already stored: event ids must be unique");
        db_.prepare("INSERT INTO audit_events(kiosk_id, seq, id, type, session_id, share_id, party, event, prev, hash, "
                    "received_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")
            .bind(1, kiosk_id)
            .bind(2, r.seq())
            .bind(3, r.id())
            .bind(4, r.type())
            .bind(5, text_member(r.event, "session_id"))
            .bind(6, text_member(r.event, "share_id"))
            .bind(7, text_member(r.event, "party"))
            .bind(8, r.event.dump())
            .bind(9, r.prev)
            .bind(10, r.hash)
            .bind(11, now)
            .run();
        ++result.accepted;
        head = {r.seq(), r.hash};
    }

    // 4. Seals: each covers the record before it and verifies with the pinned key (checked above and
    // in parse_audit_batch). A retried seal is the same bytes (Ed25519 signatures are deterministic).
    for (const audit::Seal* seal : seals) {
        db_.prepare("INSERT OR IGNORE INTO audit_seals(kiosk_id, seq, head, sig) VALUES(?1, ?2, ?3, ?4)")
            .bind(1, kiosk_id)
            .bind(2, seal->seq)
            .bind(3, seal->head)
            .bind(4, seal->sig)
            .run();
    }
    if (!known) {
        db_.prepare("INSERT INTO audit_kiosks(kiosk_id, public_key, first_seen, last_seq, last_hash) "
                    "VALUES(?1, ?2, ?3, ?4, ?5)")
            .bind(1, kiosk_id)
            .bind(2, pinned)
            .bind(3, now)
            .bind(4, head.seq)
            .bind(5, head.hash)
            .run();
    } else if (result.accepted > 0) {
        db_.prepare("UPDATE audit_kiosks SET last_seq = ?2, last_hash = ?3 WHERE kiosk_id = ?1")
            .bind(1, kiosk_id)
            .bind(2, head.seq)
            .bind(3, head.hash)
            .run();
    }
    result.last_seq = head.seq;
    return result;
}

void AuditStore::read_consistently(const std::function<void()>& reads) {
    std::lock_guard lock(*mutex_);
    ReadTransaction tx(db_);
    reads();
}

std::vector<std::string> AuditStore::kiosk_ids() {
    std::lock_guard lock(*mutex_);
    auto q = db_.prepare("SELECT kiosk_id FROM audit_kiosks UNION SELECT kiosk_id FROM audit_events UNION "
                         "SELECT kiosk_id FROM audit_seals UNION SELECT kiosk_id FROM audit_faults WHERE kind = ?1 "
                         "ORDER BY 1");
    q.bind(1, kFaultGap);
    std::vector<std::string> out;
    while (q.step()) out.push_back(q.text(0));
    return out;
}

std::optional<AuditKioskRow> AuditStore::kiosk(const std::string& kiosk_id) {
    std::lock_guard lock(*mutex_);
    auto q = db_.prepare("SELECT public_key, first_seen, last_seq, last_hash FROM audit_kiosks WHERE kiosk_id = ?1");
    q.bind(1, kiosk_id);
    if (!q.step()) return std::nullopt;
    return AuditKioskRow{kiosk_id, q.text(0), q.int64(1), q.int64(2), q.text(3)};
}

void AuditStore::for_each_event(const std::optional<std::string>& kiosk_id,
                                const std::function<void(const AuditEventRow&)>& f) {
    std::lock_guard lock(*mutex_);
    constexpr const char* columns =
        "SELECT kiosk_id, seq, id, type, session_id, share_id, party, event, prev, hash, received_at FROM audit_events ";
    auto q = db_.prepare(std::string(columns) + (kiosk_id ? "WHERE kiosk_id = ?1 ORDER BY seq" : "ORDER BY kiosk_id, seq"));
    if (kiosk_id) q.bind(1, *kiosk_id);
    while (q.step()) {
        f({q.text(0), q.int64(1), q.text(2), q.text(3), q.optional_text(4), q.optional_text(5), q.optional_text(6),
           q.text(7), q.text(8), q.text(9), q.int64(10)});
    }
}

std::vector<AuditSealRow> AuditStore::seals(const std::string& kiosk_id) {
    std::lock_guard lock(*mutex_);
    auto q = db_.prepare("SELECT seq, head, sig FROM audit_seals WHERE kiosk_id = ?1 ORDER BY seq");
    q.bind(1, kiosk_id);
    std::vector<AuditSealRow> out;
    while (q.step()) out.push_back({kiosk_id, q.int64(0), q.text(1), q.text(2)});
    return out;
}

std::vector<AuditFaultRow> AuditStore::faults(const std::string& kiosk_id, const std::string& kind) {
    std::lock_guard lock(*mutex_);
    auto q = db_.prepare("SELECT at, detail, seq_from, seq_to FROM audit_faults WHERE kiosk_id = ?1 AND kind = ?2 "
                         "ORDER BY seq_from, rowid");
    q.bind(1, kiosk_id).bind(2, kind);
    std::vector<AuditFaultRow> out;
    while (q.step()) out.push_back({q.int64(0), kiosk_id, kind, q.text(1), q.optional_int64(2), q.optional_int64(3)});
    return out;
}

int64_t AuditStore::event_count() {
    std::lock_guard lock(*mutex_);
    auto q = db_.prepare("SELECT count(*) FROM audit_events");
    q.step();
    return q.int64(0);
}

}  // namespace courtplay::server
