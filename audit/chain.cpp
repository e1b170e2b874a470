#include "audit/chain.h"

#include "auth/base64url.h"

#include <algorithm>

namespace courtplay::audit {
namespace {

using nlohmann::json;

constexpr size_t kEventTextLimit = 16 * 1024;
constexpr size_t kTextLimit = 256;  // any one string member

bool is_hex(std::string_view s, size_t len) {
    return s.size() == len &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_int(const json& j) { return j.is_number_integer(); }

const std::string* string_member(const json& j, const char* name) {
    const auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// Integers, strings, booleans, null, arrays and objects of them: never a float, whose text form
// could differ between the kiosk and the service and so break the hash.
bool integers_only(const json& j, int depth = 0) {
    if (depth > 8 || j.is_number_float()) return false;
    if (j.is_structured()) {
        for (const auto& v : j) {
            if (!integers_only(v, depth + 1)) return false;
        }
    }
    return true;
}

}  // namespace

std::string record_hash(std::string_view prev, std::string_view event_text) {
    std::string input = "courtplay.audit.v1\n";
    input.append(prev).append("\n").append(event_text);
    const auto digest = auth::sha256(input);
    return auth::hex(digest);
}

int64_t Record::seq() const { return event.value("seq", int64_t{0}); }
std::string Record::id() const { return event.value("id", std::string()); }
std::string Record::type() const { return event.value("type", std::string()); }

std::string seal_message(const Seal& s) {
    return "courtplay.audit.seal.v1\n" + s.kiosk_id + "\n" + std::to_string(s.seq) + "\n" + s.head + "\n" + s.key;
}

Seal make_seal(const auth::SigningKey& key, const std::string& kiosk_id, int64_t seq, const std::string& head) {
    Seal s;
    s.kiosk_id = kiosk_id;
    s.seq = seq;
    s.head = head;
    const auto raw = key.public_key().raw();
    s.key = auth::base64url_encode(raw);
    s.sig = auth::base64url_encode(key.sign(seal_message(s)));
    return s;
}

std::optional<auth::VerifyKey> seal_key(const Seal& seal) {
    const auto raw = auth::base64url_decode(seal.key);
    if (!raw || raw->size() != 32) return std::nullopt;
    try {
        return auth::VerifyKey::from_raw(*raw);
    } catch (const auth::KeyError&) {
        return std::nullopt;
    }
}

bool seal_verifies(const Seal& seal, const auth::VerifyKey& key) {
    const auto raw = key.raw();
    if (seal.key != auth::base64url_encode(raw)) return false;
    const auto sig = auth::base64url_decode(seal.sig);
    return sig && sig->size() == 64 && key.verify(seal_message(seal), *sig);
}

json to_json(const Line& line) {
    if (const auto* r = std::get_if<Record>(&line)) return {{"event", r->event}, {"prev", r->prev}, {"hash", r->hash}};
    const auto& s = std::get<Seal>(line);
    return {{"seal", {{"kiosk_id", s.kiosk_id}, {"seq", s.seq}, {"head", s.head}, {"key", s.key}}}, {"sig", s.sig}};
}

std::optional<Line> from_json(const json& j) {
    if (!j.is_object()) return std::nullopt;
    if (j.size() == 3 && j.contains("event")) {
        const std::string* prev = string_member(j, "prev");
        const std::string* hash = string_member(j, "hash");
        const json& event = j["event"];
        if (!prev || !hash || !event.is_object() || !is_hex(*prev, 64) || !is_hex(*hash, 64)) return std::nullopt;
        return Record{event, *prev, *hash};
    }
    if (j.size() == 2 && j.contains("seal")) {
        const json& body = j["seal"];
        const std::string* sig = string_member(j, "sig");
        if (!sig || sig->size() > 100 || !body.is_object() || body.size() != 4) return std::nullopt;
        const std::string* kiosk = string_member(body, "kiosk_id");
        const std::string* head = string_member(body, "head");
        const std::string* key = string_member(body, "key");
        const auto seq = body.find("seq");
        if (!kiosk || !head || !key || seq == body.end() || !is_int(*seq) || kiosk->empty() ||
            kiosk->size() > kTextLimit || !is_hex(*head, 64) || key->size() > 100)
            return std::nullopt;
        const int64_t n = seq->get<int64_t>();
        if (n < 1) return std::nullopt;
        return Seal{*kiosk, n, *head, *key, *sig};
    }
    return std::nullopt;
}

std::string to_text(const Line& line) { return to_json(line).dump(); }

std::optional<Line> parse_line(std::string_view text) {
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return std::nullopt;
    return from_json(j);
}

std::optional<std::string> record_fault(const Record& r) {
    const json& e = r.event;
    const std::string* id = string_member(e, "id");
    if (!id || !is_hex(*id, 32)) return "its id is not 32 hex digits";
    const auto seq = e.find("seq");
    if (seq == e.end() || !is_int(*seq) || seq->get<int64_t>() < 1) return "its sequence number is missing or not above 0";
    const std::string* type = string_member(e, "type");
    if (!type || type->empty() || type->size() > 64) return "its type is missing";
    const std::string* kiosk = string_member(e, "kiosk_id");
    if (!kiosk || kiosk->empty()) return "its kiosk id is missing";
    if (!string_member(e, "utc")) return "its UTC time is missing";
    const auto mono = e.find("mono_ns");
    if (mono == e.end() || !is_int(*mono)) return "its monotonic time is missing";
    for (const char* name : {"session_id", "share_id", "party", "clip_id", "sha256"}) {
        const auto it = e.find(name);
        if (it != e.end() && (!it->is_string() || it->get_ptr<const std::string*>()->size() > kTextLimit))
            return std::string("its ") + name + " is not text";
    }
    for (const auto& [name, value] : e.items()) {
        if (value.is_string() && value.get_ptr<const std::string*>()->size() > kEventTextLimit)
            return "its " + name + " is too long";
    }
    if (!integers_only(e)) return "it holds a number that is not a whole number";
    std::string text;
    try {
        text = e.dump();
    } catch (const json::exception&) {
        return "it holds text that is not UTF-8";
    }
    if (text.size() > kEventTextLimit) return "it is larger than 16 KiB";
    if (record_hash(r.prev, text) != r.hash) return "its hash does not match its contents";
    return std::nullopt;
}

std::optional<std::string> follow_fault(const ChainHead& head, const Record& next) {
    if (auto fault = record_fault(next)) return fault;
    if (next.seq() != head.seq + 1)
        return "its sequence number is " + std::to_string(next.seq()) + " where " + std::to_string(head.seq + 1) +
               " was due";
    if (next.prev != head.hash)
        return "it does not follow on from record " + std::to_string(head.seq) + " (the chain is broken)";
    return std::nullopt;
}

}  // namespace courtplay::audit
