// `courtplay-server audit verify | export` (docs/audit.md, Commands).
#include "server/audit_export.h"
#include "server/audit_store.h"
#include "server/audit_verify.h"
#include "server/commands.h"
#include "server/data_folder.h"

#include <cstdio>

namespace courtplay::server {
namespace {

struct Databases {
    Store shares;
    AuditStore audit;
};

Databases open_databases(const std::filesystem::path& data) {
    const DataFolder d(data);
    d.require_initialised();
    return {Store::open(d.database()), AuditStore::open(d.database())};
}

// Where an event's audit may go, for the messages that refuse it elsewhere.
std::string audience(std::optional<auth::Party> p) {
    if (!p) return "court administration only (--party court)";
    return std::string(p == auth::Party::cps ? "the CPS" : "the defence") + " and court administration (--party court)";
}

std::string share_kind(std::optional<auth::Party> p) {
    if (!p) return "a share of no known party";
    return p == auth::Party::cps ? "a CPS share" : "a defence share";
}

}  // namespace

int run_audit_verify(const std::filesystem::path& data) {
    Databases db = open_databases(data);
    const AuditVerifyReport report = verify_audit(db.audit);
    std::printf("%lld events from %lld kiosks, %zu faults\n", static_cast<long long>(report.events),
                static_cast<long long>(report.kiosks), report.faults.size());
    for (const AuditFinding& f : report.faults) std::printf("kiosk %s: %s\n", f.kiosk_id.c_str(), f.text.c_str());
    return report.faults.empty() ? 0 : 1;
}

int run_audit_export(const AuditExportOptions& o) {
    const bool court = o.party == "court";
    const std::optional<auth::Party> wanted = auth::parse_party(o.party);
    if (!court && !wanted) {
        std::fprintf(stderr, "courtplay-server: --party `%s` is not one this export knows: give cps, defence or court\n",
                     o.party.c_str());
        return 2;
    }
    Databases db = open_databases(o.data);
    AuditParties parties(db.shares);

    // --share of another party is refused, not answered with nothing: the asker learns that the
    // share's audit is not theirs, and nothing of it.
    if (o.share && !court) {
        std::optional<std::optional<auth::Party>> owner;  // set when the share is not `wanted`'s
        if (const auto share = db.shares.find_share(*o.share)) {
            if (share->party != *wanted) owner = share->party;
        } else {
            db.audit.for_each_event(std::nullopt, [&](const AuditEventRow& row) {
                if (owner || row.event.find(*o.share) == std::string::npos || json_nests_too_deep(row.event)) return;
                const auto event = nlohmann::json::parse(row.event, nullptr, false);
                if (!event.is_object() || event.value("share_id", nlohmann::json()) != *o.share) return;
                const auto party = parties.party_of_share(*o.share, event);
                if (party != wanted) owner = party;
            });
        }
        if (owner) {
            std::fprintf(stderr, "courtplay-server: share %s is %s: its audit goes to %s, not to the %s\n",
                         o.share->c_str(), share_kind(*owner).c_str(), audience(*owner).c_str(),
                         *wanted == auth::Party::cps ? "CPS" : "defence");
            return 4;
        }
    }

    bool damaged = false;
    db.audit.read_consistently([&] {
        db.audit.for_each_event(std::nullopt, [&](const AuditEventRow& row) {
            const auto event =
                json_nests_too_deep(row.event) ? nlohmann::json() : nlohmann::json::parse(row.event, nullptr, false);
            if (!event.is_object()) {
                std::fprintf(stderr,
                             "courtplay-server: record %lld of kiosk %s is damaged (its stored text is not an event) "
                             "and is left out: run `courtplay-server audit verify`\n",
                             static_cast<long long>(row.seq), row.kiosk_id.c_str());
                damaged = true;
                return;
            }
            if (o.share && event.value("share_id", nlohmann::json()) != *o.share) return;
            if (!court && parties.party_of(event) != wanted) return;
            std::fwrite(row.event.data(), 1, row.event.size(), stdout);
            std::fputc('\n', stdout);
        });
    });
    return damaged ? 1 : 0;
}

}  // namespace courtplay::server
