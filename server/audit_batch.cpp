#include "server/audit_batch.h"

#include <algorithm>

namespace courtplay::server {
namespace {

using nlohmann::json;

constexpr size_t kKioskIdLimit = 256;
// A batch is {lines:[{event:{details:{...}}}]}: an event's own members nest no deeper than 8
// (audit/chain.cpp), so 32 is generous. Checked on the raw text first, because nlohmann copies,
// compares and prints nested values recursively: a body of a million '[' would exhaust the stack.
constexpr int kDepthLimit = 32;

}  // namespace

std::optional<std::string> text_member(const nlohmann::json& event, const char* name) {
    const auto it = event.find(name);
    if (it == event.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

bool json_nests_too_deep(std::string_view text) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kDepthLimit) return true;
        } else if (c == ']' || c == '}') {
            if (depth > 0) --depth;  // unbalanced text is the parser's to refuse
        }
    }
    return false;
}

namespace {

// Text from the request, quoted in a message: short, so a hostile body cannot fill the log. Cut
// between characters, never inside one: the message goes out as JSON, which must be UTF-8.
std::string shown_text(std::string_view s) {
    size_t cut = std::min<size_t>(s.size(), 64);
    while (cut < s.size() && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    return "`" + std::string(s.substr(0, cut)) + (cut < s.size() ? "...`" : "`");
}

std::string line_name(size_t index) { return "line " + std::to_string(index + 1); }

// Record::seq() throws on a seq that is not a number; a message about a bad record must not.
std::string record_name(size_t index, const audit::Record& r) {
    const auto seq = r.event.find("seq");
    if (seq == r.event.end() || !seq->is_number_integer()) return line_name(index) + " (a record)";
    return line_name(index) + " (record " + seq->dump() + ")";
}

const char* const kShape =
    R"(the body must be JSON {"kiosk_id":"ID","lines":[record, ..., seal],"gap_acknowledged":false} (docs/audit.md, Shipping))";

struct Reader {
    AuditBatch batch;
    std::string problem;

    bool fail(std::string message) {
        problem = std::move(message);
        return false;
    }

    bool read_record(size_t i, audit::Record record, const audit::Record* before) {
        const auto seq_it = record.event.find("seq");
        if (seq_it != record.event.end() && seq_it->is_number_unsigned() &&
            seq_it->get<uint64_t>() > static_cast<uint64_t>(kAuditSeqLimit))
            return fail(line_name(i) + ": its sequence number is too large to be a kiosk's");
        std::optional<std::string> fault =
            before ? audit::follow_fault({before->seq(), before->hash}, record) : audit::record_fault(record);
        if (fault) return fail(record_name(i, record) + " does not check: " + *fault);
        const std::string kiosk = record.event.value("kiosk_id", std::string());
        if (kiosk != batch.kiosk_id)
            return fail(record_name(i, record) + " is an event of kiosk " + shown_text(kiosk) + ", not of " +
                        shown_text(batch.kiosk_id) + " that sent the batch");
        batch.lines.emplace_back(std::move(record));
        return true;
    }

    bool read_seal(size_t i, audit::Seal seal, const audit::Line* previous) {
        const auto* covered = previous ? std::get_if<audit::Record>(previous) : nullptr;
        if (!covered) return fail(line_name(i) + " is a seal that does not come right after a record: every seal covers the record before it");
        if (seal.kiosk_id != batch.kiosk_id)
            return fail(line_name(i) + " is a seal of kiosk " + shown_text(seal.kiosk_id) + ", not of " +
                        shown_text(batch.kiosk_id) + " that sent the batch");
        if (seal.seq != covered->seq() || seal.head != covered->hash)
            return fail(line_name(i) + " is a seal over record " + std::to_string(seal.seq) +
                        " that does not match record " + std::to_string(covered->seq()) + " just before it");
        const auto key = audit::seal_key(seal);
        if (!key) return fail(line_name(i) + " is a seal whose key is not an Ed25519 public key (32 bytes, base64url)");
        if (!audit::seal_verifies(seal, *key))
            return fail(line_name(i) + " is a seal whose signature does not verify with the key it names");
        batch.lines.emplace_back(std::move(seal));
        return true;
    }

    bool read(std::string_view body) {
        if (body.size() > kAuditBodyLimit) return fail("the batch is larger than 16 MiB: send fewer lines per batch");
        if (json_nests_too_deep(body)) return fail("the body nests deeper than an audit batch can: " + std::string(kShape));
        json j;
        try {
            j = json::parse(body);
        } catch (const json::parse_error& e) {
            return fail("the body is not JSON (it goes wrong at byte " + std::to_string(e.byte) + "): " + kShape);
        } catch (const json::exception&) {
            // out_of_range: a number too large for 64 bits, which no batch holds.
            return fail("the body holds a number too large to read: every number in a batch is a whole number "
                        "that fits in 64 bits");
        }
        if (!j.is_object()) return fail(kShape);
        const auto kiosk = j.find("kiosk_id");
        if (kiosk == j.end() || !kiosk->is_string() || kiosk->get_ref<const std::string&>().empty() ||
            kiosk->get_ref<const std::string&>().size() > kKioskIdLimit)
            return fail("the body has no kiosk_id (text of 1 to 256 characters): " + std::string(kShape));
        batch.kiosk_id = kiosk->get<std::string>();
        const auto gap = j.find("gap_acknowledged");
        if (gap != j.end() && !gap->is_boolean()) return fail("gap_acknowledged must be true or false");
        batch.gap_acknowledged = gap != j.end() && gap->get<bool>();
        const auto lines = j.find("lines");
        if (lines == j.end() || !lines->is_array()) return fail("the body has no lines array: " + std::string(kShape));
        if (lines->empty()) return fail("the batch has no lines: send records and the seal over the newest of them");
        if (lines->size() > kAuditLineLimit)
            return fail("the batch has " + std::to_string(lines->size()) + " lines: send at most 5000 per batch");

        // Reserved up front so that `last_record`, a pointer into it, stays valid as lines are added.
        batch.lines.reserve(lines->size());
        const audit::Record* last_record = nullptr;
        for (size_t i = 0; i < lines->size(); ++i) {
            std::optional<audit::Line> line = audit::from_json((*lines)[i]);
            if (!line) return fail(line_name(i) + " is neither a record nor a seal (docs/audit.md, The chain)");
            const audit::Line* previous = batch.lines.empty() ? nullptr : &batch.lines.back();
            if (auto* record = std::get_if<audit::Record>(&*line)) {
                if (!read_record(i, std::move(*record), last_record)) return false;
                last_record = &std::get<audit::Record>(batch.lines.back());
            } else if (!read_seal(i, std::move(std::get<audit::Seal>(*line)), previous)) {
                return false;
            }
        }
        if (!std::holds_alternative<audit::Seal>(batch.lines.back()))
            return fail("the batch does not end with a seal: the newest record must be sealed before it is sent");
        return true;
    }
};

}  // namespace

std::vector<const audit::Record*> AuditBatch::records() const {
    std::vector<const audit::Record*> out;
    for (const auto& line : lines)
        if (const auto* r = std::get_if<audit::Record>(&line)) out.push_back(r);
    return out;
}

std::vector<const audit::Seal*> AuditBatch::seals() const {
    std::vector<const audit::Seal*> out;
    for (const auto& line : lines)
        if (const auto* s = std::get_if<audit::Seal>(&line)) out.push_back(s);
    return out;
}

std::variant<AuditBatch, BatchRefusal> parse_audit_batch(std::string_view body) {
    Reader reader;
    if (reader.read(body)) return std::move(reader.batch);
    return BatchRefusal{std::move(reader.problem), reader.batch.kiosk_id};
}

}  // namespace courtplay::server
