#include "files/posix_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace courtplay::files {

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.release();
    }
    return *this;
}

Fd::~Fd() {
    if (fd_ >= 0) ::close(fd_);
}

bool pread_full(int fd, uint8_t* buf, size_t len, int64_t offset) {
    while (len > 0) {
        const ssize_t n = ::pread(fd, buf, len, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = 0;
            return false;
        }
        buf += n, len -= size_t(n), offset += n;
    }
    return true;
}

bool pwrite_full(int fd, const uint8_t* buf, size_t len, int64_t offset) {
    while (len > 0) {
        const ssize_t n = ::pwrite(fd, buf, len, offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = ENOSPC;
            return false;
        }
        buf += n, len -= size_t(n), offset += n;
    }
    return true;
}

void fsync_dir(const std::filesystem::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd) ::fsync(fd.get());
}

std::vector<uint8_t> read_small(const std::filesystem::path& file, size_t limit) {
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || st.st_size <= 0 || size_t(st.st_size) > limit) return {};
    std::vector<uint8_t> out(size_t(st.st_size));
    if (!pread_full(fd.get(), out.data(), out.size(), 0)) return {};
    return out;
}

Fd try_lock_folder(const std::filesystem::path& dir) {
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return Fd();
    return fd;
}

std::string errno_words(int err) {
    if (err == ENOSPC || err == EDQUOT) return "the disk is full";
    if (err == EROFS) return "the disk is read-only";
    return std::strerror(err);
}

}  // namespace courtplay::files
