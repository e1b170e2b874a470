// Where clip bytes come from. The demuxer reads through a Source via a custom AVIOContext, so a
// later HTTPS or encrypted-cache source plugs in here without the demuxer changing.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace courtplay::player {

class Source {
public:
    virtual ~Source() = default;
    // Reads up to `size` bytes at the current position. Returns bytes read, 0 at end, <0 an AVERROR.
    virtual int read(uint8_t* buf, int size) = 0;
    // Moves to an absolute offset. Returns the new offset or <0 (an AVERROR).
    virtual int64_t seek_to(int64_t offset) = 0;
    // Total size in bytes, or <0 when unknown.
    virtual int64_t size() const = 0;
    // A name a person recognises (the file path or the clip title), used in messages.
    virtual std::string name() const = 0;
    // From any thread: unblocks a read in progress; later reads return AVERROR_EXIT. A source whose
    // reads can wait (on the network) must honour it, so that stopping never hangs; local ones
    // never wait and need not.
    virtual void interrupt() {}
};

// Opens a local file. Throws OpenError with a readable reason when it cannot be opened.
std::unique_ptr<Source> open_file_source(const std::string& path);

// Bytes already in memory (fuzzing, and decrypted cache chunks later). `name` is for messages.
std::unique_ptr<Source> open_memory_source(std::string name, std::vector<uint8_t> bytes);

// Reads through `source` without owning it: the owner keeps it, and can still ask it how things
// went (an HttpsSource's status) once the player reading it is gone. `source` must outlive it.
std::unique_ptr<Source> borrow_source(Source& source);

}  // namespace courtplay::player
