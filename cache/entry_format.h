// How one cached clip lies on disk (docs/cache.md):
//
//   CACHE/<name>/manifest   sealed JSON (the Manifest below) under the kiosk's manifest key
//   CACHE/<name>/clip.enc   the clip in chunks of `chunk_size` bytes, each sealed on its own:
//                           record i at i * (chunk_size + 28): nonce | ciphertext | tag
//
// <name> is a keyed hash of share, clip and digest: the folder names say nothing about the case.
// A chunk's associated data is the entry's name, its index and the clip's length, so a chunk
// cannot be moved, repeated, or the file cut short without its check failing. Seeking decrypts
// one chunk. The manifest holds the clip's own random key, so deleting the manifest first makes
// the chunks unreadable at once (purge).
#pragma once

#include "cache/aead.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace courtplay::cache {

constexpr uint32_t kChunkBytes = 256 * 1024;

struct Manifest {
    std::string share_id, clip_id, title;
    std::string sha256;         // the grant's digest, 64 hex digits
    int64_t bytes = 0;          // the grant's length
    std::string party, case_ref;
    int64_t expires_at = 0;     // the grant's expiry (Unix seconds): purged then
    int64_t keep_until = 0;     // after a session ended with the cache kept; 0: not set
    std::string token_digest;   // SHA-256 of the share code, to purge on a later refusal of it
    std::string grant_jws;      // the signed grant it was stored under: a session without the network
                                // verifies it again instead of redeeming (docs/cache.md)
    SecretKey data_key;         // this clip's own key
    uint32_t chunk_size = kChunkBytes;
    bool complete = false;      // every byte stored and the whole clip's SHA-256 matched
    int64_t stored_at = 0, verified_at = 0;
};

// The keyed folder name for a clip of a share.
std::string entry_name(const SecretKey& names_key, const std::string& share_id, const std::string& clip_id,
                       const std::string& sha256);

std::vector<uint8_t> seal_manifest(const Manifest& m, Aead& aead, const std::string& name);
// nullopt when the bytes are damaged, belong to another entry, or were sealed under another key.
std::optional<Manifest> open_manifest(const std::vector<uint8_t>& sealed, Aead& aead, const std::string& name);

std::vector<uint8_t> chunk_ad(const std::string& name, uint64_t index, uint64_t clip_bytes);

inline int64_t chunk_count(int64_t bytes, uint32_t chunk) { return (bytes + chunk - 1) / chunk; }
inline uint32_t chunk_length(int64_t bytes, uint32_t chunk, int64_t index) {
    const int64_t left = bytes - index * int64_t(chunk);
    return static_cast<uint32_t>(left < int64_t(chunk) ? left : chunk);
}
inline int64_t record_offset(uint32_t chunk, int64_t index) { return index * (int64_t(chunk) + int64_t(kSealOverhead)); }
// The size clip.enc has once complete.
inline int64_t stored_size(int64_t bytes, uint32_t chunk) {
    const int64_t n = chunk_count(bytes, chunk);
    return bytes + n * int64_t(kSealOverhead);
}

}  // namespace courtplay::cache
