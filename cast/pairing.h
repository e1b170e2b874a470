// Pairing a kiosk with a courtroom receiver, and the control messages after it (docs/cast.md,
// "Pairing"). Each message is one line of JSON with a "type"; this file parses and checks the
// lines both ends receive (untrusted: the receiver takes them from anyone on the network, so a
// fuzzer runs on parse_message) and makes the pairing codes.
#pragma once

#include "cast/stream_format.h"

#include <cstdint>
#include <optional>
#include <string>

namespace courtplay::cast {

inline constexpr int kPairingVersion = 1;

// Six decimal digits from OpenSSL's RAND_bytes (no modulo bias). A receiver makes a new one for
// every pairing and after every wrong try, so each guess is against a fresh code.
std::string new_pairing_code();
// "123 456", "123-456" or "123456" as typed: the six digits, or nullopt.
std::optional<std::string> normalize_pairing_code(const std::string& typed);
// Compares two codes in constant time.
bool same_pairing_code(const std::string& a, const std::string& b);
// "123 456": how a screen shows it.
std::string spaced_pairing_code(const std::string& code);

// Kiosk -> receiver, first: who asks, and the code shown on the screen.
struct PairRequest {
    std::string code;
    std::string kiosk;       // the kiosk's name (court, room, id), shown on the screen as the cast starts
    std::string party;       // "CPS" / "Defence": whose evidence is shown
    int64_t expires_at = 0;  // Unix seconds: the grant's expiry; the receiver ends the cast then
};
// Receiver -> kiosk: the answer to a PairRequest.
struct PairReply {
    bool paired = false;
    std::string refusal;  // "wrong_code", "busy", "bad_request" when not paired
    std::string receiver; // the receiver's name (its config's), when paired
};

// Everything either end can receive, after parsing. Unknown types are an error: the two ends are
// one program, and a version mismatch is said, not guessed around.
struct ControlMessage {
    enum class Type { pair, paired, refused, key, ready, alive, stop, ended, status } type = Type::alive;
    PairRequest pair;              // Type::pair
    PairReply reply;               // Type::paired / refused; Type::status (answer): receiver
    bool casting = false;          // Type::status (answer): a cast is on
    std::optional<StreamKey> key;  // Type::key: the stream key for this cast
    std::string reason;            // Type::ended / stop: why
};

// Throws CastError saying what is wrong with the line.
ControlMessage parse_message(const std::string& line);

std::string pair_line(const PairRequest& r);
std::string paired_line(const std::string& receiver_name);
std::string refused_line(const std::string& refusal);
std::string key_line(const StreamKey& key);
std::string simple_line(ControlMessage::Type type, const std::string& reason = {});  // ready, alive, stop, ended, status
// A receiver's answer to {"type":"status"}: its name and whether a cast is on.
std::string status_line(const std::string& receiver_name, bool casting);

}  // namespace courtplay::cast
