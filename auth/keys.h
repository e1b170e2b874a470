// Ed25519 keys (RFC 8032) through OpenSSL 3, with JWK (RFC 8037 "OKP") and PEM on disk.
// Private keys are written owner-only (0600) and atomically; they are never logged.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace courtplay::auth {

// A key that cannot be read, parsed or used; what() names the file or field and what is wrong.
struct KeyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class VerifyKey {
public:
    static VerifyKey from_raw(std::span<const uint8_t> raw32);  // throws KeyError
    // {"kty":"OKP","crv":"Ed25519","x":"..."}; any "d" member is ignored. Throws KeyError.
    static VerifyKey from_jwk(const nlohmann::json& jwk);
    static VerifyKey load_jwk(const std::filesystem::path& file);  // throws KeyError naming the file

    bool verify(std::string_view message, std::span<const uint8_t> signature) const;
    std::array<uint8_t, 32> raw() const { return raw_; }
    nlohmann::json jwk() const;
    // RFC 7638 thumbprint (base64url SHA-256 of the canonical JWK): the grant header's "kid".
    std::string thumbprint() const;
    void save_jwk(const std::filesystem::path& file) const;  // public: 0644

private:
    std::array<uint8_t, 32> raw_{};
};

class SigningKey {
public:
    static SigningKey generate();
    static SigningKey from_raw(std::span<const uint8_t> seed32);  // throws KeyError
    // PKCS#8 PEM. Throws KeyError, also for a key file that group or others can read.
    static SigningKey load_pem(const std::filesystem::path& file);
    void save_pem(const std::filesystem::path& file) const;  // 0600, written then renamed

    std::vector<uint8_t> sign(std::string_view message) const;  // 64 bytes
    const VerifyKey& public_key() const { return public_; }

    SigningKey(SigningKey&&) noexcept;
    SigningKey& operator=(SigningKey&&) noexcept;
    ~SigningKey();

private:
    struct Pkey;
    explicit SigningKey(std::unique_ptr<Pkey> key);
    std::unique_ptr<Pkey> key_;
    VerifyKey public_;
};

// Writes `bytes` to `file` with `mode`, via a temporary in the same folder, fsync and rename, so a
// reader never sees half a file. Throws std::runtime_error naming the file.
void write_file_atomic(const std::filesystem::path& file, std::string_view bytes, unsigned mode);

}  // namespace courtplay::auth
