#include "player/chunk_digests.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

namespace courtplay::player {
namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// AES-256-GCM with no plaintext: its tag is the GMAC of what is given as associated data.
bool start_gmac(EVP_CIPHER_CTX* ctx, const ChunkKey& key) {
    return EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key.data(), nullptr) == 1;
}

// A chunk's nonce is its index: each chunk's digest is taken under a nonce of its own, and right
// bytes checked as another chunk do not match.
bool start_chunk(EVP_CIPHER_CTX* ctx, int64_t chunk) {
    unsigned char iv[12] = {};
    for (int i = 0; i < 8; ++i) iv[i] = static_cast<unsigned char>(static_cast<uint64_t>(chunk) >> (56 - 8 * i));
    return EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv) == 1;
}

bool add(EVP_CIPHER_CTX* ctx, const uint8_t* data, size_t len) {
    while (len > 0) {  // EVP takes an int's worth at a time
        const int n = static_cast<int>(std::min<size_t>(len, 1 << 30));
        int out = 0;
        if (EVP_EncryptUpdate(ctx, nullptr, &out, data, n) != 1) return false;
        data += n;
        len -= static_cast<size_t>(n);
    }
    return true;
}

bool finish_chunk(EVP_CIPHER_CTX* ctx, ChunkDigest& tag) {
    int out = 0;
    unsigned char none[16];
    return EVP_EncryptFinal_ex(ctx, none, &out) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(tag.size()), tag.data()) == 1;
}

}  // namespace

ChunkDigests::ChunkDigests(int64_t chunk_bytes, int64_t total, const ChunkKey& key, std::vector<ChunkDigest> digests,
                           bool sound)
    : chunk_bytes_(chunk_bytes), total_(total), key_(key), digests_(std::move(digests)), sound_(sound) {
    if (chunk_bytes_ <= 0 || total_ < 0 || count() != (total_ + chunk_bytes_ - 1) / chunk_bytes_)
        throw std::invalid_argument("chunk digests that do not cover the clip");
}

ChunkDigests::~ChunkDigests() { OPENSSL_cleanse(key_.data(), key_.size()); }

int64_t ChunkDigests::length_of(int64_t chunk) const {
    if (chunk < 0 || chunk >= count()) return 0;
    return std::min(chunk_bytes_, total_ - start_of(chunk));
}

ChunkDigests::Check ChunkDigests::check(int64_t chunk, const uint8_t* data, size_t len) const {
    if (chunk < 0 || chunk >= count()) return Check::no_such_chunk;
    if (static_cast<int64_t>(len) != length_of(chunk)) return Check::wrong_length;
    if (!sound_) return Check::differs;
    ChunkDigest got{};
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    if (!ctx || !start_gmac(ctx.get(), key_) || !start_chunk(ctx.get(), chunk) || !add(ctx.get(), data, len) ||
        !finish_chunk(ctx.get(), got))
        return Check::differs;
    const ChunkDigest& want = digests_[static_cast<size_t>(chunk)];
    return CRYPTO_memcmp(got.data(), want.data(), got.size()) == 0 ? Check::matches : Check::differs;
}

struct ChunkRecorder::Gmac {
    CipherCtx ctx{EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free};
};

ChunkRecorder::ChunkRecorder(int64_t chunk_bytes) : chunk_bytes_(chunk_bytes), gmac_(std::make_unique<Gmac>()) {
    if (chunk_bytes_ <= 0) throw std::invalid_argument("a chunk must have bytes");
    if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1)
        throw std::runtime_error("OpenSSL could not draw a key for the clip's chunk digests");
    if (!gmac_->ctx || !start_gmac(gmac_->ctx.get(), key_) || !start_chunk(gmac_->ctx.get(), 0))
        throw std::runtime_error("OpenSSL could not start an AES-256-GMAC");
}

ChunkRecorder::~ChunkRecorder() { OPENSSL_cleanse(key_.data(), key_.size()); }

void ChunkRecorder::update(const uint8_t* data, size_t len) {
    while (len > 0) {
        const auto take = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(len), chunk_bytes_ - in_chunk_));
        sound_ = add(gmac_->ctx.get(), data, take) && sound_;
        data += take;
        len -= take;
        in_chunk_ += static_cast<int64_t>(take);
        taken_ += static_cast<int64_t>(take);
        if (in_chunk_ == chunk_bytes_) close_chunk();
    }
}

void ChunkRecorder::close_chunk() {
    ChunkDigest d{};
    const auto next = static_cast<int64_t>(digests_.size()) + 1;
    sound_ = finish_chunk(gmac_->ctx.get(), d) && start_chunk(gmac_->ctx.get(), next) && sound_;
    digests_.push_back(d);
    in_chunk_ = 0;
}

ChunkDigests ChunkRecorder::finish() {
    if (in_chunk_ > 0) close_chunk();
    return ChunkDigests(chunk_bytes_, taken_, key_, std::move(digests_), sound_);
}

}  // namespace courtplay::player
