// Stores one clip into its cache entry: plaintext in, sealed chunks out, SHA-256 over everything.
// Made by EvidenceCache::store(), which holds the entry's lock for the writer's lifetime.
#pragma once

#include "cache/aead.h"
#include "cache/entry_format.h"
#include "files/posix_file.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

namespace courtplay::cache {

// The bytes stored are not the clip the grant describes (another length or another SHA-256).
// The entry has been discarded.
struct NotOriginalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ClipWriter {
public:
    using SaveManifest = std::function<void(const Manifest&)>;
    using Discard = std::function<void()>;

    // Checks the chunks already in `data` (a resumed entry) and continues after the last good one.
    ClipWriter(std::filesystem::path data_file, std::string name, Manifest manifest, files::Fd lock, SaveManifest save,
               Discard discard);
    ~ClipWriter();
    ClipWriter(const ClipWriter&) = delete;
    ClipWriter& operator=(const ClipWriter&) = delete;

    // Bytes of the clip already stored and checked: where the download resumes.
    int64_t stored() const { return stored_; }
    int64_t total() const { return manifest_.bytes; }

    // Throws CacheError (the disk is full, a write failed) or NotOriginalError (more bytes than
    // the grant's length). What was written so far stays, to be resumed.
    void append(std::span<const uint8_t> bytes);
    // Checks length and SHA-256, flushes the chunks to disk, then marks the entry complete.
    // Throws NotOriginalError (and discards the entry) or CacheError.
    void finish();
    // Removes the entry: the bytes are known not to be the original.
    void discard();

private:
    void resume();
    // Seals `plain` as the next chunk and writes its record.
    void seal(std::span<const uint8_t> plain);
    void seal_waiting();  // seals chunk_ and wipes it

    std::filesystem::path data_file_;
    std::string name_;
    Manifest manifest_;
    files::Fd lock_, data_;
    SaveManifest save_;
    Discard discard_;
    Aead aead_;
    struct Hash;
    std::unique_ptr<Hash> hash_;
    std::vector<uint8_t> chunk_;   // the start of a chunk, until the rest comes
    std::vector<uint8_t> record_;  // one sealed chunk on its way to the file
    int64_t stored_ = 0;       // bytes sealed into whole chunks plus those waiting in chunk_
    int64_t next_index_ = 0;   // the next chunk to seal
    bool broken_ = false;      // a write failed: the hash no longer matches the disk
};

}  // namespace courtplay::cache
