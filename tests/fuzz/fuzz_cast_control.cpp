// Untrusted lines on the cast's control channel: a receiver parses what any computer on the
// court's network sends it. parse_message must refuse with CastError or give a message that, written
// back out, parses to the same message; never anything else.
#include "cast/pairing.h"

#include <cstdint>
#include <string>

using namespace courtplay::cast;
using Type = ControlMessage::Type;

namespace {
std::string written(const ControlMessage& m) {
    switch (m.type) {
        case Type::pair: return pair_line(m.pair);
        case Type::paired: return paired_line(m.reply.receiver);
        case Type::refused: return refused_line(m.reply.refusal);
        case Type::key: return key_line(*m.key);
        case Type::status:
            // The question has no fields; the answer has both.
            return m.reply.receiver.empty() && !m.casting ? simple_line(Type::status) : status_line(m.reply.receiver, m.casting);
        default: return simple_line(m.type, m.reason);
    }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string line(reinterpret_cast<const char*>(data), size);
    ControlMessage m;
    try {
        m = parse_message(line);
    } catch (const CastError&) {
        return 0;
    }
    if (m.type == Type::key && !m.key) __builtin_trap();
    const ControlMessage again = parse_message(written(m));  // throws (and so fails) if not the same kind
    if (again.type != m.type || again.pair.code != m.pair.code || again.pair.kiosk != m.pair.kiosk ||
        again.pair.party != m.pair.party || again.pair.expires_at != m.pair.expires_at ||
        again.reply.receiver != m.reply.receiver || again.reply.refusal != m.reply.refusal || again.key != m.key ||
        again.reason != m.reason || again.casting != m.casting)
        __builtin_trap();
    (void)normalize_pairing_code(line);
    return 0;
}
