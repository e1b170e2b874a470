#include "cache/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace courtplay::cache {

SecretKey::SecretKey(std::span<const uint8_t> bytes) {
    if (bytes.size() != bytes_.size()) throw std::invalid_argument("a cache key is 32 bytes");
    std::memcpy(bytes_.data(), bytes.data(), bytes_.size());
}

SecretKey& SecretKey::operator=(const SecretKey& other) {
    bytes_ = other.bytes_;
    return *this;
}

SecretKey::~SecretKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

SecretKey SecretKey::random() {
    SecretKey k;
    if (RAND_bytes(k.bytes_.data(), static_cast<int>(k.bytes_.size())) != 1)
        throw std::runtime_error("the system's random number generator did not deliver a key");
    return k;
}

SecretKey SecretKey::derive(std::string_view label) const {
    SecretKey out;
    unsigned int len = 0;
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    const bool ok = md && EVP_DigestInit_ex(md, EVP_sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(md, label.data(), label.size()) == 1 &&
                    EVP_DigestUpdate(md, bytes_.data(), bytes_.size()) == 1 &&
                    EVP_DigestFinal_ex(md, out.bytes_.data(), &len) == 1;
    EVP_MD_CTX_free(md);
    if (!ok || len != 32) throw std::runtime_error("OpenSSL could not derive a cache key");
    return out;
}

struct Aead::Ctx {
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    ~Ctx() { EVP_CIPHER_CTX_free(c); }
};

Aead::Aead(const SecretKey& key) : enc_(std::make_unique<Ctx>()), dec_(std::make_unique<Ctx>()) {
    if (!enc_->c || !dec_->c || EVP_EncryptInit_ex(enc_->c, EVP_aes_256_gcm(), nullptr, key.bytes().data(), nullptr) != 1 ||
        EVP_DecryptInit_ex(dec_->c, EVP_aes_256_gcm(), nullptr, key.bytes().data(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not set up AES-256-GCM");
}

Aead::~Aead() = default;

void Aead::seal(std::span<const uint8_t> plain, std::span<const uint8_t> ad, uint8_t* out) {
    uint8_t* nonce = out;
    uint8_t* body = out + kNonceBytes;
    uint8_t* tag = body + plain.size();
    int len = 0;
    // The key schedule stays; only the nonce is set per message.
    const bool ok = RAND_bytes(nonce, kNonceBytes) == 1 &&
                    EVP_EncryptInit_ex(enc_->c, nullptr, nullptr, nullptr, nonce) == 1 &&
                    (ad.empty() || EVP_EncryptUpdate(enc_->c, nullptr, &len, ad.data(), int(ad.size())) == 1) &&
                    EVP_EncryptUpdate(enc_->c, body, &len, plain.data(), int(plain.size())) == 1 &&
                    EVP_EncryptFinal_ex(enc_->c, body + len, &len) == 1 &&
                    EVP_CIPHER_CTX_ctrl(enc_->c, EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) == 1;
    if (!ok) throw std::runtime_error("OpenSSL could not encrypt with AES-256-GCM");
}

bool Aead::open(std::span<const uint8_t> sealed, std::span<const uint8_t> ad, uint8_t* plain) {
    if (sealed.size() < kSealOverhead) return false;
    const uint8_t* nonce = sealed.data();
    const uint8_t* body = nonce + kNonceBytes;
    const size_t body_len = sealed.size() - kSealOverhead;
    uint8_t tag[kTagBytes];
    std::memcpy(tag, body + body_len, kTagBytes);
    int len = 0;
    const bool ok = EVP_DecryptInit_ex(dec_->c, nullptr, nullptr, nullptr, nonce) == 1 &&
                    (ad.empty() || EVP_DecryptUpdate(dec_->c, nullptr, &len, ad.data(), int(ad.size())) == 1) &&
                    EVP_DecryptUpdate(dec_->c, plain, &len, body, int(body_len)) == 1 &&
                    EVP_CIPHER_CTX_ctrl(dec_->c, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) == 1 &&
                    EVP_DecryptFinal_ex(dec_->c, plain + len, &len) == 1;
    // Bytes that failed their check are not left lying around for a careless caller.
    if (!ok) OPENSSL_cleanse(plain, body_len);
    return ok;
}

}  // namespace courtplay::cache
