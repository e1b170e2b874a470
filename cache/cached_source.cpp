#include "cache/cached_source.h"

#include <openssl/crypto.h>

extern "C" {
#include <libavutil/error.h>
}

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace courtplay::cache {

CachedSource::CachedSource(files::Fd data, std::string name, Manifest manifest)
    : data_(std::move(data)),
      name_(std::move(name)),
      manifest_(std::move(manifest)),
      aead_(manifest_.data_key),
      record_(manifest_.chunk_size + kSealOverhead),
      chunk_(manifest_.chunk_size),
      checker_([this] { check_all(); }) {}

CachedSource::~CachedSource() {
    closing_ = true;
    checker_.join();
    OPENSSL_cleanse(chunk_.data(), chunk_.size());
}

bool CachedSource::load(Aead& aead, int64_t index, std::vector<uint8_t>& record, std::vector<uint8_t>& plain) const {
    const uint32_t len = chunk_length(manifest_.bytes, manifest_.chunk_size, index);
    return files::pread_full(data_.get(), record.data(), len + kSealOverhead, record_offset(manifest_.chunk_size, index)) &&
           aead.open({record.data(), len + kSealOverhead}, chunk_ad(name_, index, manifest_.bytes), plain.data());
}

void CachedSource::mark_damaged(int64_t index) {
    int64_t none = -1;
    damaged_chunk_.compare_exchange_strong(none, index);
}

int CachedSource::read(uint8_t* buf, int size) {
    int done = 0;
    while (done < size && pos_ < manifest_.bytes) {
        if (damaged_chunk_ >= 0) return AVERROR_INVALIDDATA;
        const int64_t index = pos_ / manifest_.chunk_size;
        if (index != chunk_index_) {
            chunk_index_ = -1;
            if (!load(aead_, index, record_, chunk_)) {
                mark_damaged(index);
                return AVERROR_INVALIDDATA;
            }
            chunk_index_ = index;
        }
        const int64_t in_chunk = pos_ - index * manifest_.chunk_size;
        const int64_t len = chunk_length(manifest_.bytes, manifest_.chunk_size, index);
        const int n = int(std::min<int64_t>(size - done, len - in_chunk));
        std::memcpy(buf + done, chunk_.data() + in_chunk, size_t(n));
        done += n;
        pos_ += n;
    }
    // Damage found by the background pass stops playback even inside a chunk already checked.
    if (damaged_chunk_ >= 0) return AVERROR_INVALIDDATA;
    return done;
}

int64_t CachedSource::seek_to(int64_t offset) {
    if (offset < 0 || offset > manifest_.bytes) return AVERROR(EINVAL);
    pos_ = offset;
    return pos_;
}

CachedSource::Status CachedSource::status() const {
    const int64_t d = damaged_chunk_;
    return {d >= 0, d, all_checked_};
}

void CachedSource::check_all() {
    // Playback comes first: this pass runs at the lowest priority (per-thread nice on Linux).
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 19);
    Aead aead(manifest_.data_key);
    std::vector<uint8_t> record(record_.size()), plain(chunk_.size());
    const int64_t chunks = chunk_count(manifest_.bytes, manifest_.chunk_size);
    for (int64_t i = 0; i < chunks && !closing_ && damaged_chunk_ < 0; ++i) {
        if (!load(aead, i, record, plain)) {
            mark_damaged(i);
            break;
        }
    }
    OPENSSL_cleanse(plain.data(), plain.size());
    if (!closing_ && damaged_chunk_ < 0) all_checked_ = true;
}

}  // namespace courtplay::cache
