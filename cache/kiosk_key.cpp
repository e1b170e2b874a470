#include "cache/kiosk_key.h"

#include "auth/keys.h"

#include <openssl/crypto.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

namespace courtplay::cache {
namespace fs = std::filesystem;

namespace {
std::string why() { return std::strerror(errno); }

SecretKey read_key(const fs::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) throw CacheError("the cache key " + file.string() + " cannot be read (" + why() + ")");
    std::array<uint8_t, 32> buf{};
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    ::close(fd);
    if (n != static_cast<ssize_t>(buf.size())) throw CacheError("the cache key " + file.string() + " cannot be read in full");
    SecretKey key(buf);
    OPENSSL_cleanse(buf.data(), buf.size());
    return key;
}
}  // namespace

SecretKey load_or_create_kiosk_key(const fs::path& file) {
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) {
        if (errno != ENOENT) throw CacheError("the cache key " + file.string() + " cannot be checked (" + why() + ")");
        std::error_code ec;
        fs::create_directories(file.parent_path(), ec);
        if (ec) throw CacheError("the folder for the cache key, " + file.parent_path().string() +
                                 ", cannot be made (" + ec.message() + ")");
        ::chmod(file.parent_path().c_str(), 0700);
        const SecretKey key = SecretKey::random();
        try {
            const auto b = key.bytes();
            auth::write_file_atomic(file, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()), 0600);
        } catch (const std::exception& e) {
            throw CacheError(std::string("the cache key cannot be saved: ") + e.what());
        }
        return key;
    }
    if (!S_ISREG(st.st_mode)) throw CacheError("the cache key " + file.string() + " is not a regular file");
    if (st.st_uid != ::geteuid())
        throw CacheError("the cache key " + file.string() + " belongs to another user; it must belong to the user "
                         "courtplay runs as");
    if (st.st_mode & 077)
        throw CacheError("the cache key " + file.string() + " can be read by others; run chmod 600 on it "
                         "(and ask whether it has been copied)");
    if (st.st_size != 32)
        throw CacheError("the cache key " + file.string() + " is damaged (" + std::to_string(st.st_size) +
                         " bytes, not 32); move it away: a new key is made, and clips cached under the old one "
                         "are fetched again");
    return read_key(file);
}

}  // namespace courtplay::cache
