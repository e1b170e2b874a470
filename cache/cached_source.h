// A complete cache entry as a player Source: reading decrypts the chunk the position is in (one
// chunk is kept), so a seek costs one chunk. A chunk that fails its check is never handed on:
// from then on every read fails with AVERROR_INVALIDDATA and status() says the copy is damaged.
// A background pass checks every chunk once at low priority while the clip plays, so damage
// anywhere in the file stops playback early instead of when playback reaches it.
#pragma once

#include "cache/aead.h"
#include "cache/entry_format.h"
#include "files/posix_file.h"
#include "player/source.h"

#include <atomic>
#include <thread>

namespace courtplay::cache {

class CachedSource final : public player::Source {
public:
    CachedSource(files::Fd data, std::string name, Manifest manifest);
    ~CachedSource() override;

    int read(uint8_t* buf, int size) override;
    int64_t seek_to(int64_t offset) override;
    int64_t size() const override { return manifest_.bytes; }
    std::string name() const override { return manifest_.title; }

    struct Status {
        bool damaged = false;
        int64_t damaged_chunk = -1;   // the first chunk found failing its check
        bool all_checked = false;     // the background pass has checked every chunk
    };
    Status status() const;

private:
    // Decrypts chunk `index` into chunk_ with `aead`; false when it fails its check.
    bool load(Aead& aead, int64_t index, std::vector<uint8_t>& record, std::vector<uint8_t>& plain) const;
    void mark_damaged(int64_t index);
    void check_all();

    const files::Fd data_;
    const std::string name_;
    const Manifest manifest_;
    Aead aead_;                          // the reader's (demuxer thread)
    std::vector<uint8_t> record_, chunk_;
    int64_t chunk_index_ = -1;           // which chunk chunk_ holds
    int64_t pos_ = 0;
    std::atomic<int64_t> damaged_chunk_{-1};
    std::atomic<bool> all_checked_{false}, closing_{false};
    std::thread checker_;  // last: starts once the members it reads exist
};

}  // namespace courtplay::cache
