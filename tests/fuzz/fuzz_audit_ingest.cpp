// Untrusted bytes as the body of POST /v1/audit/batches. parse_audit_batch must refuse anything
// that is not a batch with a sentence (never crash, hang or overflow), and what it accepts must
// keep the promises ingest relies on: records that follow each other, every seal right after the
// record it covers and signed with the key it names, a seal last, within the limits.
#include "server/audit_batch.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

using namespace courtplay;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

void check_batch(const server::AuditBatch& b) {
    check(!b.kiosk_id.empty() && b.kiosk_id.size() <= 256);
    check(!b.lines.empty() && b.lines.size() <= server::kAuditLineLimit);
    check(std::holds_alternative<audit::Seal>(b.lines.back()));
    const audit::Record* before = nullptr;
    for (size_t i = 0; i < b.lines.size(); ++i) {
        if (const auto* r = std::get_if<audit::Record>(&b.lines[i])) {
            check(!audit::record_fault(*r));
            check(r->seq() >= 1 && r->seq() <= server::kAuditSeqLimit);
            check(r->event.value("kiosk_id", std::string()) == b.kiosk_id);
            if (before) check(!audit::follow_fault({before->seq(), before->hash}, *r));
            before = r;
            continue;
        }
        const auto& s = std::get<audit::Seal>(b.lines[i]);
        check(i > 0);
        const auto* covered = std::get_if<audit::Record>(&b.lines[i - 1]);
        check(covered && covered->seq() == s.seq && covered->hash == s.head && s.kiosk_id == b.kiosk_id);
        const auto key = audit::seal_key(s);
        check(key && audit::seal_verifies(s, *key));
    }
    // What the service stores and answers must print: the text that is hashed, as JSON.
    for (const auto* r : b.records()) (void)r->event.dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto parsed = server::parse_audit_batch(body);
    if (const auto* refusal = std::get_if<server::BatchRefusal>(&parsed)) {
        check(!refusal->message.empty());
        // The refusal goes out as JSON: it must be text that prints.
        (void)nlohmann::json{{"error", "bad_batch"}, {"message", refusal->message}}.dump();
        return 0;
    }
    check_batch(std::get<server::AuditBatch>(parsed));
    return 0;
}
