#include "auth/pin_hash.h"

#include "auth/base64url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <stdexcept>
#include <vector>

namespace courtplay::auth {
namespace {

constexpr std::string_view kScheme = "scrypt";
constexpr size_t kSaltBytes = 16, kHashBytes = 32;

struct PinHash {
    int log2_n = 0, r = 0, p = 0;
    std::vector<uint8_t> salt, hash;
};

// A small whole number written plainly: digits only, no sign, no leading zero.
std::optional<int> small_number(std::string_view text) {
    if (text.empty() || text.size() > 2 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    int n = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return n;
}

std::string range_words(int min, int max) {
    return "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
}

// The stored text taken apart and checked, or what is wrong with it in `problem`.
std::optional<PinHash> parse(std::string_view stored, std::string& problem) {
    auto fail = [&](std::string why) -> std::optional<PinHash> {
        problem = std::move(why);
        return std::nullopt;
    };
    if (stored.empty()) return fail("is empty");
    if (is_valid_pin(stored))
        return fail("is a PIN, not the hash of one: the PIN itself must never be written in the file");
    for (unsigned char c : stored)
        if (c <= ' ' || c >= 0x7f)
            return fail("holds a space, a line break or another character a PIN hash never has");

    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
        const size_t end = stored.find('$', start);
        parts.push_back(stored.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos || parts.size() > 6) break;
        start = end + 1;
    }
    if (parts[0] != kScheme) return fail("does not start with \"scrypt$\"");
    if (parts.size() != 6)
        return fail(parts.size() > 6 ? "has more than 6 parts separated by '$' where a PIN hash has 6"
                                     : "has " + std::to_string(parts.size()) +
                                           " parts separated by '$' where a PIN hash has 6");

    PinHash h;
    const auto log2_n = small_number(parts[1]);
    if (!log2_n || *log2_n < kPinHashMinLog2N || *log2_n > kPinHashMaxLog2N)
        return fail("has a memory cost (the second part) that is not " + range_words(kPinHashMinLog2N, kPinHashMaxLog2N));
    const auto r = small_number(parts[2]);
    if (!r || *r < 1 || *r > kPinHashMaxR)
        return fail("has a block size (the third part) that is not " + range_words(1, kPinHashMaxR));
    const auto p = small_number(parts[3]);
    if (!p || *p < 1 || *p > kPinHashMaxP)
        return fail("has a parallelism (the fourth part) that is not " + range_words(1, kPinHashMaxP));
    h.log2_n = *log2_n, h.r = *r, h.p = *p;
    if ((uint64_t(1) << h.log2_n) * uint64_t(h.r) * uint64_t(h.p) > kPinHashMaxWork)
        return fail("has costs (the second to fourth parts) that together ask for more than 4 times the work of "
                    "the usual 15$8$1, which would keep the admin screen waiting too long");

    auto salt = base64url_decode(parts[4]);
    if (!salt || salt->size() != kSaltBytes)
        return fail("has a salt (the fifth part) that is not 22 base64url characters (16 bytes)");
    auto hash = base64url_decode(parts[5]);
    if (!hash || hash->size() != kHashBytes)
        return fail("has a hash (the last part) that is not 43 base64url characters (32 bytes)");
    h.salt = std::move(*salt);
    h.hash = std::move(*hash);
    return h;
}

// scrypt of `pin`; false if OpenSSL refuses (out of memory). maxmem is exactly what these costs
// need (OpenSSL's own default, 32 MiB, is just too small for the default costs).
bool derive(std::string_view pin, const std::vector<uint8_t>& salt, int log2_n, int r, int p,
            std::array<uint8_t, kHashBytes>& out) {
    const uint64_t n = uint64_t(1) << log2_n;
    const uint64_t maxmem = 128 * uint64_t(r) * (n + 2) + 128 * uint64_t(r) * uint64_t(p);
    return EVP_PBE_scrypt(pin.data(), pin.size(), salt.data(), salt.size(), n, uint64_t(r), uint64_t(p), maxmem,
                          out.data(), out.size()) == 1;
}

}  // namespace

bool is_valid_pin(std::string_view pin) {
    if (pin.size() < 6 || pin.size() > 12) return false;
    for (char c : pin)
        if (c < '0' || c > '9') return false;
    return true;
}

std::string make_pin_hash(std::string_view pin) {
    if (!is_valid_pin(pin)) throw std::invalid_argument("a PIN must be 6 to 12 digits");
    const std::vector<uint8_t> salt = random_bytes(kSaltBytes);
    std::array<uint8_t, kHashBytes> hash{};
    if (!derive(pin, salt, kPinHashLog2N, kPinHashR, kPinHashP, hash))
        throw std::runtime_error("OpenSSL could not compute the PIN's scrypt hash");
    return std::string(kScheme) + "$" + std::to_string(kPinHashLog2N) + "$" + std::to_string(kPinHashR) + "$" +
           std::to_string(kPinHashP) + "$" + base64url_encode(salt) + "$" + base64url_encode(hash);
}

bool pin_matches(std::string_view pin, std::string_view stored) {
    try {
        std::string problem;
        const auto h = parse(stored, problem);
        // A PIN that is not 6-12 digits was never hashed: no need to spend the time.
        if (!h || !is_valid_pin(pin)) return false;
        std::array<uint8_t, kHashBytes> computed{};
        if (!derive(pin, h->salt, h->log2_n, h->r, h->p, computed)) return false;
        const bool same = CRYPTO_memcmp(computed.data(), h->hash.data(), kHashBytes) == 0;
        OPENSSL_cleanse(computed.data(), computed.size());
        return same;
    } catch (...) {  // std::bad_alloc: a check that cannot be made does not open the admin screen
        return false;
    }
}

std::optional<std::string> pin_hash_problem(std::string_view stored) {
    std::string problem;
    if (parse(stored, problem)) return std::nullopt;
    return problem;
}

}  // namespace courtplay::auth
