#include "kiosk/audit_trail.h"

#include "audit/event.h"
#include "auth/base64url.h"
#include "kiosk/clip_cache.h"
#include "kiosk/forgetful_memory.h"

#include <cstdio>
#include <ctime>

namespace courtplay::kiosk {
namespace {

// "2026-11-28T22:14:03.251Z" to seconds since 1970; 0 when it is not that form.
int64_t utc_seconds(const std::string& utc) {
    std::tm tm{};
    if (!strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
    return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

AuditTrail::AuditTrail(const config::KioskConfig& cfg)
    : limits_(cfg.audit),
      journal_({cfg.audit.dir, cfg.audit.key_file, cfg.kiosk_id}),
      shipper_(journal_, shipper_options(cfg)) {}

AuditTrail::~AuditTrail() {
    shipper_.stop();
    // The session's last events go now if the service was there a moment ago; if it was not, a
    // last try would only hold the kiosk up, and the next command ships them.
    const auto last = shipper_.last();
    if (shipping_ && last && !last->problem) shipper_.ship();
}

audit::Record AuditTrail::record_about(const audit::EventSubject& about, const char* type,
                                      std::optional<int64_t> position_ms, nlohmann::json details) {
    audit::Event e{type, about, position_ms, std::move(details)};
    audit::Record r = journal_.append(e);
    if (shipping_) shipper_.nudge();
    return r;
}

std::optional<std::string> AuditTrail::backlog_refusal() {
    const audit::Backlog b = journal_.backlog();
    if (b.events > limits_.max_backlog_events)
        return std::to_string(b.events) + " audit events are waiting to be delivered to the audit service (the limit is " +
               std::to_string(limits_.max_backlog_events) + ")";
    if (b.oldest_utc) {
        const int64_t age_s = std::time(nullptr) - utc_seconds(*b.oldest_utc);
        if (age_s > int64_t{limits_.max_backlog_age_h} * 3600)
            return "audit events have waited " + std::to_string(age_s / 3600) +
                   " hours to be delivered to the audit service (the limit is " +
                   std::to_string(limits_.max_backlog_age_h) + " hours)";
    }
    return std::nullopt;
}

void AuditTrail::start_shipping() {
    shipping_ = true;
    shipper_.start();
}

void AuditTrail::purged(const cache::PurgeRecord& r) {
    StderrPurgeReport().purged(r);
    // The purge's own clip, in the session it happened in. session_id changes only between
    // sessions, when no other thread is at work.
    audit::EventSubject about;
    about.session_id = subject.session_id;
    about.share_id = r.clip.share_id;
    about.party = r.clip.party;
    about.clip_id = r.clip.clip_id;
    about.sha256 = r.clip.sha256;
    try {
        record_about(about, audit::event_type::cache_purged, std::nullopt,
               {{"reason", cache::purge_reason_code(r.why)}, {"damaged_entry", r.clip.damaged}});
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: the purge above could not be recorded in the audit journal: %s\n", e.what());
    }
}

std::unique_ptr<AuditTrail> open_audit_trail(const config::KioskConfig& cfg) {
    try {
        return std::make_unique<AuditTrail>(cfg);
    } catch (const audit::JournalError& e) {
        std::fprintf(stderr, "courtplay: %s. Nothing is played until the audit journal can be written.\n", e.what());
        return nullptr;
    }
}

audit::ShipperOptions shipper_options(const config::KioskConfig& cfg) {
    audit::ShipperOptions o;
    o.url = cfg.service.url;
    o.tls = {cfg.service.ca_file, cfg.service.spki_pin, cfg.service.timeout_s};
    o.keep_delivered_days = cfg.audit.keep_delivered_days;
    return o;
}

std::string new_session_id() { return "se_" + auth::hex(auth::random_bytes(8)); }

void forget(audit::EventSubject& subject) {
    for (std::string* id : {&subject.session_id, &subject.share_id, &subject.party, &subject.clip_id, &subject.sha256})
        forget(*id);
}

}  // namespace courtplay::kiosk
