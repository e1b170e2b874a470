// The few POSIX file calls the cache and the audit journal make, with RAII for descriptors and whole reads and writes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace courtplay::files {

// A stdio stream, closed when it goes.
struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    ~Fd();
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        const int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_ = -1;
};

// Whole reads and writes at an offset; false with errno set (a short read at the end: errno 0).
bool pread_full(int fd, uint8_t* buf, size_t len, int64_t offset);
bool pwrite_full(int fd, const uint8_t* buf, size_t len, int64_t offset);

// Makes the last rename or unlink in `dir` survive a power cut.
void fsync_dir(const std::filesystem::path& dir);

// The whole of a small file (a manifest); empty when it cannot be read.
std::vector<uint8_t> read_small(const std::filesystem::path& file, size_t limit);

// An exclusive lock on a folder, held while the Fd lives; an empty Fd when another process holds it.
Fd try_lock_folder(const std::filesystem::path& dir);

// "the disk is full" for ENOSPC, strerror otherwise.
std::string errno_words(int err);

}  // namespace courtplay::files
