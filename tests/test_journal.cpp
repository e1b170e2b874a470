// The kiosk's audit journal on real files: the chain and its seals, recovery after torn appends
// and real kills, damage left alone, a real full disk and a read-only file system, two writers.
#include "audit/journal.h"
#include "audit/journal_scan.h"
#include "support/testing.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>

using namespace courtplay;
using namespace courtplay::testing;
namespace fs = std::filesystem;

namespace {

int folder_counter = 0;

audit::JournalOptions options_in(const fs::path& root) {
    return {root / "journal", root / "keys" / "audit.key", "court-3-kiosk-1"};
}

audit::JournalOptions fresh_options() {
    const fs::path root = fs::path(scratch_dir()) / ("journal-" + std::to_string(++folder_counter));
    return options_in(root);
}

audit::Event event(const char* type, int64_t position_ms = 0) {
    audit::Event e{type};
    e.subject = {"se_1", "sh_abc", "defence", "cl_1", std::string(64, 'a')};
    e.position_ms = position_ms;
    return e;
}

std::vector<fs::path> segments(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".jsonl") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string slurp(const fs::path& p) { return read_file(p.string()); }

void append_raw(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::app | std::ios::binary) << bytes;
}

std::vector<std::string> types_of(const audit::JournalListing& l) {
    std::vector<std::string> out;
    for (const auto& e : l.entries) out.push_back(e.record.type());
    return out;
}

// The listing is a whole chain: 1, 2, 3 ... each linked to the one before.
void check_chain(const audit::JournalListing& l) {
    audit::ChainHead head;
    for (const auto& e : l.entries) {
        INFO("record " << e.record.seq());
        CHECK_FALSE(audit::follow_fault(head, e.record));
        head = {e.record.seq(), e.record.hash};
    }
}

}  // namespace

TEST_CASE("journal: every append is one sealed batch, on disk, with the event's members") {
    const auto o = fresh_options();
    {
        audit::Journal j(o);
        const audit::Record r = j.append(event(audit::event_type::play, 1500));
        CHECK(r.seq() == 1);
        CHECK(r.prev == std::string(audit::kGenesis));
        CHECK(r.event["kiosk_id"] == "court-3-kiosk-1");
        CHECK(r.event["position_ms"] == 1500);
        CHECK(r.event["id"].get<std::string>().size() == 32);
        std::vector<audit::Event> two{event(audit::event_type::pause, 2000), event(audit::event_type::seek, 2000)};
        two[1].details = {{"from_ms", 2000}, {"to_ms", 9000}};
        const auto records = j.append(two);
        REQUIRE(records.size() == 2);
        CHECK(records[1].seq() == 3);
        CHECK(j.last_seq() == 3);
    }
    // On disk: records and a seal per batch, and the seal signs with the key in keys/audit.key.
    const auto files = segments(o.dir);
    REQUIRE(files.size() == 1);
    CHECK(files[0].filename() == "00000000000000000001.jsonl");
    const std::vector<std::string> lines = read_lines(files[0].string());
    REQUIRE(lines.size() == 5);  // r1, seal, r2, r3, seal
    const auto seal = audit::parse_line(lines[4]);
    REQUIRE(seal);
    const auto& s = std::get<audit::Seal>(*seal);
    CHECK(s.seq == 3);
    const auto key = auth::SigningKey::load_pem(o.key_file);
    CHECK(audit::seal_verifies(s, key.public_key()));
    CHECK((fs::status(o.key_file).permissions() & fs::perms::mask) == (fs::perms::owner_read | fs::perms::owner_write));
    CHECK((fs::status(o.dir).permissions() & fs::perms::mask) == fs::perms::owner_all);

    const auto listing = audit::list_journal(o.dir);
    CHECK_FALSE(listing.fault);
    CHECK(types_of(listing) == std::vector<std::string>{"play", "pause", "seek"});
    CHECK(listing.entries[2].record.event["details"]["to_ms"] == 9000);
    check_chain(listing);

    // Reopened, the chain goes on from where it was.
    audit::Journal again(o);
    CHECK(again.append(event(audit::event_type::play)).seq() == 4);
    check_chain(audit::list_journal(o.dir));
}

TEST_CASE("journal: a torn append is cut back at the next start, and the cut is itself recorded") {
    const auto o = fresh_options();
    { audit::Journal(o).append(event(audit::event_type::play)); }
    const fs::path seg = segments(o.dir).at(0);
    const auto good_size = fs::file_size(seg);

    SECTION("half a line") { append_raw(seg, R"({"event":{"id":"0123)"); }
    SECTION("whole records with no seal after them") {
        // A second journal writes a batch; its seal is then cut off, as a crash between the
        // record and the seal would leave it.
        { audit::Journal(o).append(event(audit::event_type::pause)); }
        std::string text = slurp(seg);
        text.erase(text.rfind('\n', text.size() - 2) + 1);  // drop the last line, the seal
        std::ofstream(seg, std::ios::trunc | std::ios::binary) << text;
        // (the pause record is still there, unsealed)
    }
    SECTION("zeros, as a power cut can leave") { append_raw(seg, std::string(300, '\0')); }

    audit::Journal j(o);
    const auto listing = audit::list_journal(o.dir);
    CHECK_FALSE(listing.fault);
    REQUIRE(listing.entries.size() == 2);
    CHECK(listing.entries[0].record.type() == "play");
    CHECK(listing.entries[1].record.type() == "journal.recovered");
    CHECK(listing.entries[1].record.event["details"]["last_good_seq"] == 1);
    CHECK(listing.entries[1].record.event["details"]["cut_bytes"].get<int64_t>() > 0);
    CHECK(fs::file_size(seg) > good_size);  // the cut, then the recovery record
    check_chain(listing);
    CHECK(j.append(event(audit::event_type::play)).seq() == 3);
}

TEST_CASE("journal: damage with good records after it is not cut: the journal refuses and keeps the file") {
    const auto o = fresh_options();
    {
        audit::Journal j(o);
        for (int i = 0; i < 3; ++i) j.append(event(audit::event_type::play, i));
    }
    const fs::path seg = segments(o.dir).at(0);
    std::string text = slurp(seg);
    const size_t at = text.find("\"position_ms\":0");
    REQUIRE(at != std::string::npos);
    text[at + 14] = '7';  // the first record now says 7 ms: its hash no longer matches
    std::ofstream(seg, std::ios::trunc | std::ios::binary) << text;

    try {
        audit::Journal j(o);
        FAIL("opened a damaged journal");
    } catch (const audit::JournalError& e) {
        CHECK_THAT(e.what(), Catch::Contains("the audit journal is damaged") &&
                                 Catch::Contains("its hash does not match its contents") &&
                                 Catch::Contains("court IT"));
    }
    CHECK(slurp(seg) == text);  // left exactly as found
    const auto listing = audit::list_journal(o.dir);
    CHECK(listing.entries.empty());
    REQUIRE(listing.fault);
}

TEST_CASE("journal: killed at random points, every append it acknowledged is there, the chain whole") {
    const auto o = fresh_options();
    { audit::Journal j(o); }  // the key and the folder
    int acknowledged_total = 0;
    for (int round = 0; round < 40; ++round) {
        int ack[2];
        REQUIRE(::pipe(ack) == 0);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::close(ack[0]);
            try {
                audit::Journal j(o);
                for (;;) {
                    const int64_t seq = j.append(event(audit::event_type::frame_step)).seq();
                    if (::write(ack[1], &seq, sizeof seq) != sizeof seq) ::_exit(3);
                }
            } catch (...) {
                ::_exit(2);
            }
        }
        ::close(ack[1]);
        int64_t seq = 0, last_acked = 0;
        // Even rounds are killed while appending: after the first acknowledged append, which on a
        // slow machine (or under the sanitizers) can come later than any fixed delay, as the
        // journal grows and start-up recovers more. Odd rounds at a fixed delay, which may fall in
        // start-up and recovery.
        if (round % 2 == 0) {
            REQUIRE(::read(ack[0], &seq, sizeof seq) == sizeof seq);
            last_acked = seq, ++acknowledged_total;
        }
        ::usleep(static_cast<useconds_t>(10000 + (round * 7919) % 50000));  // at varying points
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        REQUIRE(WIFSIGNALED(status));
        while (::read(ack[0], &seq, sizeof seq) == sizeof seq) last_acked = seq, ++acknowledged_total;
        ::close(ack[0]);

        audit::Journal j(o);  // recovers whatever the kill left
        const auto listing = audit::list_journal(o.dir);
        INFO("round " << round);
        REQUIRE_FALSE(listing.fault);
        check_chain(listing);
        std::set<int64_t> present;
        for (const auto& e : listing.entries) present.insert(e.record.seq());
        CHECK((last_acked == 0 || present.count(last_acked) == 1));
        CHECK(j.last_seq() >= last_acked);
    }
    // Not vacuous: appends were acknowledged before kills, at least one in each even round.
    CHECK(acknowledged_total > 20);
}

TEST_CASE("journal: a full disk refuses the append and leaves no partial record") {
    const SmallDisk disk("journal-disk", "64k");
    auto o = options_in(disk.path());
    audit::Journal j(o);
    j.append(event(audit::event_type::play));
    audit::Event big = event(audit::event_type::playback_error);
    big.details = {{"reason", std::string(12000, 'x')}};
    bool refused = false;
    for (int i = 0; i < 40 && !refused; ++i) {
        const auto before = fs::file_size(segments(o.dir).at(0));
        try {
            j.append(big);
        } catch (const audit::JournalError& e) {
            refused = true;
            CHECK_THAT(e.what(), Catch::Contains("the audit journal cannot be written (the disk is full)"));
            CHECK(fs::file_size(segments(o.dir).at(0)) == before);
        }
    }
    REQUIRE(refused);
    const auto listing = audit::list_journal(o.dir);
    CHECK_FALSE(listing.fault);
    check_chain(listing);
    // Opened again, the journal is whole and ends at the last batch that fitted.
    const int64_t last = listing.entries.back().record.seq();
    audit::Journal reopened(o);
    CHECK(reopened.last_seq() == last);
}

TEST_CASE("journal: a read-only file system is refused at opening, in words") {
    SmallDisk disk("journal-ro", "1m");
    auto o = options_in(disk.path());
    { audit::Journal(o).append(event(audit::event_type::play)); }
    disk.remount_read_only();
    try {
        audit::Journal j(o);
        FAIL("opened a journal it cannot write");
    } catch (const audit::JournalError& e) {
        CHECK_THAT(e.what(), Catch::Contains("cannot be written (the disk is read-only)"));
    }
    CHECK(audit::list_journal(o.dir).entries.size() == 1);  // still readable
}

TEST_CASE("journal: two writers on one journal take turns and keep one chain") {
    const auto o = fresh_options();
    audit::Journal a(o), b(o);
    for (int i = 0; i < 20; ++i) {
        (i % 3 ? a : b).append(event(audit::event_type::seek, i));
    }
    const auto listing = audit::list_journal(o.dir);
    CHECK_FALSE(listing.fault);
    REQUIRE(listing.entries.size() == 20);
    check_chain(listing);
    for (int i = 0; i < 20; ++i) CHECK(listing.entries[i].record.event["position_ms"] == i);
}

TEST_CASE("journal: segments roll over, delivered old ones are removed, the rest still reads") {
    auto o = fresh_options();
    o.segment_bytes = 2000;
    audit::Journal j(o);
    for (int i = 0; i < 30; ++i) j.append(event(audit::event_type::frame_step, i));
    const auto before = segments(o.dir);
    REQUIRE(before.size() > 3);

    // Shipping reads whole batches after the delivered mark.
    const auto lines = j.read_after(10, 5);
    REQUIRE_FALSE(lines.empty());
    CHECK(std::get<audit::Record>(lines.front()).seq() == 11);
    CHECK(std::holds_alternative<audit::Seal>(lines.back()));
    CHECK(std::get<audit::Seal>(lines.back()).seq == 15);

    // Read on with a cursor, batch after batch across segments: the same records, each once, in order.
    audit::Journal::ReadCursor cursor;
    int64_t from = 0;
    std::vector<int64_t> seen;
    for (int reads = 0; reads < 100; ++reads) {
        const auto batch = j.read_after(from, 4, &cursor);
        if (batch.empty()) break;
        for (const auto& line : batch)
            if (const auto* r = std::get_if<audit::Record>(&line)) seen.push_back(r->seq());
        from = std::get<audit::Seal>(batch.back()).seq;
        CHECK(cursor.head.seq == from);
    }
    std::vector<int64_t> all(30);
    std::iota(all.begin(), all.end(), 1);
    CHECK(seen == all);

    CHECK(j.remove_delivered(INT64_MAX) == 0);  // nothing delivered yet
    j.mark_delivered(20);
    j.mark_delivered(12);  // never backwards
    CHECK(j.delivered() == 20);
    CHECK(j.backlog().events == 10);
    const int removed = j.remove_delivered(INT64_MAX);
    CHECK(removed > 0);
    const auto after = segments(o.dir);
    CHECK(after.size() == before.size() - static_cast<size_t>(removed));

    const auto listing = audit::list_journal(o.dir);
    CHECK_FALSE(listing.fault);
    REQUIRE_FALSE(listing.entries.empty());
    CHECK(listing.entries.front().record.seq() > 1);
    CHECK(listing.entries.front().delivered);
    CHECK_FALSE(listing.entries.back().delivered);
    audit::Journal reopened(o);
    CHECK(reopened.append(event(audit::event_type::play)).seq() == 31);
}

TEST_CASE("journal scan: a seal that does not verify, or covers the wrong record, ends the good part") {
    const auto o = fresh_options();
    { audit::Journal(o).append(event(audit::event_type::play)); }
    std::string text = slurp(segments(o.dir).at(0));
    const auto good = audit::scan_segment(text, {}, {});
    CHECK(good.tail == audit::SegmentTail::clean);
    CHECK(good.head.seq == 1);
    const size_t sig = text.find("\"sig\":\"");
    REQUIRE(sig != std::string::npos);
    text[sig + 8] = text[sig + 8] == 'A' ? 'B' : 'A';
    const auto bad = audit::scan_segment(text, {}, {});
    CHECK(bad.tail == audit::SegmentTail::torn);
    CHECK(bad.good_end == 0);
    CHECK(bad.fault == "the seal after record 1 does not check");
    CHECK(audit::scan_segment(text, {}, {.check_signatures = false}).tail == audit::SegmentTail::clean);
}
