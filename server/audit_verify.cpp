#include "server/audit_verify.h"

#include "auth/court_time.h"

#include <map>
#include <set>
#include <utility>

namespace courtplay::server {
namespace {

using nlohmann::json;

std::string shown(const std::optional<std::string>& v) { return v ? "`" + *v + "`" : "nothing"; }

std::string records_text(int64_t from, int64_t to) {
    return from == to ? "record " + std::to_string(from) : "records " + std::to_string(from) + " to " + std::to_string(to);
}

// One kiosk's chain, read once from its rows. Each check names what it found, in words; the
// words after the colon say what most likely happened, for court IT to take further.
class KioskCheck {
public:
    KioskCheck(AuditStore& store, std::string kiosk_id, std::vector<AuditFinding>& out)
        : store_(store), kiosk_(std::move(kiosk_id)), out_(out) {}

    int64_t run() {
        read_kiosk();
        read_gaps();
        for (AuditSealRow& s : store_.seals(kiosk_)) seals_.emplace(s.seq, std::move(s));
        store_.for_each_event(kiosk_, [this](const AuditEventRow& row) { event(row); });
        after_events();
        return events_;
    }

private:
    void fault(std::string text) { out_.push_back({kiosk_, std::move(text)}); }

    void read_kiosk() {
        row_ = store_.kiosk(kiosk_);
        if (!row_) {
            fault("it has audit rows but no pinned key in audit_kiosks: the row was deleted");
            return;
        }
        audit::Seal named;
        named.key = row_->public_key;
        key_ = audit::seal_key(named);
        if (!key_) fault("its pinned key in audit_kiosks is not an Ed25519 public key: the row was edited");
    }

    // Gaps the kiosk acknowledged: reported every time, so a trail with one never passes.
    void read_gaps() {
        for (const AuditFaultRow& g : store_.faults(kiosk_, kFaultGap)) {
            fault(g.detail + " (recorded " + auth::iso8601_utc(g.at) + ")");
            if (g.seq_from && g.seq_to) gaps_.insert({*g.seq_from, *g.seq_to});
        }
    }

    void event(const AuditEventRow& row) {
        ++events_;
        const std::string name = "record " + std::to_string(row.seq);
        bool linked = false;
        if (row.seq > head_.seq + 1) {
            if (!gaps_.count({head_.seq + 1, row.seq - 1}))
                fault(records_text(head_.seq + 1, row.seq - 1) + (row.seq - 1 > head_.seq + 1 ? " are" : " is") +
                      " missing: deleted from the database");
        } else if (row.seq <= head_.seq) {
            fault(name + " is out of order: its sequence number was edited");
        } else {
            linked = true;
        }
        check_text(row, name);
        if (linked && row.prev != head_.hash)
            fault(name + " does not follow on from record " + std::to_string(head_.seq) +
                  ": the chain is broken (a record was edited, removed or moved)");
        if (const auto s = seals_.find(row.seq); s != seals_.end()) {
            sealed_.insert(row.seq);
            if (s->second.head != row.hash)
                fault("the seal over " + name + " vouches for another record than the one stored: it was edited or moved");
        }
        head_ = {row.seq, row.hash};
    }

    // The stored text against its hash, and the indexed columns against the text.
    void check_text(const AuditEventRow& row, const std::string& name) {
        const json event = json_nests_too_deep(row.event) ? json() : json::parse(row.event, nullptr, false);
        if (!event.is_object()) {
            fault(name + ": its stored text is not an event (not a JSON object): it was edited");
            return;
        }
        if (event.dump() != row.event) fault(name + ": its stored text is not the text the kiosk hashed: it was edited");
        if (auto problem = audit::record_fault({event, row.prev, row.hash})) fault(name + ": " + *problem + ": it was edited");
        const auto seq = event.find("seq");
        if (seq == event.end() || !seq->is_number_integer() || seq->get<int64_t>() != row.seq)
            fault(name + ": its seq column says " + std::to_string(row.seq) + " but its event says " +
                  (seq == event.end() ? "nothing" : seq->dump()) + ": it was moved");
        const std::pair<const char*, std::optional<std::string>> columns[] = {
            {"kiosk_id", row.kiosk_id}, {"id", row.id},           {"type", row.type},
            {"session_id", row.session_id}, {"share_id", row.share_id}, {"party", row.party}};
        for (const auto& [column, value] : columns) {
            const auto in_text = text_member(event, column);
            if (value != in_text)
                fault(name + ": its " + column + " column says " + shown(value) + " but its event says " +
                      shown(in_text) + ": the column was edited");
        }
    }

    void after_events() {
        int64_t last_sealed = 0;
        for (const auto& [seq, seal] : seals_) {
            last_sealed = seq;
            if (!sealed_.count(seq))
                fault("the seal over record " + std::to_string(seq) +
                      " has no record " + std::to_string(seq) + ": records were deleted (the trail was truncated)");
            if (!key_) continue;
            const audit::Seal s{kiosk_, seq, seal.head, row_->public_key, seal.sig};
            if (!audit::seal_verifies(s, *key_))
                fault("the seal over record " + std::to_string(seq) +
                      " does not verify with the kiosk's pinned key: it was re-signed with another key or edited");
        }
        if (events_ > 0 && head_.seq > last_sealed)
            fault(records_text(last_sealed + 1, head_.seq) +
                  (head_.seq > last_sealed + 1 ? " come" : " comes") +
                  " after the last seal, so nothing vouches for them: seals were deleted (the trail was truncated)");
        if (!row_) return;
        if (row_->last_seq != head_.seq)
            fault("audit_kiosks says record " + std::to_string(row_->last_seq) + " is the newest, but the newest stored is " +
                  std::to_string(head_.seq) + ": records were deleted (the trail was truncated) or the row was edited");
        else if (row_->last_hash != head_.hash)
            fault("audit_kiosks' newest hash is not the hash of record " + std::to_string(head_.seq) +
                  ": the record or the row was edited");
    }

    AuditStore& store_;
    const std::string kiosk_;
    std::vector<AuditFinding>& out_;
    std::optional<AuditKioskRow> row_;
    std::optional<auth::VerifyKey> key_;
    std::set<std::pair<int64_t, int64_t>> gaps_;
    std::map<int64_t, AuditSealRow> seals_;
    std::set<int64_t> sealed_;  // seals whose record was found
    audit::ChainHead head_;
    int64_t events_ = 0;
};

}  // namespace

AuditVerifyReport verify_audit(AuditStore& store) {
    AuditVerifyReport report;
    store.read_consistently([&] {
        for (const std::string& kiosk : store.kiosk_ids()) {
            report.events += KioskCheck(store, kiosk, report.faults).run();
            ++report.kiosks;
        }
    });
    return report;
}

}  // namespace courtplay::server
