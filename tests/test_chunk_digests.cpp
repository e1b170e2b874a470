// The per-chunk digests a streamed clip's proof records, and the check every chunk fetched after
// the proof must pass (player/chunk_digests.h): pure logic over OpenSSL.
#include "player/chunk_digests.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

using courtplay::player::ChunkDigests;
using courtplay::player::ChunkRecorder;
using Check = ChunkDigests::Check;

namespace {
std::vector<uint8_t> clip_bytes(size_t n) {
    std::mt19937 rng(20261128);
    std::vector<uint8_t> b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
}

// Recorded as the proof takes them: in uneven pieces that cross chunk boundaries.
ChunkDigests record(const std::vector<uint8_t>& b, int64_t chunk) {
    ChunkRecorder r(chunk);
    size_t at = 0, piece = 1;
    while (at < b.size()) {
        const size_t n = std::min(piece, b.size() - at);
        r.update(b.data() + at, n);
        at += n;
        piece = piece * 3 + 7;
    }
    return r.finish();
}
}  // namespace

TEST_CASE("A chunk of the clip as proven passes its check") {
    const auto b = clip_bytes(10 * 1000 + 123);  // ten whole chunks and a short last one
    const ChunkDigests d = record(b, 1000);
    REQUIRE(d.count() == 11);
    CHECK(d.total() == static_cast<int64_t>(b.size()));
    for (int64_t i = 0; i < d.count(); ++i) {
        INFO("chunk " << i);
        CHECK(d.check(i, b.data() + d.start_of(i), static_cast<size_t>(d.length_of(i))) == Check::matches);
    }
    CHECK(d.chunk_of(0) == 0);
    CHECK(d.chunk_of(999) == 0);
    CHECK(d.chunk_of(1000) == 1);
}

TEST_CASE("A chunk with one bit flipped is refused") {
    auto b = clip_bytes(5000);
    const ChunkDigests d = record(b, 1000);
    b[3456] ^= 0x10;
    CHECK(d.check(3, b.data() + 3000, 1000) == Check::differs);
    // The chunks around it are untouched and still pass.
    CHECK(d.check(2, b.data() + 2000, 1000) == Check::matches);
    CHECK(d.check(4, b.data() + 4000, 1000) == Check::matches);
    // Right bytes checked as another chunk are refused too.
    CHECK(d.check(1, b.data() + 2000, 1000) == Check::differs);
}

TEST_CASE("The short last chunk is checked on its own length") {
    const auto b = clip_bytes(2500);
    const ChunkDigests d = record(b, 1000);
    REQUIRE(d.count() == 3);
    CHECK(d.length_of(2) == 500);
    CHECK(d.check(2, b.data() + 2000, 500) == Check::matches);
    CHECK(d.check(2, b.data() + 2000, 499) == Check::wrong_length);
    std::vector<uint8_t> padded(b.begin() + 2000, b.end());
    padded.push_back(0);
    CHECK(d.check(2, padded.data(), padded.size()) == Check::wrong_length);
    CHECK(d.check(1, b.data() + 1000, 500) == Check::wrong_length);
}

TEST_CASE("A chunk that is not in the clip is refused") {
    const auto b = clip_bytes(3000);
    const ChunkDigests d = record(b, 1000);
    CHECK(d.check(3, b.data(), 1000) == Check::no_such_chunk);
    CHECK(d.check(-1, b.data(), 1000) == Check::no_such_chunk);
    CHECK(d.length_of(3) == 0);
    CHECK(d.length_of(-1) == 0);
}

TEST_CASE("An empty clip has no chunks and an exact multiple no short one") {
    CHECK(ChunkRecorder(1000).finish().count() == 0);
    const auto b = clip_bytes(3000);
    const ChunkDigests d = record(b, 1000);
    CHECK(d.count() == 3);
    CHECK(d.length_of(2) == 1000);
    CHECK_THROWS(ChunkDigests(1000, 3000, {}, {}));  // digests that do not cover the clip
}
