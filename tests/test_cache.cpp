// The encrypted evidence cache on real files: what reaches the disk (nothing readable), what
// comes back (exactly the clip, at any offset), damage anywhere (never handed on), crashes and
// real kills in the middle of storing (never "complete" unless it is), resuming, a full disk (a
// real tmpfs), and the purge rules.
#include "auth/base64url.h"
#include "auth/court_time.h"
#include "cache/evidence_cache.h"
#include "support/testing.h"

extern "C" {
#include <libavutil/error.h>
}

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

using namespace courtplay;
using namespace courtplay::testing;
namespace fs = std::filesystem;

namespace {
// A folder holding a cache and its key, each test its own.
struct CacheFolder {
    fs::path root;
    config::CacheConfig cfg;
    explicit CacheFolder(const std::string& name, int64_t max_mb = 1024) {
        static std::atomic<int> n{0};
        root = fs::path(scratch_dir()) / ("cache-" + name + "-" + std::to_string(n++));
        fs::create_directories(root);
        cfg.dir = root / "cache";
        cfg.key_file = root / "keys" / "cache.key";
        cfg.max_size_mb = max_mb;
    }
};

// Records every purge.
struct Purges final : cache::PurgeSink {
    std::vector<cache::PurgeRecord> seen;
    void purged(const cache::PurgeRecord& r) override { seen.push_back(r); }
};

// Evidence: random bytes with a readable marker every 4 KiB, so plaintext on disk would show.
const std::string marker = "EVIDENCE-PLAINTEXT-MARKER";
std::string evidence(size_t bytes, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(bytes, '\0');
    for (auto& c : s) c = char(rng());
    for (size_t at = 0; at + marker.size() < bytes; at += 4096) s.replace(at, marker.size(), marker);
    return s;
}

std::string sha_hex(const std::string& s) { return auth::hex(auth::sha256(s)); }

cache::ClipRef ref_for(const std::string& bytes, const std::string& clip_id = "cl_1", const std::string& share = "sh_1") {
    // One expiry for every clip: refs made either side of a second's turn must still expire together.
    static const int64_t expires_at = auth::unix_now() + 3600;
    return {.share_id = share,
            .clip_id = clip_id,
            .title = "Body-worn camera, PC 1234",
            .sha256 = sha_hex(bytes),
            .bytes = int64_t(bytes.size()),
            .party = "defence",
            .case_ref = "01YZ1234526",
            .expires_at = expires_at,
            .token_digest = "td"};
}

void store_all(cache::EvidenceCache& c, const cache::ClipRef& ref, const std::string& bytes, size_t piece = 100000) {
    auto w = c.store(ref);
    for (size_t at = size_t(w->stored()); at < bytes.size(); at += piece) {
        const size_t n = std::min(piece, bytes.size() - at);
        w->append({reinterpret_cast<const uint8_t*>(bytes.data()) + at, n});
    }
    w->finish();
}

// Everything the source gives from `offset` to the end, and the error that stopped it (0 at the end).
std::string read_from(player::Source& s, int64_t offset, int* error, int piece = 32768) {
    REQUIRE(s.seek_to(offset) == offset);
    std::string out;
    std::vector<uint8_t> buf(static_cast<size_t>(piece));
    for (;;) {
        const int n = s.read(buf.data(), piece);
        if (n <= 0) {
            *error = n;
            return out;
        }
        out.append(reinterpret_cast<const char*>(buf.data()), size_t(n));
    }
}

fs::path only_entry(const fs::path& dir) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_directory()) found.push_back(e.path());
    REQUIRE(found.size() == 1);
    return found[0];
}

void flip_bit(const fs::path& file, int64_t offset) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(offset);
    char c = 0;
    f.get(c);
    f.seekp(offset);
    f.put(char(c ^ 0x10));
}

unsigned mode_of(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}
}  // namespace

TEST_CASE("cache: a clip stored and read back is exactly the clip, and nothing readable is on disk") {
    CacheFolder f("roundtrip");
    Purges purges;
    cache::EvidenceCache c(f.cfg, &purges);
    // Not a whole number of chunks, so the short last chunk is covered.
    const std::string clip = evidence(3 * cache::kChunkBytes + 12345, 1);
    const cache::ClipRef ref = ref_for(clip);
    CHECK(c.state(ref) == cache::EvidenceCache::State::absent);
    CHECK(c.open(ref) == nullptr);
    store_all(c, ref, clip);
    CHECK(c.state(ref) == cache::EvidenceCache::State::complete);

    auto src = c.open(ref);
    REQUIRE(src);
    CHECK(src->size() == int64_t(clip.size()));
    int error = 1;
    CHECK(read_from(*src, 0, &error) == clip);
    CHECK(error == 0);
    // Seeks anywhere, across chunk borders, in odd read sizes.
    std::mt19937 rng(7);
    for (int i = 0; i < 40; ++i) {
        const int64_t at = int64_t(rng() % clip.size());
        const int len = int(rng() % 300000) + 1;
        REQUIRE(src->seek_to(at) == at);
        std::string got(size_t(len), '\0');
        const int n = src->read(reinterpret_cast<uint8_t*>(got.data()), len);
        REQUIRE(n == int(std::min<int64_t>(len, int64_t(clip.size()) - at)));
        CHECK(got.substr(0, size_t(n)) == clip.substr(size_t(at), size_t(n)));
    }

    // On disk: the key owner-only outside the cache, folders private, and no plaintext anywhere:
    // not the evidence, not its title or case reference.
    CHECK(mode_of(f.cfg.key_file) == 0600);
    CHECK(fs::file_size(f.cfg.key_file) == 32);
    CHECK(mode_of(f.cfg.dir) == 0700);
    const fs::path entry = only_entry(f.cfg.dir);
    CHECK(mode_of(entry) == 0700);
    CHECK(fs::file_size(entry / "clip.enc") == clip.size() + 4 * cache::kSealOverhead);
    for (const fs::path& file : {entry / "clip.enc", entry / "manifest"}) {
        CHECK(mode_of(file) == 0600);
        const std::string disk = read_file(file);
        CHECK(disk.find(marker) == std::string::npos);
        CHECK(disk.find("Body-worn") == std::string::npos);
        CHECK(disk.find("01YZ1234526") == std::string::npos);
        CHECK(disk.find(ref.sha256) == std::string::npos);
    }
    CHECK(entry.filename().string().find("cl_1") == std::string::npos);

    // A second kiosk key (another kiosk, or a key that was replaced) opens nothing.
    CacheFolder other("roundtrip-other");
    other.cfg.dir = f.cfg.dir;
    cache::EvidenceCache stranger(other.cfg, nullptr);
    CHECK(stranger.open(ref) == nullptr);
    CHECK(stranger.list().at(0).damaged);

    // Stored in pieces of two chunks and a bit: whole chunks are sealed from the caller's bytes,
    // the bit waits in the writer for the rest of its chunk. The same clip comes back.
    CacheFolder pieces("roundtrip-pieces");
    cache::EvidenceCache in_pieces(pieces.cfg, nullptr);
    store_all(in_pieces, ref, clip, 2 * cache::kChunkBytes + 7);
    auto again = in_pieces.open(ref);
    REQUIRE(again);
    CHECK(read_from(*again, 0, &error) == clip);
    CHECK(error == 0);
}

TEST_CASE("cache: the kiosk key must be the owner's alone") {
    CacheFolder f("key");
    { cache::EvidenceCache c(f.cfg, nullptr); }
    const std::string key = read_file(f.cfg.key_file.string());
    { cache::EvidenceCache again(f.cfg, nullptr); }
    CHECK(read_file(f.cfg.key_file.string()) == key);  // made once, then kept

    ::chmod(f.cfg.key_file.c_str(), 0644);
    try {
        cache::EvidenceCache c(f.cfg, nullptr);
        FAIL("a key others can read was accepted");
    } catch (const cache::CacheError& e) {
        CHECK_THAT(e.what(), Catch::Contains("can be read by others; run chmod 600"));
    }
    ::chmod(f.cfg.key_file.c_str(), 0600);
    write_file(f.cfg.key_file.string(), "short");
    ::chmod(f.cfg.key_file.c_str(), 0600);
    try {
        cache::EvidenceCache c(f.cfg, nullptr);
        FAIL("a damaged key was accepted");
    } catch (const cache::CacheError& e) {
        CHECK_THAT(e.what(), Catch::Contains("is damaged (5 bytes, not 32)"));
    }
}

TEST_CASE("cache: a flipped bit anywhere is caught and nothing altered is handed on") {
    CacheFolder f("flip");
    Purges purges;
    cache::EvidenceCache c(f.cfg, &purges);
    const std::string clip = evidence(5 * cache::kChunkBytes + 777, 2);
    const cache::ClipRef ref = ref_for(clip);
    store_all(c, ref, clip);
    const fs::path entry = only_entry(f.cfg.dir);
    const fs::path data = entry / "clip.enc";
    const int64_t record = int64_t(cache::kChunkBytes + cache::kSealOverhead);
    const std::string pristine = read_file(data.string());

    // A nonce, the middle of a body, a tag, the last (short) chunk's last byte.
    for (const int64_t at : {int64_t(3), 2 * record + 5000, 3 * record + record - 1, int64_t(pristine.size()) - 1}) {
        CAPTURE(at);
        write_file(data.string(), pristine);
        flip_bit(data, at);
        auto src = c.open(ref);
        REQUIRE(src);
        int error = 0;
        const std::string got = read_from(*src, 0, &error);
        CHECK(error == AVERROR_INVALIDDATA);
        // What came out before the damage is the evidence itself, and nothing of the damaged chunk.
        CHECK(got == clip.substr(0, got.size()));
        CHECK(int64_t(got.size()) <= at / record * int64_t(cache::kChunkBytes));
        CHECK(src->status().damaged);
        CHECK(src->status().damaged_chunk == at / record);
    }

    // The background pass finds damage far ahead of where playback reads.
    write_file(data.string(), pristine);
    flip_bit(data, 4 * record + 100);
    auto src = c.open(ref);
    REQUIRE(src);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!src->status().damaged && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(src->status().damaged_chunk == 4);
    uint8_t b[16];
    CHECK(src->read(b, sizeof b) == AVERROR_INVALIDDATA);  // even in chunk 0, which is fine
    src.reset();

    // A damaged manifest: the entry cannot be opened, and goes.
    write_file(data.string(), pristine);
    flip_bit(entry / "manifest", 40);
    CHECK(c.state(ref) == cache::EvidenceCache::State::damaged);
    CHECK(c.open(ref) == nullptr);
    REQUIRE(purges.seen.size() == 1);
    CHECK(purges.seen[0].why == cache::PurgeReason::damaged);
    CHECK(!fs::exists(entry));
}

TEST_CASE("cache: a cut or swapped file is damaged, not playable") {
    CacheFolder f("cut");
    cache::EvidenceCache c(f.cfg, nullptr);
    const std::string a = evidence(3 * cache::kChunkBytes, 3), b = evidence(3 * cache::kChunkBytes, 4);
    const cache::ClipRef ra = ref_for(a, "cl_a"), rb = ref_for(b, "cl_b");
    store_all(c, ra, a);
    store_all(c, rb, b);
    fs::path ea, eb;  // the entries of a and of b
    for (const cache::CachedClip& e : c.list()) (e.clip_id == "cl_a" ? ea : eb) = f.cfg.dir / e.name;
    REQUIRE(!ea.empty());
    REQUIRE(!eb.empty());

    SECTION("cut short by one chunk") {
        const fs::path data = ea / "clip.enc";
        fs::resize_file(data, fs::file_size(data) - (cache::kChunkBytes + cache::kSealOverhead));
        CHECK(c.state(ra) == cache::EvidenceCache::State::damaged);
        CHECK(c.state(rb) == cache::EvidenceCache::State::complete);
        CHECK(c.open(ra) == nullptr);
    }
    SECTION("one entry's chunks copied over another's") {
        fs::copy_file(ea / "clip.enc", eb / "clip.enc", fs::copy_options::overwrite_existing);
        auto src = c.open(rb);
        REQUIRE(src);
        int error = 0;
        CHECK(read_from(*src, 0, &error).empty());
        CHECK(error == AVERROR_INVALIDDATA);
    }
}

TEST_CASE("cache: bytes that are not the original are never kept") {
    CacheFolder f("wrong");
    Purges purges;
    cache::EvidenceCache c(f.cfg, &purges);
    const std::string clip = evidence(cache::kChunkBytes + 10, 5);
    cache::ClipRef ref = ref_for(clip);

    SECTION("another SHA-256") {
        std::string altered = clip;
        altered[1000] ^= 1;
        auto w = c.store(ref);
        w->append({reinterpret_cast<const uint8_t*>(altered.data()), altered.size()});
        CHECK_THROWS_AS(w->finish(), cache::NotOriginalError);
    }
    SECTION("too short") {
        auto w = c.store(ref);
        w->append({reinterpret_cast<const uint8_t*>(clip.data()), clip.size() - 1});
        CHECK_THROWS_AS(w->finish(), cache::NotOriginalError);
    }
    SECTION("too long") {
        auto w = c.store(ref);
        const std::string more = clip + "x";
        CHECK_THROWS_AS(w->append({reinterpret_cast<const uint8_t*>(more.data()), more.size()}),
                        cache::NotOriginalError);
    }
    CHECK(c.state(ref) == cache::EvidenceCache::State::absent);
    CHECK(c.list().empty());
    REQUIRE(purges.seen.size() == 1);
    CHECK(purges.seen[0].why == cache::PurgeReason::not_original);
}

TEST_CASE("cache: an interrupted store resumes after its last good chunk") {
    CacheFolder f("resume");
    cache::EvidenceCache c(f.cfg, nullptr);
    const std::string clip = evidence(6 * cache::kChunkBytes + 99, 6);
    const cache::ClipRef ref = ref_for(clip);
    {
        auto w = c.store(ref);
        w->append({reinterpret_cast<const uint8_t*>(clip.data()), 3 * cache::kChunkBytes + 500});
    }  // dropped mid-chunk: the 500 bytes were never sealed
    CHECK(c.state(ref) == cache::EvidenceCache::State::partial);
    CHECK(c.open(ref) == nullptr);
    const fs::path data = only_entry(f.cfg.dir) / "clip.enc";
    SECTION("the whole chunks stay") {
        auto w = c.store(ref);
        CHECK(w->stored() == 3 * int64_t(cache::kChunkBytes));
    }
    SECTION("a torn chunk (a crash inside a write) is fetched again") {
        fs::resize_file(data, fs::file_size(data) - 1000);
        auto w = c.store(ref);
        CHECK(w->stored() == 2 * int64_t(cache::kChunkBytes));
    }
    SECTION("every chunk on disk, killed before the entry was marked complete") {
        // The state a kill between the last chunk and the manifest leaves: the partial manifest
        // (same clip key) beside a file holding every chunk, the short last one included.
        const fs::path manifest = data.parent_path() / "manifest";
        const std::string partial = read_file(manifest.string());
        store_all(c, ref, clip);
        write_file(manifest.string(), partial);
        CHECK(c.state(ref) == cache::EvidenceCache::State::partial);
        auto w = c.store(ref);
        CHECK(w->stored() == int64_t(clip.size()));
        w->finish();
        CHECK(fs::file_size(data) == clip.size() + 7 * cache::kSealOverhead);
    }
    SECTION("a chunk lost in a power cut (zeros) and all after it are fetched again") {
        std::fstream(data, std::ios::in | std::ios::out | std::ios::binary).seekp(cache::kChunkBytes + 100).write(
            std::string(64, '\0').data(), 64);
        auto w = c.store(ref);
        CHECK(w->stored() == int64_t(cache::kChunkBytes));
    }
    store_all(c, ref, clip);
    auto src = c.open(ref);
    REQUIRE(src);
    int error = 1;
    CHECK(read_from(*src, 0, &error) == clip);
}

TEST_CASE("cache: killed at any moment while storing, an entry is never complete unless it is") {
    CacheFolder f("kill");
    const std::string clip = evidence(24 * cache::kChunkBytes + 5, 7);
    const cache::ClipRef ref = ref_for(clip);
    int completed = 0, partial = 0;
    for (int round = 0; round < 12; ++round) {
        CAPTURE(round);
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {  // a kiosk storing the clip in small pieces, to be killed mid-way
            try {
                cache::EvidenceCache c(f.cfg, nullptr);
                auto w = c.store(ref);
                for (size_t at = size_t(w->stored()); at < clip.size(); at += 50000) {
                    w->append({reinterpret_cast<const uint8_t*>(clip.data()) + at, std::min<size_t>(50000, clip.size() - at)});
                    ::usleep(1000);
                }
                w->finish();
            } catch (...) {
                ::_exit(3);
            }
            ::_exit(0);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + round * 15));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 3));

        cache::EvidenceCache c(f.cfg, nullptr);
        const auto state = c.state(ref);
        if (state == cache::EvidenceCache::State::damaged)
            for (const auto& e : c.list()) {
                const fs::path dir = f.cfg.dir / e.name;
                UNSCOPED_INFO("entry " << e.name << " damaged=" << e.damaged << " complete=" << e.complete
                                       << " bytes=" << e.bytes << " sha=" << e.sha256 << " data="
                                       << (fs::exists(dir / "clip.enc") ? fs::file_size(dir / "clip.enc") : 0)
                                       << " manifest=" << fs::file_size(dir / "manifest"));
            }
        CHECK(state != cache::EvidenceCache::State::damaged);
        if (state == cache::EvidenceCache::State::complete) {
            ++completed;
            auto src = c.open(ref);
            REQUIRE(src);
            int error = 1;
            CHECK(read_from(*src, 0, &error) == clip);  // complete means every byte, verified
            c.purge_all(cache::PurgeReason::requested);
        } else {
            partial += state == cache::EvidenceCache::State::partial;
        }
    }
    CHECK(partial > 0);  // the kills did land mid-store
    // Whatever the last kill left is resumed to a verified copy.
    cache::EvidenceCache c(f.cfg, nullptr);
    store_all(c, ref, clip);
    auto src = c.open(ref);
    REQUIRE(src);
    int error = 1;
    CHECK(read_from(*src, 0, &error) == clip);
    INFO("completed before the kill: " << completed);
}

TEST_CASE("cache: purged at expiry, by share, by code, and least recently used first above the limit") {
    CacheFolder f("purge", 2);  // 2 MiB
    Purges purges;
    cache::EvidenceCache c(f.cfg, &purges);
    const std::string a = evidence(600 * 1024, 8), b = evidence(600 * 1024, 9), d = evidence(600 * 1024, 10);
    cache::ClipRef ra = ref_for(a, "cl_a", "sh_1"), rb = ref_for(b, "cl_b", "sh_2"), rd = ref_for(d, "cl_d", "sh_3");
    store_all(c, ra, a);
    store_all(c, rb, b);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // last-use times are in seconds
    REQUIRE(c.open(ra));  // a is now the most recently used
    store_all(c, rd, d);  // 3 x 600 KiB fits 2 MiB
    CHECK(c.list().size() == 3);

    SECTION("over the limit: the least recently used goes") {
        const std::string e = evidence(600 * 1024, 11);
        store_all(c, ref_for(e, "cl_e", "sh_4"), e);
        REQUIRE(purges.seen.size() == 1);
        CHECK(purges.seen[0].why == cache::PurgeReason::size_limit);
        CHECK(purges.seen[0].clip.clip_id == "cl_b");
        CHECK(c.state(rb) == cache::EvidenceCache::State::absent);
        CHECK(c.state(ra) == cache::EvidenceCache::State::complete);
        CHECK(c.used_bytes() <= c.limit_bytes());
    }
    SECTION("a clip larger than the whole limit is refused, and nothing else goes") {
        const std::string huge = evidence(3 << 20, 12);
        try {
            c.store(ref_for(huge, "cl_huge"));
            FAIL("stored beyond the limit");
        } catch (const cache::CacheError& e) {
            CHECK_THAT(e.what(), Catch::Contains("more than its limit of 2 MB") && Catch::Contains("cache.max_size_mb"));
        }
        CHECK(purges.seen.empty());
    }
    SECTION("expiry, and a lapsed keep_until, by policy") {
        CHECK(c.purge_by_policy(ra.expires_at - 10) == 0);
        c.keep_share_until("sh_2", auth::unix_now() + 5);
        CHECK(c.purge_by_policy(auth::unix_now() + 6) == 1);
        CHECK(purges.seen.at(0).clip.clip_id == "cl_b");
        CHECK(purges.seen.at(0).why == cache::PurgeReason::expired);
        CHECK(c.purge_by_policy(ra.expires_at) == 2);
        CHECK(c.list().empty());
    }
    SECTION("a share, and a share code") {
        CHECK(c.purge_share("sh_1", cache::PurgeReason::revoked) == 1);
        CHECK(c.state(ra) == cache::EvidenceCache::State::absent);
        CHECK(c.purge_token("td", cache::PurgeReason::revoked) == 2);
        CHECK(c.list().empty());
        CHECK(purges.seen.size() == 3);
    }
}

TEST_CASE("cache: a full disk stops storing with a clear message and loses what was stored") {
    // A real, small file system: a 3 MiB tmpfs.
    const SmallDisk disk("small-disk", "3m");
    const fs::path mnt = disk.path();
    config::CacheConfig cfg;
    cfg.dir = mnt / "cache";
    cfg.key_file = fs::path(scratch_dir()) / "small-disk-key" / "cache.key";
    cfg.max_size_mb = 1024;
    cache::EvidenceCache c(cfg, nullptr);

    SECTION("a clip that plainly does not fit is refused before a byte is written") {
        const std::string big = evidence(4 << 20, 13);
        try {
            c.store(ref_for(big));
            FAIL("stored on a disk too small");
        } catch (const cache::CacheError& e) {
            CHECK_THAT(e.what(), Catch::Contains("free and clip \"Body-worn camera, PC 1234\" needs 5 MB"));
        }
    }
    SECTION("the disk fills while storing: what was stored stays, and resumes once there is room") {
        const std::string clip = evidence(2 << 20, 14);
        const cache::ClipRef ref = ref_for(clip);
        auto w = c.store(ref);
        // Something else takes the space meanwhile.
        std::ofstream(mnt / "other").write(std::string(1800 * 1024, 'x').data(), 1800 * 1024);
        try {
            for (size_t at = 0; at < clip.size(); at += 65536)
                w->append({reinterpret_cast<const uint8_t*>(clip.data()) + at, 65536});
            w->finish();
            FAIL("the disk did not fill");
        } catch (const cache::CacheError& e) {
            CHECK_THAT(e.what(), Catch::Contains("the disk is full"));
        }
        w.reset();
        CHECK(c.state(ref) == cache::EvidenceCache::State::partial);
        fs::remove(mnt / "other");
        auto again = c.store(ref);
        CHECK(again->stored() > 0);
        again.reset();
        store_all(c, ref, clip);
        auto src = c.open(ref);
        REQUIRE(src);
        int error = 1;
        CHECK(read_from(*src, 0, &error) == clip);
    }
}
