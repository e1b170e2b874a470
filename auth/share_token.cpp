// Share tokens: 19 random Crockford base32 symbols and a check symbol, a weighted sum over GF(32).
//
// Luhn mod 32 was the first choice, but like Luhn mod 10 (09 <-> 90) it misses one swap of
// neighbours ("0Z" <-> "Z0"). Weights that are distinct powers of a generator of GF(32) miss none.
// The check symbol only saves the clerk a round trip: the 95 random bits are the security.
#include "auth/share_token.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace courtplay::auth {
namespace {

constexpr std::string_view alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t random_symbols = 19;
constexpr size_t symbols = random_symbols + 1;

// Multiplication in GF(32), the field of polynomials over GF(2) modulo x^5 + x^2 + 1.
int gf32_mul(int a, int b) {
    int r = 0;
    for (; b; b >>= 1) {
        if (b & 1) r ^= a;
        a <<= 1;
        if (a & 32) a ^= 0b100101;
    }
    return r;
}

// The check value: the sum over GF(32) of alpha^(i+1) * value[i], alpha = x (2). Every weight is
// distinct and non-zero (alpha has order 31), so any one wrong symbol and any swap of two
// symbols, the check symbol included (its weight is 1), changes the sum.
template <size_t N>
int check_value(const std::array<int, N>& values) {
    int sum = 0, weight = 1;
    for (size_t i = 0; i < random_symbols; ++i) {
        weight = gf32_mul(weight, 2);
        sum ^= gf32_mul(weight, values[i]);
    }
    return sum;
}

std::string format(const std::array<int, symbols>& values) {
    std::string out;
    for (size_t i = 0; i < symbols; ++i) {
        if (i && i % 4 == 0) out += '-';
        out += alphabet[size_t(values[i])];
    }
    return out;
}

// The value a typed character stands for, or -1. Forgiving: case, I/L for 1, O for 0.
int symbol_value(unsigned char ch) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<unsigned char>(ch - 'a' + 'A');
    if (ch == 'I' || ch == 'L') ch = '1';
    if (ch == 'O') ch = '0';
    auto at = alphabet.find(char(ch));
    return at == std::string_view::npos ? -1 : int(at);
}

bool is_separator(unsigned char ch) {
    // Space, tab and '-' as people type them; CR/LF as a scanner ends a code.
    return ch == ' ' || ch == '\t' || ch == '-' || ch == '\r' || ch == '\n';
}

}  // namespace

std::string make_share_token() {
    // 12 random bytes = 96 bits; the first 95 give the 19 symbols, 5 bits each, so each symbol is
    // uniform over the alphabet.
    std::array<unsigned char, 12> bytes{};
    if (RAND_bytes(bytes.data(), int(bytes.size())) != 1)
        throw std::runtime_error("share token: the random number generator failed");
    std::array<int, random_symbols> values{};
    for (size_t i = 0; i < random_symbols; ++i) {
        int v = 0;
        for (size_t b = i * 5; b < i * 5 + 5; ++b) v = (v << 1) | ((bytes[b / 8] >> (7 - b % 8)) & 1);
        values[i] = v;
    }
    std::array<int, symbols> all{};
    for (size_t i = 0; i < random_symbols; ++i) all[i] = values[i];
    all[random_symbols] = check_value(values);
    return format(all);
}

TokenReading read_share_token(std::string_view typed) {
    std::array<int, symbols> values{};
    size_t count = 0;
    for (unsigned char ch : typed) {
        if (is_separator(ch)) continue;
        int v = symbol_value(ch);
        if (v < 0) {
            if (ch > 0x20 && ch < 0x7f)
                return {std::nullopt,
                        std::string("The code has a character that is not used in share codes: '") + char(ch) + "'."};
            return {std::nullopt, "The code has an unexpected character that is not used in share codes."};
        }
        if (count < symbols) values[count] = v;
        ++count;
    }
    if (count == 0) return {std::nullopt, "Enter the share code."};
    if (count != symbols)
        return {std::nullopt, "A share code has " + std::to_string(symbols) + " characters; this one has " +
                                  std::to_string(count) + ". Check for a missed or extra character."};
    if (check_value(values) != values[random_symbols])
        return {std::nullopt,
                "This code has a typing mistake: check each character against the share letter and try again."};
    return {format(values), {}};
}

}  // namespace courtplay::auth
