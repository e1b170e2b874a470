#include "auth/keys.h"

#include "auth/base64url.h"

#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace courtplay::auth {
namespace fs = std::filesystem;

struct SigningKey::Pkey {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> p{nullptr, EVP_PKEY_free};
};

namespace {
using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

std::array<uint8_t, 32> raw_public(EVP_PKEY* key) {
    std::array<uint8_t, 32> raw{};
    size_t len = raw.size();
    if (EVP_PKEY_get_raw_public_key(key, raw.data(), &len) != 1 || len != 32)
        throw KeyError("could not read the public half of an Ed25519 key");
    return raw;
}

std::string read_small_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw KeyError(file.string() + ": cannot be read (" + std::strerror(errno) + ")");
    std::ostringstream s;
    s << in.rdbuf();
    if (s.str().size() > 64 * 1024) throw KeyError(file.string() + ": too large to be a key file");
    return s.str();
}
}  // namespace

VerifyKey VerifyKey::from_raw(std::span<const uint8_t> raw32) {
    if (raw32.size() != 32) throw KeyError("an Ed25519 public key is 32 bytes, this one is " +
                                           std::to_string(raw32.size()));
    VerifyKey k;
    std::copy(raw32.begin(), raw32.end(), k.raw_.begin());
    // Reject bytes OpenSSL cannot use as a point now, not at the first verification.
    PkeyPtr p(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, k.raw_.data(), 32), EVP_PKEY_free);
    if (!p) throw KeyError("these 32 bytes are not a usable Ed25519 public key");
    return k;
}

VerifyKey VerifyKey::from_jwk(const nlohmann::json& jwk) {
    if (!jwk.is_object()) throw KeyError("a JWK must be a JSON object");
    auto text = [&](const char* name) -> std::string {
        auto it = jwk.find(name);
        if (it == jwk.end() || !it->is_string()) throw KeyError(std::string("the JWK has no \"") + name + "\" string");
        return it->get<std::string>();
    };
    if (text("kty") != "OKP") throw KeyError("the JWK's \"kty\" must be \"OKP\" (an Ed25519 key)");
    if (text("crv") != "Ed25519") throw KeyError("the JWK's \"crv\" must be \"Ed25519\"");
    auto raw = base64url_decode(text("x"));
    if (!raw) throw KeyError("the JWK's \"x\" is not base64url");
    return from_raw(*raw);
}

VerifyKey VerifyKey::load_jwk(const fs::path& file) {
    const std::string body = read_small_file(file);
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) throw KeyError(file.string() + ": not JSON; expected a public JWK");
    try {
        return from_jwk(j);
    } catch (const KeyError& e) {
        throw KeyError(file.string() + ": " + e.what());
    }
}

bool VerifyKey::verify(std::string_view message, std::span<const uint8_t> signature) const {
    if (signature.size() != 64) return false;
    PkeyPtr p(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, raw_.data(), 32), EVP_PKEY_free);
    MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!p || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, p.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

nlohmann::json VerifyKey::jwk() const {
    return {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url_encode(std::span<const uint8_t>(raw_))}};
}

std::string VerifyKey::thumbprint() const {
    // RFC 7638: required members only, lexicographic order, no whitespace.
    const std::string canonical =
        "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + base64url_encode(std::span<const uint8_t>(raw_)) + "\"}";
    const auto digest = sha256(canonical);
    return base64url_encode(std::span<const uint8_t>(digest));
}

void VerifyKey::save_jwk(const fs::path& file) const { write_file_atomic(file, jwk().dump(2) + "\n", 0644); }

SigningKey::SigningKey(std::unique_ptr<Pkey> key) : key_(std::move(key)) {
    public_ = VerifyKey::from_raw(raw_public(key_->p.get()));
}
SigningKey::SigningKey(SigningKey&&) noexcept = default;
SigningKey& SigningKey::operator=(SigningKey&&) noexcept = default;
SigningKey::~SigningKey() = default;

SigningKey SigningKey::generate() {
    auto seed = random_bytes(32);
    SigningKey k = from_raw(seed);
    OPENSSL_cleanse(seed.data(), seed.size());
    return k;
}

SigningKey SigningKey::from_raw(std::span<const uint8_t> seed32) {
    if (seed32.size() != 32) throw KeyError("an Ed25519 private key is 32 bytes");
    auto k = std::make_unique<Pkey>();
    k->p.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed32.data(), 32));
    if (!k->p) throw KeyError("OpenSSL could not make an Ed25519 key from these bytes");
    return SigningKey(std::move(k));
}

SigningKey SigningKey::load_pem(const fs::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0)
        throw KeyError(file.string() + ": cannot be read (" + std::strerror(errno) + ")");
    if (st.st_mode & 077)
        throw KeyError(file.string() + ": a private key must be readable by its owner only; run chmod 600 on it");
    std::string pem = read_small_file(file);
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    auto k = std::make_unique<Pkey>();
    k->p.reset(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    OPENSSL_cleanse(pem.data(), pem.size());
    if (!k->p) throw KeyError(file.string() + ": not a PEM private key");
    if (EVP_PKEY_get_id(k->p.get()) != EVP_PKEY_ED25519) throw KeyError(file.string() + ": not an Ed25519 key");
    return SigningKey(std::move(k));
}

void SigningKey::save_pem(const fs::path& file) const {
    BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_->p.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw KeyError("OpenSSL could not write the private key as PEM");
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    write_file_atomic(file, std::string_view(data, static_cast<size_t>(len)), 0600);
    OPENSSL_cleanse(data, static_cast<size_t>(len));
}

std::vector<uint8_t> SigningKey::sign(std::string_view message) const {
    MdCtxPtr ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::vector<uint8_t> sig(64);
    size_t len = sig.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->p.get()) != 1 ||
        EVP_DigestSign(ctx.get(), sig.data(), &len, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1 ||
        len != 64)
        throw KeyError("OpenSSL could not sign with the Ed25519 key");
    return sig;
}

void write_file_atomic(const fs::path& file, std::string_view bytes, unsigned mode) {
    const fs::path tmp = file.string() + ".tmp";
    auto fail = [&](const char* what) {
        const std::string why = std::strerror(errno);
        ::unlink(tmp.c_str());
        throw std::runtime_error(file.string() + ": " + what + " (" + why + ")");
    };
    ::unlink(tmp.c_str());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) fail("cannot be created");
    // The umask must not widen or narrow what the caller asked for.
    if (::fchmod(fd, mode) != 0) { ::close(fd); fail("cannot set its permissions"); }
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { ::close(fd); fail("cannot be written"); }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) { ::close(fd); fail("cannot be flushed to disk"); }
    ::close(fd);
    if (::rename(tmp.c_str(), file.c_str()) != 0) fail("cannot be put in place");
    const int dir = ::open(file.parent_path().empty() ? "." : file.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

}  // namespace courtplay::auth
