// HttpsSource's window and the threads that take bytes from it: the reader (the demuxer) and the
// hasher. The fetch thread that fills it is in https_fetcher.cpp; the reader once the clip is
// proven, in https_checked_read.cpp.
#include "player/https_source.h"

#include "files/thread_name.h"
#include "player/errors.h"
#include "player/https_fetcher.h"

extern "C" {
#include <libavutil/error.h>
}

#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace courtplay::player {
namespace {

using https::kBatch;
using https::kCurlBuffer;

constexpr size_t kMinReadAhead = 256 * 1024;
// A forward seek at most this far past the bytes held waits for the running request: cheaper than
// a new request (a TLS handshake and a round trip) when the demuxer skips a little.
constexpr int64_t kSmallGap = 256 * 1024;
// The most the hasher takes at once, outside the lock: a seek that restarts the window waits for it.
constexpr int64_t kHashChunk = 1 << 20;
// The hasher's nice value. With two cores shared by the TLS of both ends and the SHA-256, hashing
// at normal priority took turns with the fetch thread: 0.69-0.74x curl against 0.74-0.84x at
// nice 10 or 19 (docs/benchmarks.md, "Streaming").
constexpr int kHasherNice = 10;

bool is_sha256_hex(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string hex(const unsigned char* d, size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += kDigits[d[i] >> 4];
        out += kDigits[d[i] & 15];
    }
    return out;
}

HttpsSourceOptions normalised(HttpsSourceOptions o) {
    o.read_ahead = std::max(o.read_ahead, kMinReadAhead);
    if (o.name.empty()) o.name = o.url;
    std::transform(o.expected_sha256.begin(), o.expected_sha256.end(), o.expected_sha256.begin(), ::tolower);
    return o;
}

}  // namespace

HttpsSource::HttpsSource(HttpsSourceOptions options)
    : options_(normalised(std::move(options))), fetcher_(std::make_unique<Fetcher>()) {
    const std::string& name = options_.name;
    const bool verifying = !options_.expected_sha256.empty();
    if (strncasecmp(options_.url.c_str(), "https://", 8) != 0) throw OpenError(name, "the clip's address is not https");
    if (options_.expected_bytes < 0) throw OpenError(name, "the grant gives a negative size for the clip");
    if (verifying && !is_sha256_hex(options_.expected_sha256))
        throw OpenError(name, "the grant gives no valid SHA-256 for the clip");
    if (options_.ca_file.empty()) throw OpenError(name, "no CA to check the service's certificate against");
    fetcher_->multi.reset(curl_multi_init());
    if (verifying) {
        fetcher_->sha.reset(EVP_MD_CTX_new());
        if (!fetcher_->sha || EVP_DigestInit_ex(fetcher_->sha.get(), EVP_sha256(), nullptr) != 1)
            throw OpenError(name, "OpenSSL could not start a SHA-256");
        if (options_.proof_chunk_bytes <= 0) throw OpenError(name, "a proof chunk must have bytes");
        fetcher_->chunks = std::make_unique<ChunkRecorder>(options_.proof_chunk_bytes);
    }
    if (!fetcher_->multi) throw OpenError(name, "libcurl could not start");
    if (options_.expected_bytes > 0) total_ = options_.expected_bytes;
    if (!verifying) verification_ = Verification::unverified;
    // The window holds the read-ahead, a little behind the reader (libavformat often steps back a
    // few KiB) and one of libcurl's blocks.
    ring_size_ = options_.read_ahead + options_.read_ahead / 4 + static_cast<size_t>(kCurlBuffer);
    // After the proof a whole chunk must fit behind the read-ahead, or the reader waiting for the
    // chunk's end and the stream waiting for room would wait for each other.
    if (verifying)
        ring_size_ = std::max(ring_size_, options_.read_ahead + static_cast<size_t>(options_.proof_chunk_bytes + 2 * kCurlBuffer));
    ring_ = std::make_unique_for_overwrite<uint8_t[]>(ring_size_);  // not zeroed: every byte is written before it is read
    if (verifying)
        hash_thread_ = std::thread([this] {
            files::name_this_thread("https-hash");
            hash_loop();
        });
    fetch_thread_ = std::thread([this] {
        files::name_this_thread("https-fetch");
        fetch_loop();
    });
}

HttpsSource::~HttpsSource() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        interrupted_ = true;
    }
    bytes_arrived_.notify_all();
    hash_due_.notify_all();
    wake_fetcher();
    if (fetch_thread_.joinable()) fetch_thread_.join();
    if (hash_thread_.joinable()) hash_thread_.join();
}

void HttpsSource::wake_fetcher() const { curl_multi_wakeup(fetcher_->multi.get()); }

// ---- the window's rules (under mutex_) ----------------------------------------------------------

int64_t HttpsSource::end_locked() const { return total_ >= 0 ? total_ : INT64_MAX; }

bool HttpsSource::readable_locked() const {
    return interrupted_ || link_ == Link::failed || verification_ == Verification::failed || pos_ >= end_locked() ||
           (pos_ >= win_start_ && pos_ < win_end_);
}

int64_t HttpsSource::wanted_to_locked() const {
    return std::max(pos_ + static_cast<int64_t>(options_.read_ahead), chunk_wanted_to_);
}

// A paused stream resumes once a quarter of the read-ahead is free again, not at the first free
// block: each resume is a wakeup of the fetch thread and a pause soon after. A reader waiting for
// the rest of a chunk is never kept waiting for that quarter.
bool HttpsSource::room_locked() const {
    const auto ahead = static_cast<int64_t>(options_.read_ahead);
    const int64_t resume_gap = std::max(kCurlBuffer, ahead / 4);
    return win_end_ < end_locked() && (win_end_ + resume_gap <= pos_ + ahead || win_end_ < chunk_wanted_to_) &&
           win_end_ + kCurlBuffer <= keep_from_locked() + static_cast<int64_t>(ring_size_);
}

bool HttpsSource::hungry_locked() const {
    return win_end_ < end_locked() && win_end_ < pos_ + static_cast<int64_t>(options_.read_ahead / 2);
}

// The bytes right after the hashed prefix are in the window (or are the next to come): the hasher
// takes them from there, and the stream's single request serves playback and proof alike.
bool HttpsSource::prefix_alive_locked() const {
    return verification_ == Verification::pending && !verifier_owns_hash_ && hashed_to_ >= win_start_ &&
           hashed_to_ <= win_end_;
}

// The reader's bytes (from the chunk it is copying out, after the proof), and those the hasher
// has still to take.
int64_t HttpsSource::keep_from_locked() const {
    return std::min(prefix_alive_locked() ? std::min(pos_, hashed_to_) : pos_, pinned_from_);
}

void HttpsSource::published_locked() {
    if (reader_waiting_ && readable_locked()) {
        if (win_end_ >= std::min(reader_wants_, end_locked())) {
            reader_short_since_.reset();
            bytes_arrived_.notify_all();
        } else if (!reader_short_since_ && !reader_needs_chunk_) {
            reader_short_since_ = std::chrono::steady_clock::now();  // the fetch loop flushes them
        }
    }
    if (hasher_idle_ && !hash_wake_ && prefix_alive_locked() &&
        (win_end_ - hashed_to_ >= kBatch || win_end_ >= end_locked())) {
        hash_wake_ = true;
        hash_due_.notify_one();
    }
}

void HttpsSource::hashed_locked(int64_t n) {
    hashed_to_ += n;
    if (hashed_to_ != total_) return;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(fetcher_->sha.get(), digest, &len);
    if (hex(digest, len) == options_.expected_sha256) {
        verification_ = Verification::verified;
        proven_ = std::make_unique<const ChunkDigests>(fetcher_->chunks->finish());
    } else {
        verification_ = Verification::failed;
        link_ = Link::failed;
        read_error_ = AVERROR_INVALIDDATA;
        reason_ = "the clip's bytes do not match the SHA-256 in the grant: this is NOT the original evidence";
    }
    bytes_arrived_.notify_all();
}

void HttpsSource::fail_locked(const std::string& reason, int read_error, bool not_the_evidence) {
    if (link_ == Link::failed || verification_ == Verification::failed) return;  // the first reason stands
    link_ = Link::failed;
    reason_ = reason;
    read_error_ = read_error;
    if (not_the_evidence) {
        verification_ = Verification::failed;
        read_error_ = AVERROR_INVALIDDATA;
    }
    bytes_arrived_.notify_all();
}

// ---- the hasher ---------------------------------------------------------------------------------

// Its own thread, so that the SHA-256 (about as costly as the TLS itself) runs beside the fetch
// thread instead of slowing it; it takes the window's bytes in order, a batch at a time.
void HttpsSource::hash_loop() {
    // Below playback's threads (and the fetch thread): the proof may lag, the pictures must not.
    // It still gets a share when the CPU is saturated, enough for any evidence bitrate, and the
    // fetch thread waits for it rather than overwrite bytes it has not taken (keep_from_locked).
    // (On Linux setpriority() with a thread id sets that thread's nice value alone.)
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kHasherNice);
    std::unique_lock lock(mutex_);
    for (;;) {
        hasher_idle_ = true;
        hash_due_.wait(lock, [&] { return closing_ || hash_wake_; });
        hasher_idle_ = false;
        hash_wake_ = false;
        while (!closing_ && prefix_alive_locked() && hashed_to_ < win_end_) {
            const int64_t from = hashed_to_;
            const int64_t to = std::min(win_end_, from + kHashChunk);
            hashing_ = true;
            lock.unlock();
            // The fetch thread keeps these bytes until hashed_to_ passes them (keep_from_locked).
            const auto at = static_cast<size_t>(from % static_cast<int64_t>(ring_size_));
            const auto len = static_cast<size_t>(to - from);
            const size_t first = std::min(len, ring_size_ - at);
            EVP_DigestUpdate(fetcher_->sha.get(), ring_.get() + at, first);
            EVP_DigestUpdate(fetcher_->sha.get(), ring_.get(), len - first);
            fetcher_->chunks->update(ring_.get() + at, first);
            fetcher_->chunks->update(ring_.get(), len - first);
            lock.lock();
            hashing_ = false;
            hashed_locked(to - from);
            if (seek_waits_for_hasher_) bytes_arrived_.notify_all();
            if (stream_paused_ && room_locked()) {
                lock.unlock();
                wake_fetcher();
                lock.lock();
            }
            // Less than a batch while more is coming: wait for it rather than take it record by record.
            if (win_end_ - hashed_to_ < kBatch && win_end_ < end_locked() && !stream_paused_) break;
        }
        if (closing_) return;
    }
}

// ---- the reader ---------------------------------------------------------------------------------

int64_t HttpsSource::size() const {
    if (options_.expected_bytes > 0) return options_.expected_bytes;
    std::unique_lock lock(mutex_);
    if (total_ < 0 && !demanded_) {
        demanded_ = true;  // libavformat asks for the size before it reads: the first answer says it
        lock.unlock();
        wake_fetcher();
        lock.lock();
    }
    bytes_arrived_.wait(lock, [&] { return total_ >= 0 || interrupted_ || link_ == Link::failed; });
    return total_;
}

int HttpsSource::read(uint8_t* buf, int size) {
    std::unique_lock lock(mutex_);
    if (!demanded_) {
        demanded_ = true;
        lock.unlock();
        wake_fetcher();  // the first request waits for this
        lock.lock();
    }
    if (proven_) return read_checked(lock, buf, size);
    if (!readable_locked()) {
        reader_wants_ = pos_ + std::max<int64_t>(size, kBatch);
        reader_waiting_ = true;
        bytes_arrived_.wait(lock, [&] { return readable_locked(); });
        reader_waiting_ = false;
    }
    if (interrupted_) return AVERROR_EXIT;
    if (verification_ == Verification::failed) return AVERROR_INVALIDDATA;
    if (link_ == Link::failed) return read_error_;
    if (pos_ >= end_locked()) {
        // The end is told once the hasher has caught up, so that status() then says whether the
        // clip is the original.
        bytes_arrived_.wait(lock, [&] {
            return interrupted_ || link_ == Link::failed || !(prefix_alive_locked() && hashed_to_ < total_);
        });
        if (interrupted_) return AVERROR_EXIT;
        if (link_ == Link::failed) return verification_ == Verification::failed ? AVERROR_INVALIDDATA : read_error_;
        return 0;
    }
    const int n = static_cast<int>(std::min<int64_t>(size, win_end_ - pos_));
    const int64_t from = pos_;
    lock.unlock();
    // Outside the lock: the fetch thread writes only over bytes before pos_, and pos_ moves only
    // on this thread (reads and seeks).
    const auto at = static_cast<size_t>(from % static_cast<int64_t>(ring_size_));
    const size_t first = std::min(static_cast<size_t>(n), ring_size_ - at);
    std::memcpy(buf, ring_.get() + at, first);
    std::memcpy(buf + first, ring_.get(), static_cast<size_t>(n) - first);
    lock.lock();
    return consumed_locked(lock, n);
}

// Moves the reader on by n bytes and unlocks. The fetch thread sleeps while the window is full;
// tell it once there is room again.
int HttpsSource::consumed_locked(std::unique_lock<std::mutex>& lock, int n) {
    pos_ += n;
    const bool wake = room_locked() && (stream_paused_ || !fetcher_stream_active_);
    lock.unlock();
    if (wake) wake_fetcher();
    return n;
}

int64_t HttpsSource::seek_to(int64_t offset) {
    if (offset < 0) return AVERROR(EINVAL);
    bool wake = false;
    {
        std::unique_lock lock(mutex_);
        if (interrupted_) return AVERROR_EXIT;
        // After the proof the window must hold the whole chunk around the offset: a request
        // starts at its first byte.
        const int64_t from = proven_ && offset < end_locked() ? proven_->start_of(proven_->chunk_of(offset)) : offset;
        const bool in_checked = proven_ && offset >= checked_from_ && offset < checked_from_ + checked_len_;
        // Bytes a little past the window are worth waiting for only while a request brings them.
        const bool held = in_checked || (from >= win_start_ && offset <= win_end_);
        const bool coming = fetcher_stream_active_ && from >= win_start_ && offset > win_end_ && offset <= win_end_ + kSmallGap;
        if (!held && !coming && offset < end_locked()) {
            restart_window_locked(lock, from);
            wake = true;
        }
        pos_ = offset;
        if (!demanded_) demanded_ = wake = true;
    }
    if (wake) wake_fetcher();
    return offset;
}

void HttpsSource::restart_window_locked(std::unique_lock<std::mutex>& lock, int64_t from) {
    // The ring will be written from a new offset: the hasher must be done reading it.
    seek_waits_for_hasher_ = true;
    bytes_arrived_.wait(lock, [&] { return !hashing_; });
    seek_waits_for_hasher_ = false;
    win_start_ = win_end_ = from;
    ++generation_;
}

void HttpsSource::interrupt() {
    {
        std::lock_guard lock(mutex_);
        interrupted_ = true;
    }
    bytes_arrived_.notify_all();
}

HttpsSource::Status HttpsSource::status() const {
    std::lock_guard lock(mutex_);
    Status st;
    st.link = link_;
    st.verification = verification_;
    st.reason = reason_;
    st.error = link_ == Link::failed ? read_error_ : 0;
    st.verified_bytes = hashed_to_;  // 0 when unverified: nothing is hashed
    st.position = pos_;
    st.buffered_to = win_end_;
    st.requests = requests_;
    st.reconnects = reconnects_;
    st.received = received_;
    st.altered_chunk = altered_chunk_;
    st.chunk_bytes = proven_ ? proven_->chunk_bytes() : 0;
    return st;
}

}  // namespace courtplay::player
