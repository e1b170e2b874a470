// The audit trail of one courtplay command: the journal, its shipper on a thread of its own, and
// who and what the next events are about (session, share, clip). Every record() is durable when it
// returns; when it throws audit::JournalError the caller does not act (fail closed).
#pragma once

#include "audit/journal.h"
#include "audit/shipper.h"
#include "cache/evidence_cache.h"
#include "config/kiosk_config.h"
#include "kiosk/controls.h"

#include <memory>
#include <optional>
#include <string>

namespace courtplay::kiosk {

class AuditTrail final : public cache::PurgeSink {
public:
    // Opens (on first start: makes) the journal and the kiosk's audit key. Throws audit::JournalError.
    explicit AuditTrail(const config::KioskConfig& cfg);
    ~AuditTrail() override;  // stops shipping after a last pass (when the service was reachable)

    // What record() says the next events are about. Set and read by one thread only: any other
    // thread records with record_about() and a subject of its own.
    audit::EventSubject subject;
    audit::Record record(const char* type, std::optional<int64_t> position_ms = std::nullopt,
                         nlohmann::json details = nlohmann::json::object()) {
        return record_about(subject, type, position_ms, std::move(details));
    }
    // Safe from any thread.
    audit::Record record_about(const audit::EventSubject& about, const char* type,
                               std::optional<int64_t> position_ms = std::nullopt,
                               nlohmann::json details = nlohmann::json::object());

    // Why new playback must wait (events undelivered too long or too many), in words; nullopt when
    // it need not.
    std::optional<std::string> backlog_refusal();
    // Ships in the background from now on, a pass after every record.
    void start_shipping();

    // cache::PurgeSink: a purge is reported on stderr and recorded. It has happened already, so
    // a journal that cannot take it is reported, not thrown.
    void purged(const cache::PurgeRecord& record) override;

    audit::Journal& journal() { return journal_; }
    // The newest delivery attempt's result (the admin screen's "is the service there"); nullopt before the first.
    std::optional<audit::ShipResult> last_delivery() const { return shipper_.last(); }

private:
    const config::AuditConfig limits_;
    audit::Journal journal_;
    audit::Shipper shipper_;
    bool shipping_ = false;
};

// The playback of one clip, recorded through the trail with the media position.
class ClipJournal final : public PlaybackJournal {
public:
    explicit ClipJournal(AuditTrail& trail) : trail_(trail) {}
    // Records about `about` rather than the trail's shared subject (the kiosk app's player).
    ClipJournal(AuditTrail& trail, audit::EventSubject about) : trail_(trail), about_(std::move(about)) {}
    void record(const char* type, player::Micros position, nlohmann::json details) override {
        if (about_) trail_.record_about(*about_, type, position / 1000, std::move(details));
        else trail_.record(type, position / 1000, std::move(details));
    }

private:
    AuditTrail& trail_;
    std::optional<audit::EventSubject> about_;
};

// Opens the trail for a command that handles evidence, or says why it cannot (and that nothing
// will be played) on stderr and returns null: the command then exits with exit_code::audit.
std::unique_ptr<AuditTrail> open_audit_trail(const config::KioskConfig& cfg);

// Shipping as the config says: the service's address and TLS, the retention of delivered events.
audit::ShipperOptions shipper_options(const config::KioskConfig& cfg);

// A new session's id: "se_" and 16 hex digits.
std::string new_session_id();

// Empties the subject's ids and wipes them where they are: a share id is short enough to live
// inside its string, so a subject emptied in place would keep it (kiosk/forgetful_memory.h).
void forget(audit::EventSubject& subject);

}  // namespace courtplay::kiosk
