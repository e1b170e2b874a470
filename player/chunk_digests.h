// A keyed digest of every fixed-size part ("chunk") of a clip, taken while the whole clip is proven
// against the grant's SHA-256, so that bytes fetched again later (a streamed clip is read once to
// prove it, then fetched again to play) can be held to exactly the bytes that were proven.
//
// The digest is AES-256-GMAC under a key drawn at random for the clip, which never leaves this
// process's memory, with the chunk's index as the nonce. A second SHA-256 per chunk would have
// doubled the proof's hashing (the costliest part of a verified stream on two cores); GMAC runs
// at several times its speed. It is as good a proof here: the service that could send altered
// bytes never learns the key or any digest, and for bytes that differ the chance of an equal
// digest is at most (blocks + 1) / 2^128, about 2^-111 for a 1 MiB chunk, whatever the bytes.
// 16 bytes per 1 MiB chunk: a two-hour clip at 10 Mb/s needs under 150 KiB of them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace courtplay::player {

constexpr int64_t kProofChunkBytes = 1 << 20;

using ChunkDigest = std::array<uint8_t, 16>;
using ChunkKey = std::array<uint8_t, 32>;

// The digests of a whole clip. Chunk i is bytes [i * chunk_bytes, (i + 1) * chunk_bytes), the last
// one shorter when the size is not a multiple.
class ChunkDigests {
public:
    enum class Check { matches, differs, wrong_length, no_such_chunk };

    // `sound`: false when OpenSSL failed while recording, and then no check ever matches.
    ChunkDigests(int64_t chunk_bytes, int64_t total, const ChunkKey& key, std::vector<ChunkDigest> digests,
                 bool sound = true);
    ~ChunkDigests();  // wipes the key
    ChunkDigests(ChunkDigests&&) = default;  // the moved-from copy of the key is wiped too
    ChunkDigests& operator=(ChunkDigests&&) = delete;

    int64_t chunk_bytes() const { return chunk_bytes_; }
    int64_t total() const { return total_; }
    int64_t count() const { return static_cast<int64_t>(digests_.size()); }
    int64_t chunk_of(int64_t offset) const { return offset / chunk_bytes_; }
    int64_t start_of(int64_t chunk) const { return chunk * chunk_bytes_; }
    int64_t length_of(int64_t chunk) const;  // 0 for a chunk that does not exist

    // Whether `len` bytes at `data` are chunk `chunk` exactly as it was proven.
    Check check(int64_t chunk, const uint8_t* data, size_t len) const;

private:
    int64_t chunk_bytes_;
    int64_t total_;
    ChunkKey key_;
    std::vector<ChunkDigest> digests_;
    bool sound_;
};

// Takes a clip's bytes in order, from byte 0, and records each chunk's digest as it completes.
class ChunkRecorder {
public:
    // Throws std::runtime_error when OpenSSL cannot draw a key or start a digest.
    explicit ChunkRecorder(int64_t chunk_bytes = kProofChunkBytes);
    ~ChunkRecorder();  // wipes the key
    ChunkRecorder(const ChunkRecorder&) = delete;
    ChunkRecorder& operator=(const ChunkRecorder&) = delete;

    void update(const uint8_t* data, size_t len);  // never throws (it runs on the source's hasher thread)
    // The digests of everything taken; the last chunk may be short. The recorder is spent.
    ChunkDigests finish();

private:
    struct Gmac;  // OpenSSL's state, freed with the recorder
    void close_chunk();

    const int64_t chunk_bytes_;
    ChunkKey key_;
    std::unique_ptr<Gmac> gmac_;
    int64_t in_chunk_ = 0;  // bytes of the open chunk taken so far
    int64_t taken_ = 0;
    std::vector<ChunkDigest> digests_;
    bool sound_ = true;  // every OpenSSL call succeeded
};

}  // namespace courtplay::player
