// The admin PIN's stored hash: made, matched, and refused when wrong, tampered with or malformed,
// without ever throwing on what the config file holds.
#include "auth/pin_hash.h"

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

using namespace courtplay::auth;

namespace {
// PIN 123456, salt bytes 00..0f, made independently with the OpenSSL command line:
//   openssl kdf -keylen 32 -kdfopt pass:123456 -kdfopt hexsalt:000102030405060708090a0b0c0d0e0f
//     -kdfopt n:32768 -kdfopt r:8 -kdfopt p:1 -kdfopt maxmem_bytes:40000000 -binary SCRYPT | basenc --base64url
const std::string kKnown = "scrypt$15$8$1$AAECAwQFBgcICQoLDA0ODw$LJb7IPWvdQO9lJNqedPl4KBo7heZJfhGKLnKdTywGZ0";

std::vector<std::string> parts(const std::string& stored) {
    std::vector<std::string> out;
    for (size_t start = 0;;) {
        const size_t end = stored.find('$', start);
        out.push_back(stored.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) return out;
        start = end + 1;
    }
}

std::string joined(const std::vector<std::string>& p) {
    std::string out;
    for (const auto& s : p) out += (out.empty() ? "" : "$") + s;
    return out;
}

// `stored` with part `i` replaced.
std::string with_part(const std::string& stored, size_t i, const std::string& value) {
    auto p = parts(stored);
    p.at(i) = value;
    return joined(p);
}

// The first character of a base64url text changed to another: still well-formed, other bytes.
std::string flipped(std::string b64) {
    b64[0] = b64[0] == 'A' ? 'B' : 'A';
    return b64;
}
}  // namespace

TEST_CASE("pin hash: the format, and a hash made elsewhere matches", "[pin]") {
    CHECK(pin_hash_problem(kKnown) == std::nullopt);
    CHECK(pin_matches("123456", kKnown));
    CHECK_FALSE(pin_matches("123457", kKnown));

    const std::string h = make_pin_hash("0123456789");
    const auto p = parts(h);
    REQUIRE(p.size() == 6);
    CHECK(p[0] == "scrypt");
    CHECK(p[1] == "15");
    CHECK(p[2] == "8");
    CHECK(p[3] == "1");
    CHECK(p[4].size() == 22);  // 16 bytes
    CHECK(p[5].size() == 43);  // 32 bytes
    CHECK(pin_hash_problem(h) == std::nullopt);
}

TEST_CASE("pin hash: round trip, wrong PINs, fresh salt", "[pin]") {
    const std::string a = make_pin_hash("123456");
    CHECK(pin_matches("123456", a));
    CHECK_FALSE(pin_matches("123465", a));
    CHECK_FALSE(pin_matches("1234567", a));
    CHECK_FALSE(pin_matches("", a));
    CHECK_FALSE(pin_matches("12345a", a));
    CHECK_FALSE(pin_matches(std::string("123456\0", 7), a));

    const std::string b = make_pin_hash("123456");
    CHECK(a != b);
    CHECK(parts(a)[4] != parts(b)[4]);
    CHECK(pin_matches("123456", b));

    const std::string longest = make_pin_hash("999999999999");
    CHECK(pin_matches("999999999999", longest));
    CHECK_FALSE(pin_matches("99999999999", longest));
}

TEST_CASE("pin hash: only 6 to 12 digits are a PIN", "[pin]") {
    for (const char* bad : {"", "12345", "1234567890123", "12345a", " 123456", "123456 ", "١٢٣٤٥٦", "-123456"}) {
        INFO(bad);
        CHECK_FALSE(is_valid_pin(bad));
        CHECK_THROWS_AS(make_pin_hash(bad), std::invalid_argument);
    }
    CHECK(is_valid_pin("000000"));
    CHECK(is_valid_pin("123456789012"));
}

TEST_CASE("pin hash: a tampered salt, hash or cost no longer matches", "[pin]") {
    REQUIRE(pin_matches("123456", kKnown));
    const std::vector<std::string> tampered = {
        with_part(kKnown, 4, flipped(parts(kKnown)[4])),  // salt
        with_part(kKnown, 5, flipped(parts(kKnown)[5])),  // hash
        with_part(kKnown, 1, "14"),
        with_part(kKnown, 1, "16"),
        with_part(kKnown, 2, "7"),
        with_part(kKnown, 3, "2"),
    };
    for (const auto& t : tampered) {
        INFO(t);
        CHECK(pin_hash_problem(t) == std::nullopt);  // well-formed, just not this PIN's hash
        CHECK_FALSE(pin_matches("123456", t));
    }
}

TEST_CASE("pin hash: malformed stored text is a problem in words, and never matches", "[pin]") {
    const std::string salt = parts(kKnown)[4], hash = parts(kKnown)[5];
    struct Case {
        std::string stored, problem;
    };
    const std::vector<Case> cases = {
        {"", "is empty"},
        {"123456", "is a PIN, not the hash of one: the PIN itself must never be written in the file"},
        {"bcrypt$15$8$1$" + salt + "$" + hash, "does not start with \"scrypt$\""},
        {"SCRYPT$15$8$1$" + salt + "$" + hash, "does not start with \"scrypt$\""},
        {"$2b$12$abcdefghijklmnopqrstuv", "does not start with \"scrypt$\""},
        {"scrypt$15$8$1$" + salt, "has 5 parts separated by '$' where a PIN hash has 6"},
        {"scrypt$15$8$1$" + salt + "$" + hash + "$", "has more than 6 parts separated by '$' where a PIN hash has 6"},
        {"scrypt", "has 1 parts separated by '$' where a PIN hash has 6"},
        {kKnown + " ", "holds a space, a line break or another character a PIN hash never has"},
        {kKnown + "\n", "holds a space, a line break or another character a PIN hash never has"},
        {"scrypt$40$8$1$" + salt + "$" + hash, "has a memory cost (the second part) that is not a whole number from 14 to 20"},
        {"scrypt$99999999999999999999$8$1$" + salt + "$" + hash,
         "has a memory cost (the second part) that is not a whole number from 14 to 20"},
        {"scrypt$13$8$1$" + salt + "$" + hash, "has a memory cost (the second part) that is not a whole number from 14 to 20"},
        {"scrypt$015$8$1$" + salt + "$" + hash,
         "has a memory cost (the second part) that is not a whole number from 14 to 20"},
        {"scrypt$+15$8$1$" + salt + "$" + hash,
         "has a memory cost (the second part) that is not a whole number from 14 to 20"},
        {"scrypt$$8$1$" + salt + "$" + hash, "has a memory cost (the second part) that is not a whole number from 14 to 20"},
        {"scrypt$15$0$1$" + salt + "$" + hash, "has a block size (the third part) that is not a whole number from 1 to 16"},
        {"scrypt$15$17$1$" + salt + "$" + hash, "has a block size (the third part) that is not a whole number from 1 to 16"},
        {"scrypt$15$8$0$" + salt + "$" + hash, "has a parallelism (the fourth part) that is not a whole number from 1 to 4"},
        {"scrypt$15$8$5$" + salt + "$" + hash, "has a parallelism (the fourth part) that is not a whole number from 1 to 4"},
        {"scrypt$15$8$1$" + salt + "=$" + hash, "has a salt (the fifth part) that is not 22 base64url characters (16 bytes)"},
        {"scrypt$15$8$1$" + salt.substr(1) + "$" + hash,
         "has a salt (the fifth part) that is not 22 base64url characters (16 bytes)"},
        {"scrypt$15$8$1$" + salt + "AAAA$" + hash, "has a salt (the fifth part) that is not 22 base64url characters (16 bytes)"},
        {"scrypt$15$8$1$" + std::string(21, 'A') + "+$" + hash,
         "has a salt (the fifth part) that is not 22 base64url characters (16 bytes)"},
        {"scrypt$15$8$1$$" + hash, "has a salt (the fifth part) that is not 22 base64url characters (16 bytes)"},
        {"scrypt$15$8$1$" + salt + "$" + hash.substr(0, 42), "has a hash (the last part) that is not 43 base64url characters (32 bytes)"},
        {"scrypt$15$8$1$" + salt + "$" + hash + "A", "has a hash (the last part) that is not 43 base64url characters (32 bytes)"},
        {"scrypt$15$8$1$" + salt + "$" + std::string(42, 'A') + "B",  // trailing bits set
         "has a hash (the last part) that is not 43 base64url characters (32 bytes)"},
        {"scrypt$15$8$1$" + salt + "$", "has a hash (the last part) that is not 43 base64url characters (32 bytes)"},
    };
    for (const auto& c : cases) {
        INFO(c.stored);
        CHECK(pin_hash_problem(c.stored) == c.problem);
        bool matched = true;
        CHECK_NOTHROW(matched = pin_matches("123456", c.stored));
        CHECK_FALSE(matched);
    }
    // Not valid UTF-8, a NUL, a very long text: still just a problem.
    CHECK(pin_hash_problem(std::string("scrypt\0$15", 10)).has_value());
    CHECK(pin_hash_problem("\xff\xfe").has_value());
    CHECK(pin_hash_problem(std::string(1 << 20, '$')).has_value());
    CHECK_FALSE(pin_matches("123456", std::string(1 << 20, '$')));
}

TEST_CASE("pin hash: the costs a stored hash may ask for are bounded", "[pin]") {
    const std::string tail = "$" + parts(kKnown)[4] + "$" + parts(kKnown)[5];
    // N·r·p up to 2^20, four times the default: at most 128 MiB and four times the time.
    for (const char* ok : {"14$1$1", "20$1$1", "17$8$1", "16$16$1", "15$8$4", "14$16$4"}) {
        INFO(ok);
        CHECK(pin_hash_problem("scrypt$" + std::string(ok) + tail) == std::nullopt);
    }
    const std::string too_much =
        "has costs (the second to fourth parts) that together ask for more than 4 times the work of the usual "
        "15$8$1, which would keep the admin screen waiting too long";
    for (const char* hostile : {"20$16$4", "20$2$1", "17$8$2", "18$8$1", "16$16$2", "15$16$4"}) {
        INFO(hostile);
        CHECK(pin_hash_problem("scrypt$" + std::string(hostile) + tail) == too_much);
        CHECK_FALSE(pin_matches("123456", "scrypt$" + std::string(hostile) + tail));
    }
}
