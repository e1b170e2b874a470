#include "player/source.h"

#include "player/errors.h"

extern "C" {
#include <libavutil/error.h>
}

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace courtplay::player {
namespace {

class FileSource final : public Source {
public:
    FileSource(std::string path, int fd, int64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
    ~FileSource() override { ::close(fd_); }
    FileSource(const FileSource&) = delete;
    FileSource& operator=(const FileSource&) = delete;

    int read(uint8_t* buf, int size) override {
        for (;;) {
            ssize_t n = ::pread(fd_, buf, static_cast<size_t>(size), pos_);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return AVERROR(errno);
            pos_ += n;
            return static_cast<int>(n);
        }
    }
    int64_t seek_to(int64_t offset) override {
        if (offset < 0) return AVERROR(EINVAL);
        pos_ = offset;
        return pos_;
    }
    int64_t size() const override { return size_; }
    std::string name() const override { return path_; }

private:
    std::string path_;
    int fd_;
    int64_t size_;
    int64_t pos_ = 0;
};

}  // namespace

std::unique_ptr<Source> open_file_source(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw OpenError(path, std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw OpenError(path, "not a regular file");
    }
    return std::make_unique<FileSource>(path, fd, static_cast<int64_t>(st.st_size));
}

}  // namespace courtplay::player
