#include "cast/stream_format.h"

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/frame.h>
}

#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace courtplay::cast {

// Made once for courtplay (random): tells our SEI from x264's own version SEI and anyone else's.
const std::array<uint8_t, 16> kMediaStampUuid = {0x63, 0x6f, 0x75, 0x72, 0x74, 0x70, 0x6c, 0x61,
                                                 0x9d, 0x41, 0x4b, 0x2e, 0xa1, 0x57, 0x0c, 0x3e};

namespace {
constexpr char kStampTag[] = "courtplay-media v1 ";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

StreamKey StreamKey::generate() {
    StreamKey key;
    if (RAND_bytes(key.bytes_.data(), static_cast<int>(key.bytes_.size())) != 1)
        throw CastError("cannot make a stream key: the system's random number generator failed");
    return key;
}

std::optional<StreamKey> StreamKey::from_hex(const std::string& hex) {
    if (hex.size() != 64) return std::nullopt;
    StreamKey key;
    for (size_t i = 0; i < 32; ++i) {
        const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        key.bytes_[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return key;
}

std::string StreamKey::passphrase() const {
    static const char digits[] = "0123456789abcdef";
    std::string out(64, '0');
    for (size_t i = 0; i < 32; ++i) {
        out[2 * i] = digits[bytes_[i] >> 4];
        out[2 * i + 1] = digits[bytes_[i] & 15];
    }
    return out;
}

StreamKey read_stream_key_file(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw CastError("cannot read the stream key file " + file.string() + ": " + std::strerror(errno));
    struct stat st {};
    const bool stat_ok = fstat(fd, &st) == 0;
    std::string text(200, '\0');
    const ssize_t n = stat_ok && S_ISREG(st.st_mode) ? ::read(fd, text.data(), text.size()) : -1;
    ::close(fd);
    if (!stat_ok || !S_ISREG(st.st_mode))
        throw CastError("the stream key file " + file.string() + " is not a regular file");
    if (st.st_uid != geteuid() || (st.st_mode & 077) != 0)
        throw CastError("the stream key file " + file.string() +
                        " must belong to this user and be readable by no one else (chmod 600)");
    if (n < 0) throw CastError("cannot read the stream key file " + file.string() + ": " + std::strerror(errno));
    text.resize(static_cast<size_t>(n));
    text = text.substr(0, text.find('\n'));
    if (!text.empty() && text.back() == '\r') text.pop_back();
    auto key = StreamKey::from_hex(text);
    if (!key) throw CastError("the stream key file " + file.string() + " must hold 64 hex digits on its first line");
    return *key;
}

void write_stream_key_file(const std::filesystem::path& file, const StreamKey& key) {
    ::unlink(file.c_str());
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw CastError("cannot write the stream key file " + file.string() + ": " + std::strerror(errno));
    const std::string line = key.passphrase() + "\n";
    const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    ::close(fd);
    if (!ok) throw CastError("cannot write the stream key file " + file.string());
}

HostPort parse_host_port(const std::string& text, const char* what) {
    const auto colon = text.rfind(':');
    const std::string bad = std::string(what) + " must be HOST:PORT (e.g. 192.0.2.10:7700), not '" + text + "'";
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) throw CastError(bad);
    HostPort out;
    out.host = text.substr(0, colon);
    if (out.host.front() == '[' && out.host.back() == ']') out.host = out.host.substr(1, out.host.size() - 2);
    if (out.host.find_first_of("?&/@ ") != std::string::npos || out.host.empty()) throw CastError(bad);
    const std::string port = text.substr(colon + 1);
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos) throw CastError(bad);
    out.port = std::stoi(port);
    if (out.port < 1 || out.port > 65535) throw CastError(bad);
    return out;
}

std::string host_port_text(const std::string& host, int port) {
    return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string srt_url(const HostPort& address, SrtRole role) {
    return "srt://" + host_port_text(address.host, address.port) +
           (role == SrtRole::listener ? "?mode=listener" : "?mode=caller");
}

AVDictionary* srt_options(const StreamKey& key, SrtRole role, int latency_ms) {
    AVDictionary* d = nullptr;
    av_dict_set(&d, "passphrase", key.passphrase().c_str(), 0);
    av_dict_set(&d, "pbkeylen", "32", 0);
    av_dict_set(&d, "enforced_encryption", "1", 0);
    av_dict_set(&d, "transtype", "live", 0);
    av_dict_set(&d, "latency", std::to_string(int64_t{latency_ms} * 1000).c_str(), 0);  // FFmpeg takes microseconds
    // The sender's last packets are still delivered when it closes at the end of a clip.
    if (role == SrtRole::caller) av_dict_set(&d, "linger", "2", 0);
    return d;
}

bool attach_media_stamp(AVFrame* frame, const MediaStamp& stamp) {
    char text[128];
    const int n = std::snprintf(text, sizeof text, "%smedia_us=%lld frame=%lld repaint=%d", kStampTag,
                                static_cast<long long>(stamp.media_us), static_cast<long long>(stamp.frame_number),
                                stamp.repaint ? 1 : 0);
    const size_t size = kMediaStampUuid.size() + static_cast<size_t>(n);
    AVFrameSideData* sd = av_frame_new_side_data(frame, AV_FRAME_DATA_SEI_UNREGISTERED, size);
    if (!sd) return false;
    std::memcpy(sd->data, kMediaStampUuid.data(), kMediaStampUuid.size());
    std::memcpy(sd->data + kMediaStampUuid.size(), text, static_cast<size_t>(n));
    return true;
}

std::optional<MediaStamp> read_media_stamp(const AVFrame* frame) {
    for (int i = 0; i < frame->nb_side_data; ++i) {
        const AVFrameSideData* sd = frame->side_data[i];
        if (sd->type != AV_FRAME_DATA_SEI_UNREGISTERED || sd->size < kMediaStampUuid.size() ||
            std::memcmp(sd->data, kMediaStampUuid.data(), kMediaStampUuid.size()) != 0)
            continue;
        std::string text(reinterpret_cast<const char*>(sd->data) + kMediaStampUuid.size(),
                         sd->size - kMediaStampUuid.size());
        text = text.substr(0, text.find('\0'));
        long long media = 0, number = 0;
        int repaint = 0;
        if (text.rfind(kStampTag, 0) != 0 ||
            std::sscanf(text.c_str() + sizeof kStampTag - 1, "media_us=%lld frame=%lld repaint=%d", &media, &number,
                        &repaint) != 3)
            continue;
        return MediaStamp{media, number, repaint != 0};
    }
    return std::nullopt;
}

}  // namespace courtplay::cast
