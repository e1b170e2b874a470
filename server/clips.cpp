#include "server/clips.h"

#include "auth/court_time.h"
#include "server/util.h"

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/log.h>
}

#include <openssl/evp.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

namespace courtplay::server {
namespace {

namespace fs = std::filesystem;

struct InputCloser {
    void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct MdFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

std::string av_error(int code) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, buf, sizeof buf);
    return buf;
}

class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) throw ClipError("SHA-256 is unavailable");
    }
    void update(const void* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
    std::string hex_digest() {
        std::array<uint8_t, 32> digest{};
        unsigned int n = 0;
        EVP_DigestFinal_ex(ctx_.get(), digest.data(), &n);
        static constexpr char digits[] = "0123456789abcdef";
        std::string out;
        for (uint8_t b : digest) {
            out += digits[b >> 4];
            out += digits[b & 15];
        }
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, MdFree> ctx_;
};

}  // namespace

ClipProbe probe_clip(const fs::path& file) {
    // FFmpeg's own log lines would only repeat what the refusal below says.
    av_log_set_level(AV_LOG_QUIET);
    AVFormatContext* raw = nullptr;
    if (int rc = avformat_open_input(&raw, file.c_str(), nullptr, nullptr); rc < 0) {
        throw ClipError("cannot read " + file.string() + " as a video or audio file (" + av_error(rc) +
                        "): check it is the exported clip and not, say, a playlist or a document");
    }
    std::unique_ptr<AVFormatContext, InputCloser> input(raw);
    if (int rc = avformat_find_stream_info(input.get(), nullptr); rc < 0) {
        throw ClipError("cannot find the streams in " + file.string() + " (" + av_error(rc) +
                        "): the file may be damaged or incomplete");
    }
    bool has_media = false;
    int64_t duration_ms = 0;
    for (unsigned i = 0; i < input->nb_streams; ++i) {
        const AVStream* st = input->streams[i];
        const auto type = st->codecpar->codec_type;
        if (type != AVMEDIA_TYPE_VIDEO && type != AVMEDIA_TYPE_AUDIO) continue;
        has_media = true;
        if (st->duration != AV_NOPTS_VALUE && st->duration > 0) {
            duration_ms = std::max(duration_ms, av_rescale_q(st->duration, st->time_base, AVRational{1, 1000}));
        }
    }
    if (!has_media) throw ClipError(file.string() + " has no video or audio stream: it is not a clip");
    if (input->duration != AV_NOPTS_VALUE && input->duration > 0) {
        duration_ms = av_rescale(input->duration, 1000, AV_TIME_BASE);
    }
    if (duration_ms <= 0) {
        throw ClipError("cannot tell how long " + file.string() +
                        " is: the file may be incomplete (re-export it from the source system)");
    }
    ClipProbe probe;
    probe.duration_ms = duration_ms;
    if (const AVDictionaryEntry* e = av_dict_get(input->metadata, "creation_time", nullptr, 0)) {
        if (auto t = auth::parse_iso8601(e->value)) probe.creation_time = auth::iso8601_utc(*t);
    }
    return probe;
}

ClipRecord import_clip(const ClipImport& what, const fs::path& clips_dir, int64_t now) {
    if (what.title.empty()) throw ClipError("--title is empty: give the clip a title people will recognise");
    std::optional<int64_t> recorded;
    if (what.recorded_at) {
        recorded = auth::parse_iso8601(*what.recorded_at);
        if (!recorded) {
            throw ClipError("--recorded-at `" + *what.recorded_at +
                            "` is not an ISO 8601 time such as 2026-03-01T09:30:00Z");
        }
    }
    std::error_code ec;
    if (!fs::is_regular_file(what.file, ec)) throw ClipError("there is no file " + what.file.string());
    const ClipProbe probe = probe_clip(what.file);

    ClipRecord c;
    c.id = random_id("cl_", 12);
    c.title = what.title;
    c.file = c.id + what.file.extension().string();
    c.duration_ms = probe.duration_ms;
    c.recorded_at = recorded ? auth::iso8601_utc(*recorded) : probe.creation_time;
    c.device = what.device;
    c.added_at = now;

    // Copy to a temporary name in the same folder, hashing on the way, then fsync and rename: the
    // clip folder never holds half a clip under its real name.
    const fs::path final_path = clips_dir / c.file;
    const fs::path temp_path = clips_dir / ("." + c.file + ".part");
    Fd in(::open(what.file.c_str(), O_RDONLY | O_CLOEXEC));
    if (in.fd < 0) throw ClipError("cannot read " + what.file.string() + ": " + std::strerror(errno));
    Fd out(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (out.fd < 0) throw ClipError("cannot write into " + clips_dir.string() + ": " + std::strerror(errno));
    const auto give_up = [&](const std::string& why) {
        fs::remove(temp_path, ec);
        return ClipError("cannot copy " + what.file.string() + " into " + clips_dir.string() + ": " + why);
    };
    Sha256 sha;
    std::vector<char> buf(1 << 20);
    while (true) {
        const ssize_t n = ::read(in.fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw give_up(std::strerror(errno));
        if (n == 0) break;
        sha.update(buf.data(), static_cast<size_t>(n));
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = ::write(out.fd, buf.data() + done, static_cast<size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) throw give_up(std::strerror(errno));
            done += w;
        }
        c.bytes += n;
    }
    if (::fsync(out.fd) != 0) throw give_up(std::strerror(errno));
    if (::rename(temp_path.c_str(), final_path.c_str()) != 0) throw give_up(std::strerror(errno));
    c.sha256 = sha.hex_digest();
    return c;
}

}  // namespace courtplay::server
