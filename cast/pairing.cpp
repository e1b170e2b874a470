#include "cast/pairing.h"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>

namespace courtplay::cast {
namespace {

using Type = ControlMessage::Type;
using nlohmann::json;

constexpr std::array<std::pair<Type, const char*>, 9> kTypeNames = {{{Type::pair, "pair"},
                                                                     {Type::paired, "paired"},
                                                                     {Type::refused, "refused"},
                                                                     {Type::key, "key"},
                                                                     {Type::ready, "ready"},
                                                                     {Type::alive, "alive"},
                                                                     {Type::stop, "stop"},
                                                                     {Type::ended, "ended"},
                                                                     {Type::status, "status"}}};

const char* type_name(Type t) {
    for (const auto& [type, name] : kTypeNames)
        if (type == t) return name;
    return "?";
}

// A short printable string (names and reasons end up on a screen and in the audit trail).
std::string text_field(const json& j, const char* key, size_t max, bool required) {
    const auto it = j.find(key);
    if (it == j.end()) {
        if (required) throw CastError(std::string("the message has no \"") + key + "\"");
        return {};
    }
    if (!it->is_string()) throw CastError(std::string("\"") + key + "\" is not text");
    const std::string s = it->get<std::string>();
    if (s.size() > max) throw CastError(std::string("\"") + key + "\" is too long");
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) throw CastError(std::string("\"") + key + "\" holds a control character");
    return s;
}

}  // namespace

std::string new_pairing_code() {
    // Rejection sampling: 2^32 is not a multiple of 10^6, so values at the top are drawn again.
    constexpr uint32_t kLimit = 4294000000u;  // the largest multiple of 10^6 below 2^32
    for (;;) {
        uint32_t v = 0;
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1)
            throw CastError("cannot make a pairing code: the system's random number generator failed");
        if (v >= kLimit) continue;
        std::string code = std::to_string(v % 1000000u);
        return std::string(6 - code.size(), '0') + code;
    }
}

std::optional<std::string> normalize_pairing_code(const std::string& typed) {
    std::string digits;
    for (char c : typed) {
        if (c >= '0' && c <= '9') digits += c;
        else if (c != ' ' && c != '-') return std::nullopt;
    }
    if (digits.size() != 6) return std::nullopt;
    return digits;
}

bool same_pairing_code(const std::string& a, const std::string& b) {
    return a.size() == 6 && b.size() == 6 && CRYPTO_memcmp(a.data(), b.data(), 6) == 0;
}

std::string spaced_pairing_code(const std::string& code) {
    return code.size() == 6 ? code.substr(0, 3) + " " + code.substr(3) : code;
}

ControlMessage parse_message(const std::string& line) {
    const json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw CastError("a control message is not a JSON object");
    const std::string type = text_field(j, "type", 16, true);
    ControlMessage m;
    bool known = false;
    for (const auto& [t, name] : kTypeNames)
        if (type == name) {
            m.type = t;
            known = true;
        }
    if (!known) throw CastError("unknown control message \"" + type + "\"");
    switch (m.type) {
        case Type::pair: {
            const auto version = j.find("version");
            if (version == j.end() || !version->is_number_integer() || version->get<int64_t>() != kPairingVersion)
                throw CastError("the kiosk speaks another version of the casting protocol: update both to the same courtplay");
            m.pair.code = text_field(j, "code", 16, true);
            m.pair.kiosk = text_field(j, "kiosk", 128, true);
            m.pair.party = text_field(j, "party", 32, true);
            const auto expires = j.find("expires_at");
            if (expires == j.end() || !expires->is_number_integer() || expires->get<int64_t>() <= 0)
                throw CastError("\"expires_at\" is not a time in whole seconds");
            m.pair.expires_at = expires->get<int64_t>();
            break;
        }
        case Type::paired:
            m.reply.paired = true;
            m.reply.receiver = text_field(j, "receiver", 64, true);
            break;
        case Type::refused:
            m.reply.refusal = text_field(j, "reason", 32, true);
            break;
        case Type::key:
            m.key = StreamKey::from_hex(text_field(j, "stream_key", 64, true));
            if (!m.key) throw CastError("\"stream_key\" is not 64 hex digits");
            break;
        case Type::ended:
        case Type::stop:
            m.reason = text_field(j, "reason", 128, false);
            break;
        case Type::status: {  // a question (no fields) or its answer (both)
            m.reply.receiver = text_field(j, "receiver", 64, false);
            const auto casting = j.find("casting");
            if (casting != j.end() && !casting->is_boolean()) throw CastError("\"casting\" is not true or false");
            m.casting = casting != j.end() && casting->get<bool>();
            break;
        }
        case Type::ready:
        case Type::alive:
            break;
    }
    return m;
}

std::string pair_line(const PairRequest& r) {
    return json{{"type", "pair"}, {"version", kPairingVersion}, {"code", r.code}, {"kiosk", r.kiosk},
                {"party", r.party}, {"expires_at", r.expires_at}}
        .dump();
}

std::string paired_line(const std::string& receiver_name) {
    return json{{"type", "paired"}, {"receiver", receiver_name}}.dump();
}

std::string refused_line(const std::string& refusal) { return json{{"type", "refused"}, {"reason", refusal}}.dump(); }

std::string key_line(const StreamKey& key) { return json{{"type", "key"}, {"stream_key", key.passphrase()}}.dump(); }

std::string status_line(const std::string& receiver_name, bool casting) {
    return json{{"type", "status"}, {"receiver", receiver_name}, {"casting", casting}}.dump();
}

std::string simple_line(Type type, const std::string& reason) {
    json j{{"type", type_name(type)}};
    if (!reason.empty()) j["reason"] = reason;
    return j.dump();
}

}  // namespace courtplay::cast
