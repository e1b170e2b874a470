// AES-256-GCM through OpenSSL: the cache's one cipher. Every sealed message is
// nonce (12 random bytes) | ciphertext | tag (16); the associated data says what the message is
// and where it belongs, so a chunk or a manifest moved elsewhere fails to open.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace courtplay::cache {

constexpr size_t kNonceBytes = 12, kTagBytes = 16, kSealOverhead = kNonceBytes + kTagBytes;

// 32 secret bytes, wiped when it goes.
class SecretKey {
public:
    SecretKey() = default;
    explicit SecretKey(std::span<const uint8_t> bytes);  // throws std::invalid_argument unless 32 bytes
    SecretKey(const SecretKey& other) : bytes_(other.bytes_) {}
    SecretKey& operator=(const SecretKey& other);
    ~SecretKey();
    static SecretKey random();
    // SHA-256 of a label and this key: independent keys for independent uses of one kiosk key.
    SecretKey derive(std::string_view label) const;
    std::span<const uint8_t, 32> bytes() const { return bytes_; }

private:
    std::array<uint8_t, 32> bytes_{};
};

// One cipher context with the key schedule set up once, reused for every message.
// Not thread-safe: each thread has its own.
class Aead {
public:
    explicit Aead(const SecretKey& key);
    ~Aead();
    Aead(const Aead&) = delete;
    Aead& operator=(const Aead&) = delete;

    // Writes plain.size() + kSealOverhead bytes to `out`. Throws std::runtime_error if OpenSSL fails.
    void seal(std::span<const uint8_t> plain, std::span<const uint8_t> ad, uint8_t* out);
    // Writes sealed.size() - kSealOverhead bytes to `plain`. False when the message was altered,
    // belongs elsewhere (other associated data) or was sealed under another key.
    bool open(std::span<const uint8_t> sealed, std::span<const uint8_t> ad, uint8_t* plain);

private:
    struct Ctx;
    std::unique_ptr<Ctx> enc_, dec_;
};

}  // namespace courtplay::cache
