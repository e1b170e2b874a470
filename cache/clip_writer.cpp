#include "cache/clip_writer.h"

#include "auth/base64url.h"
#include "auth/court_time.h"
#include "cache/kiosk_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace courtplay::cache {

struct ClipWriter::Hash {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    Hash() {
        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
            throw std::runtime_error("OpenSSL could not start a SHA-256");
    }
    ~Hash() { EVP_MD_CTX_free(ctx); }
    void update(const uint8_t* p, size_t n) { EVP_DigestUpdate(ctx, p, n); }
    std::string hex_final() {
        uint8_t d[32];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx, d, &len);
        return auth::hex(std::span<const uint8_t>(d, len));
    }
};

ClipWriter::ClipWriter(std::filesystem::path data_file, std::string name, Manifest manifest, files::Fd lock,
                       SaveManifest save, Discard discard)
    : data_file_(std::move(data_file)),
      name_(std::move(name)),
      manifest_(std::move(manifest)),
      lock_(std::move(lock)),
      save_(std::move(save)),
      discard_(std::move(discard)),
      aead_(manifest_.data_key),
      hash_(std::make_unique<Hash>()) {
    data_ = files::Fd(::open(data_file_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!data_) throw CacheError("the cache file " + data_file_.string() + " cannot be opened (" + files::errno_words(errno) + ")");
    chunk_.reserve(manifest_.chunk_size);
    record_.resize(manifest_.chunk_size + kSealOverhead);
    resume();
}

ClipWriter::~ClipWriter() { OPENSSL_cleanse(chunk_.data(), chunk_.size()); }

// Keeps every chunk from the start that opens and hashes it again (the SHA-256 must cover every
// byte); cuts the file after the last good one. A chunk torn by a crash, or lost in a power cut,
// fails its check like a damaged one and is fetched again.
void ClipWriter::resume() {
    const int64_t chunks = chunk_count(manifest_.bytes, manifest_.chunk_size);
    std::vector<uint8_t> plain(manifest_.chunk_size);
    int64_t good = 0, good_end = 0;  // chunks that check, and where the last of them ends
    for (; good < chunks; ++good) {
        const uint32_t len = chunk_length(manifest_.bytes, manifest_.chunk_size, good);
        if (!files::pread_full(data_.get(), record_.data(), len + kSealOverhead, record_offset(manifest_.chunk_size, good)))
            break;
        if (!aead_.open({record_.data(), len + kSealOverhead}, chunk_ad(name_, good, manifest_.bytes), plain.data()))
            break;
        hash_->update(plain.data(), len);
        stored_ += len;
        good_end += len + kSealOverhead;
    }
    OPENSSL_cleanse(plain.data(), plain.size());
    next_index_ = good;
    // Not record_offset(good): when every chunk checks, the last one is short.
    if (::ftruncate(data_.get(), good_end) != 0)
        throw CacheError("the cache file " + data_file_.string() + " cannot be cut back (" + files::errno_words(errno) + ")");
}

void ClipWriter::append(std::span<const uint8_t> bytes) {
    if (broken_) throw CacheError("storing this clip failed before; start it again");
    if (stored_ + int64_t(bytes.size()) > manifest_.bytes) {
        discard();
        throw NotOriginalError("the service sent more than the clip's " + std::to_string(manifest_.bytes) + " bytes");
    }
    const size_t chunk_size = manifest_.chunk_size;
    // Each piece is hashed just before it is sealed, while it is still in the CPU's cache. A whole
    // chunk is sealed straight from the caller's bytes: no plaintext copy of it is made or kept.
    while (!bytes.empty()) {
        const bool whole = chunk_.empty() && bytes.size() >= chunk_size;
        const size_t take = whole ? chunk_size : std::min(bytes.size(), chunk_size - chunk_.size());
        hash_->update(bytes.data(), take);
        stored_ += int64_t(take);
        if (whole) {
            seal(bytes.first(take));
        } else {
            chunk_.insert(chunk_.end(), bytes.begin(), bytes.begin() + take);
            if (chunk_.size() == chunk_size) seal_waiting();
        }
        bytes = bytes.subspan(take);
    }
}

void ClipWriter::seal(std::span<const uint8_t> plain) {
    aead_.seal(plain, chunk_ad(name_, next_index_, manifest_.bytes), record_.data());
    if (!files::pwrite_full(data_.get(), record_.data(), plain.size() + kSealOverhead,
                            record_offset(manifest_.chunk_size, next_index_))) {
        const int err = errno;
        // The hash has run past what is on disk: this writer is done. A new one resumes from disk.
        broken_ = true;
        throw CacheError("the clip cannot be written to the cache in " + data_file_.parent_path().parent_path().string() +
                         ": " + files::errno_words(err));
    }
    ++next_index_;
}

void ClipWriter::seal_waiting() {
    seal(chunk_);
    OPENSSL_cleanse(chunk_.data(), chunk_.size());
    chunk_.clear();
}

void ClipWriter::discard() {
    broken_ = true;
    discard_();
}

void ClipWriter::finish() {
    if (broken_) throw CacheError("storing this clip failed before; start it again");
    if (!chunk_.empty()) seal_waiting();
    const std::string got = hash_->hex_final();
    if (stored_ != manifest_.bytes || got != manifest_.sha256) {
        discard();
        throw NotOriginalError(stored_ != manifest_.bytes
                                   ? "the service sent " + std::to_string(stored_) + " bytes, the grant says " +
                                         std::to_string(manifest_.bytes)
                                   : "its SHA-256 is " + got + ", the grant says " + manifest_.sha256 +
                                         ": this is NOT the original evidence");
    }
    // The chunks reach the disk before the manifest says they are complete.
    if (::fdatasync(data_.get()) != 0)
        throw CacheError("the cache file cannot be flushed to disk (" + files::errno_words(errno) + ")");
    manifest_.complete = true;
    manifest_.verified_at = auth::unix_now();
    save_(manifest_);
}

}  // namespace courtplay::cache
