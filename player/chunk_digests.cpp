#include "player/chunk_digests.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace courtplay::player {
namespace {

using ShaCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

ShaCtx new_sha() {
    ShaCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not start a SHA-256");
    return ctx;
}

}  // namespace

ChunkDigests::ChunkDigests(int64_t chunk_bytes, int64_t total, std::vector<ChunkDigest> digests)
    : chunk_bytes_(chunk_bytes), total_(total), digests_(std::move(digests)) {
    if (chunk_bytes_ <= 0 || total_ < 0 || count() != (total_ + chunk_bytes_ - 1) / chunk_bytes_)
        throw std::invalid_argument("chunk digests that do not cover the clip");
}

int64_t ChunkDigests::length_of(int64_t chunk) const {
    if (chunk < 0 || chunk >= count()) return 0;
    return std::min(chunk_bytes_, total_ - start_of(chunk));
}

ChunkDigests::Check ChunkDigests::check(int64_t chunk, const uint8_t* data, size_t len) const {
    if (chunk < 0 || chunk >= count()) return Check::no_such_chunk;
    if (static_cast<int64_t>(len) != length_of(chunk)) return Check::wrong_length;
    ChunkDigest got{};
    unsigned int n = 0;
    if (EVP_Digest(data, len, got.data(), &n, EVP_sha256(), nullptr) != 1 || n != got.size()) return Check::differs;
    return got == digests_[static_cast<size_t>(chunk)] ? Check::matches : Check::differs;
}

struct ChunkRecorder::Sha {
    ShaCtx ctx = new_sha();
};

ChunkRecorder::ChunkRecorder(int64_t chunk_bytes) : chunk_bytes_(chunk_bytes), sha_(std::make_unique<Sha>()) {
    if (chunk_bytes_ <= 0) throw std::invalid_argument("a chunk must have bytes");
}

ChunkRecorder::~ChunkRecorder() = default;

void ChunkRecorder::update(const uint8_t* data, size_t len) {
    while (len > 0) {
        const auto take = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(len), chunk_bytes_ - in_chunk_));
        EVP_DigestUpdate(sha_->ctx.get(), data, take);
        data += take;
        len -= take;
        in_chunk_ += static_cast<int64_t>(take);
        taken_ += static_cast<int64_t>(take);
        if (in_chunk_ == chunk_bytes_) close_chunk();
    }
}

void ChunkRecorder::close_chunk() {
    ChunkDigest d{};
    unsigned int n = 0;
    EVP_DigestFinal_ex(sha_->ctx.get(), d.data(), &n);
    digests_.push_back(d);
    in_chunk_ = 0;
    EVP_DigestInit_ex(sha_->ctx.get(), EVP_sha256(), nullptr);
}

ChunkDigests ChunkRecorder::finish() {
    if (in_chunk_ > 0) close_chunk();
    return ChunkDigests(chunk_bytes_, taken_, std::move(digests_));
}

}  // namespace courtplay::player
