// The SHA-256 of every fixed-size part ("chunk") of a clip, taken while the whole clip is proven
// against the grant's SHA-256, so that bytes fetched again later (a streamed clip is read once to
// prove it, then fetched again to play) can be held to exactly the bytes that were proven. 32
// bytes per 1 MiB chunk: a two-hour clip at 10 Mb/s needs under 300 KiB of them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace courtplay::player {

constexpr int64_t kProofChunkBytes = 1 << 20;

using ChunkDigest = std::array<uint8_t, 32>;

// The digests of a whole clip. Chunk i is bytes [i * chunk_bytes, (i + 1) * chunk_bytes), the last
// one shorter when the size is not a multiple.
class ChunkDigests {
public:
    enum class Check { matches, differs, wrong_length, no_such_chunk };

    ChunkDigests(int64_t chunk_bytes, int64_t total, std::vector<ChunkDigest> digests);

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
    std::vector<ChunkDigest> digests_;
};

// Takes a clip's bytes in order, from byte 0, and records each chunk's SHA-256 as it completes.
class ChunkRecorder {
public:
    explicit ChunkRecorder(int64_t chunk_bytes = kProofChunkBytes);
    ~ChunkRecorder();
    ChunkRecorder(const ChunkRecorder&) = delete;
    ChunkRecorder& operator=(const ChunkRecorder&) = delete;

    void update(const uint8_t* data, size_t len);
    // The digests of everything taken; the last chunk may be short. The recorder is spent.
    ChunkDigests finish();

private:
    struct Sha;  // OpenSSL's state, freed with the recorder
    void close_chunk();

    const int64_t chunk_bytes_;
    std::unique_ptr<Sha> sha_;
    int64_t in_chunk_ = 0;  // bytes of the open chunk taken so far
    int64_t taken_ = 0;
    std::vector<ChunkDigest> digests_;
};

}  // namespace courtplay::player
