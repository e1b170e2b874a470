// The audit trail's chain: the one format the kiosk's journal writes and the audit service stores
// (docs/audit.md is the reference). Every record carries the hash of the one before, so an edit,
// a deletion or a reordering breaks the chain; every batch ends with a seal, the kiosk's Ed25519
// signature over the newest record's hash, so a rewritten chain does not verify either.
//
// An event is a JSON object with integer numbers only, so that nlohmann's dump() (keys sorted,
// no spaces) is the same text on the kiosk and on the service: that text is what is hashed.
#pragma once

#include "auth/keys.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace courtplay::audit {

// The `prev` of a kiosk's first record.
inline constexpr std::string_view kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// Lower-case hex SHA-256 of "courtplay.audit.v1\n" + prev + "\n" + event_text.
std::string record_hash(std::string_view prev, std::string_view event_text);

struct Record {
    nlohmann::json event;  // see docs/audit.md for its members
    std::string prev;      // the hash of the record before (kGenesis for seq 1)
    std::string hash;      // record_hash(prev, event.dump())

    int64_t seq() const;
    std::string id() const;
    std::string type() const;
};

struct Seal {
    std::string kiosk_id;
    int64_t seq = 0;       // the newest record it covers
    std::string head;      // that record's hash
    std::string key;       // the kiosk's Ed25519 public key, raw, base64url
    std::string sig;       // base64url Ed25519 signature over seal_message()
};

// "courtplay.audit.seal.v1\n" + kiosk_id + "\n" + seq + "\n" + head + "\n" + key
std::string seal_message(const Seal& seal);
Seal make_seal(const auth::SigningKey& key, const std::string& kiosk_id, int64_t seq, const std::string& head);
// The signature verifies with `key` (and the seal names that key).
bool seal_verifies(const Seal& seal, const auth::VerifyKey& key);
// The key the seal names; nullopt when it is not a well-formed Ed25519 public key.
std::optional<auth::VerifyKey> seal_key(const Seal& seal);

// One line of the journal, one element of a shipped batch.
using Line = std::variant<Record, Seal>;

nlohmann::json to_json(const Line& line);
// Shape only (members present, of the right types, sizes sane); nullopt when it is not a line.
// Hashes and signatures are checked by the caller against the chain it holds.
std::optional<Line> from_json(const nlohmann::json& j);
// A journal line's text, without the newline.
std::string to_text(const Line& line);
std::optional<Line> parse_line(std::string_view text);

// What is wrong with a record on its own (its event's members, its hash), in words; nullopt
// when nothing is. It does not look at the record before.
std::optional<std::string> record_fault(const Record& record);

// Where a chain has got to: its newest record's sequence number and hash.
struct ChainHead {
    int64_t seq = 0;
    std::string hash{kGenesis};
};

// What is wrong with `next` as the record after `head` (record_fault, then the sequence number
// and the link), in words; nullopt when it follows.
std::optional<std::string> follow_fault(const ChainHead& head, const Record& next);

}  // namespace courtplay::audit
