// The audit service end to end: kiosks' chains built here with audit/chain.h and real Ed25519 keys,
// shipped to the real `courtplay-server serve` over HTTPS on loopback, stored in its real SQLite
// database, then checked and tampered with directly in SQL and judged by `audit verify`, and
// exported per party by `audit export`.
#include "audit/chain.h"
#include "auth/base64url.h"
#include "auth/keys.h"
#include "support/serve_process.h"
#include "support/testing.h"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

using nlohmann::json;
namespace fs = std::filesystem;
namespace audit = courtplay::audit;
namespace auth = courtplay::auth;
namespace testing = courtplay::testing;
using courtplay::testing::Serve;
using courtplay::testing::query;

namespace {

testing::RunResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), COURTPLAY_SERVER_BIN);
    return testing::run(args);
}

std::string fresh_dir(const std::string& name) {
    static int counter = 0;
    return testing::scratch_dir() + "/" + name + std::to_string(counter++);
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1)
        out.push_back(text.substr(start, end - start));
    if (start < text.size()) out.push_back(text.substr(start));
    return out;
}

// A kiosk's journal, made here as the kiosk makes it: events hash-chained, batches sealed.
class Kiosk {
public:
    explicit Kiosk(std::string id) : id_(std::move(id)), key_(auth::SigningKey::generate()) {}

    const audit::Record& add(const std::string& type, const json& members = json::object()) {
        json event = members;
        event["id"] = auth::hex(auth::random_bytes(16));
        event["seq"] = head_.seq + 1;
        event["type"] = type;
        event["kiosk_id"] = id_;
        event["utc"] = "2026-11-28T22:14:03.251Z";
        event["mono_ns"] = 1000000 * (head_.seq + 1);
        audit::Record r{event, head_.hash, audit::record_hash(head_.hash, event.dump())};
        head_ = {r.seq(), r.hash};
        records_.push_back(r);
        return records_.back();
    }
    // Records `first` to `last` (1-based, inclusive), each line as on disk, then the seal over `last`.
    json lines(int64_t first, int64_t last, const auth::SigningKey* signer = nullptr) const {
        json out = json::array();
        for (int64_t s = first; s <= last; ++s) out.push_back(audit::to_json(record(s)));
        out.push_back(audit::to_json(seal(last, signer)));
        return out;
    }
    audit::Seal seal(int64_t seq, const auth::SigningKey* signer = nullptr) const {
        return audit::make_seal(signer ? *signer : key_, id_, seq, record(seq).hash);
    }
    json batch(int64_t first, int64_t last, bool gap_acknowledged = false) const {
        return {{"kiosk_id", id_}, {"lines", lines(first, last)}, {"gap_acknowledged", gap_acknowledged}};
    }
    const audit::Record& record(int64_t seq) const { return records_.at(static_cast<size_t>(seq - 1)); }
    const std::string& id() const { return id_; }
    const auth::SigningKey& key() const { return key_; }
    std::string public_key() const { return auth::base64url_encode(key_.public_key().raw()); }

private:
    std::string id_;
    auth::SigningKey key_;
    audit::ChainHead head_;
    std::vector<audit::Record> records_;
};

// `courtplay-server serve` in the background on a free loopback port, stopped with SIGTERM.

struct Answer {
    int status = 0;
    json body;
};

Answer post(const std::string& data, int port, const std::string& body) {
    httplib::SSLClient c("localhost", port);
    c.set_ca_cert_path(data + "/ca/ca.pem");
    c.enable_server_certificate_verification(true);
    c.set_connection_timeout(5);
    c.set_read_timeout(30);
    c.set_write_timeout(30);
    const auto r = c.Post("/v1/audit/batches", body, "application/json");
    REQUIRE(r);
    return {r->status, json::parse(r->body, nullptr, false)};
}

Answer post(const std::string& data, int port, const json& body) { return post(data, port, body.dump()); }


std::string scalar(const std::string& data, const std::string& sql) {
    const auto rows = query(data, sql);
    REQUIRE(rows.size() == 1);
    return rows[0][0];
}

// Tampering, as someone with the database file would do it.
void tamper(const std::string& data, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((data + "/share.db").c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, &sqlite3_close);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    INFO(sql << ": " << (error ? error : ""));
    sqlite3_free(error);
    REQUIRE(rc == SQLITE_OK);
    REQUIRE(sqlite3_changes(db) > 0);
}

std::string sql_text(const std::string& s) {
    std::string out = "'";
    for (const char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

const std::string& clip_file() {
    static const std::string path = [] {
        courtplay::assets::SampleSpec spec;
        spec.path = "audit-clip.mp4";
        spec.seconds = 1.0;
        return testing::fixture(spec);
    }();
    return path;
}

std::string init_data() {
    const std::string dir = fresh_dir("data");
    const auto r = cli({"init", "--data", dir});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return dir;
}

// A share of `party` in the service's database; its id.
std::string make_share(const std::string& data, const std::string& party) {
    static std::map<std::string, std::string> clips;
    if (!clips.count(data)) {
        const auto c = cli({"clip", "add", "--data", data, clip_file(), "--title", "BWV camera 7"});
        INFO(c.err);
        REQUIRE(c.exit_code == 0);
        clips[data] = trimmed(c.out);
    }
    const auto r = cli({"share", "create", "--data", data, "--party", party, "--case", "01AB2345678", "--clips",
                        clips[data], "--perms", "view", "--expires", "8h"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.err, m, std::regex("share (sh_[a-z2-7]{12})")));
    return m[1];
}

json with(json base, const json& more) {
    base.update(more);
    return base;
}

int64_t count(const std::string& data, const std::string& table, const std::string& where = "1") {
    return std::stoll(scalar(data, "SELECT count(*) FROM " + table + " WHERE " + where));
}

// A data folder whose service has stored two kiosks' trails and stopped (so the folder can be
// copied and tampered with): kiosk A has records 1-8 sealed at 3, 6 and 8; kiosk B records 1-2.
struct Trail {
    std::string data;
    std::string cps_share, defence_share;
    std::shared_ptr<Kiosk> a, b;
    std::vector<std::string> cps_ids, defence_ids, court_only_ids, all_ids;
};

const Trail& stored_trail() {
    static const Trail trail = [] {
        Trail t;
        t.data = init_data();
        t.cps_share = make_share(t.data, "cps");
        t.defence_share = make_share(t.data, "defence");
        t.a = std::make_shared<Kiosk>("court-3-kiosk-1");
        t.b = std::make_shared<Kiosk>("court-4-kiosk-1");
        Kiosk& a = *t.a;
        const json cps{{"session_id", "s1"}, {"share_id", t.cps_share}, {"party", "cps"}};
        const json defence{{"session_id", "s2"}, {"share_id", t.defence_share}, {"party", "defence"}};
        a.add("session.started", {{"session_id", "s1"}});                                          // 1 court only
        a.add("token.redeemed", cps);                                                             // 2 cps
        a.add("play", with(cps, {{"clip_id", "cl_x"}, {"position_ms", 0}}));               // 3 cps
        a.add("token.redeemed", defence);                                                         // 4 defence
        a.add("play", with(defence, {{"details", {{"rate_permille", 1000}}}}));            // 5 defence
        a.add("admin.signed_in");                                                                 // 6 court only
        a.add("play", {{"share_id", "sh_unknown0000"}, {"party", "defence"}});                    // 7 defence (unknown share)
        a.add("pause", {{"share_id", t.cps_share}, {"party", "defence"}});                        // 8 cps (the database says)
        t.b->add("session.started");                                                              // B1 court only
        t.b->add("play", {{"share_id", t.cps_share}, {"party", "cps"}});                          // B2 cps
        for (int64_t s : {1, 6}) t.court_only_ids.push_back(a.record(s).id());
        for (int64_t s : {2, 3, 8}) t.cps_ids.push_back(a.record(s).id());
        for (int64_t s : {4, 5, 7}) t.defence_ids.push_back(a.record(s).id());
        t.court_only_ids.push_back(t.b->record(1).id());
        t.cps_ids.push_back(t.b->record(2).id());
        for (int64_t s = 1; s <= 8; ++s) t.all_ids.push_back(a.record(s).id());
        for (int64_t s = 1; s <= 2; ++s) t.all_ids.push_back(t.b->record(s).id());

        Serve serve(t.data);
        for (const auto& [first, last] : {std::pair{1, 3}, std::pair{4, 6}, std::pair{7, 8}}) {
            const Answer r = post(t.data, serve.port, a.batch(first, last));
            INFO(r.body.dump());
            REQUIRE(r.status == 200);
        }
        REQUIRE(post(t.data, serve.port, t.b->batch(1, 2)).status == 200);
        REQUIRE(serve.stop() == 0);
        return t;
    }();
    return trail;
}

// A copy of the stored trail's folder, to tamper with.
std::string copy_of_trail() {
    const std::string dir = fresh_dir("tampered");
    fs::copy(stored_trail().data, dir, fs::copy_options::recursive);
    return dir;
}

std::vector<std::string> exported_ids(const testing::RunResult& r) {
    std::vector<std::string> ids;
    for (const std::string& line : lines_of(r.out)) {
        const json j = json::parse(line, nullptr, false);
        REQUIRE(j.is_object());
        ids.push_back(j.at("id").get<std::string>());
    }
    return ids;
}

}  // namespace

TEST_CASE("audit: a batch is stored once and its exact retry counts as duplicates", "[audit]") {
    const std::string data = init_data();
    Serve serve(data);
    Kiosk k("court-3-kiosk-1");
    for (int i = 0; i < 5; ++i) k.add(i % 2 ? "pause" : "play", {{"position_ms", i * 1000}});

    const json first = k.batch(1, 3);
    Answer r = post(data, serve.port, first);
    CHECK(r.status == 200);
    CHECK(r.body == json{{"accepted", 3}, {"duplicates", 0}, {"last_seq", 3}});
    r = post(data, serve.port, first);
    CHECK(r.status == 200);
    CHECK(r.body == json{{"accepted", 0}, {"duplicates", 3}, {"last_seq", 3}});
    CHECK(count(data, "audit_events") == 3);
    CHECK(count(data, "audit_seals") == 1);

    // The next batch overlaps the stored one by a record, as after a lost response.
    r = post(data, serve.port, k.batch(3, 5));
    CHECK(r.status == 200);
    CHECK(r.body == json{{"accepted", 2}, {"duplicates", 1}, {"last_seq", 5}});

    const auto rows = query(data, "SELECT seq, id, type, event, prev, hash FROM audit_events ORDER BY seq");
    REQUIRE(rows.size() == 5);
    for (int64_t s = 1; s <= 5; ++s) {
        const auto& row = rows[static_cast<size_t>(s - 1)];
        const audit::Record& rec = k.record(s);
        CHECK(row[0] == std::to_string(s));
        CHECK(row[1] == rec.id());
        CHECK(row[2] == rec.type());
        CHECK(row[3] == rec.event.dump());
        CHECK(row[4] == rec.prev);
        CHECK(row[5] == rec.hash);
    }
    const auto kiosk = query(data, "SELECT kiosk_id, public_key, last_seq, last_hash FROM audit_kiosks");
    REQUIRE(kiosk.size() == 1);
    CHECK(kiosk[0] == std::vector<std::string>{"court-3-kiosk-1", k.public_key(), "5", k.record(5).hash});
    CHECK(query(data, "SELECT seq FROM audit_seals ORDER BY seq") == std::vector<std::vector<std::string>>{{"3"}, {"5"}});
    CHECK(count(data, "audit_faults") == 0);

    const auto v = cli({"audit", "verify", "--data", data});
    CHECK(v.exit_code == 0);
    CHECK(v.out == "5 events from 1 kiosks, 0 faults\n");
}

TEST_CASE("audit: a gap is refused with the expected seq and stored when acknowledged and verify reports it", "[audit]") {
    const std::string data = init_data();
    Serve serve(data);
    Kiosk k("court-3-kiosk-1");
    for (int i = 0; i < 6; ++i) k.add("play");
    REQUIRE(post(data, serve.port, k.batch(1, 2)).status == 200);

    Answer r = post(data, serve.port, k.batch(5, 6));
    CHECK(r.status == 409);
    CHECK(r.body.value("error", "") == "gap");
    CHECK(r.body.value("expected_seq", 0) == 3);
    CHECK(r.body.value("message", "").find("records 3 to 4") != std::string::npos);
    CHECK(count(data, "audit_events") == 2);
    CHECK(count(data, "audit_seals") == 1);
    CHECK(scalar(data, "SELECT last_seq FROM audit_kiosks") == "2");
    CHECK(count(data, "audit_faults", "kind = 'refused_gap' AND kiosk_id = 'court-3-kiosk-1'") == 1);

    auto v = cli({"audit", "verify", "--data", data});
    CHECK(v.exit_code == 0);
    CHECK(v.out == "2 events from 1 kiosks, 0 faults\n");

    r = post(data, serve.port, k.batch(5, 6, true));
    CHECK(r.status == 200);
    CHECK(r.body == json{{"accepted", 2}, {"duplicates", 0}, {"last_seq", 6}});
    CHECK(count(data, "audit_events") == 4);
    CHECK(query(data, "SELECT seq_from, seq_to FROM audit_faults WHERE kind = 'gap'") ==
          std::vector<std::vector<std::string>>{{"3", "4"}});

    v = cli({"audit", "verify", "--data", data});
    CHECK(v.exit_code == 1);
    const auto out = lines_of(v.out);
    REQUIRE(out.size() == 2);
    CHECK(out[0] == "4 events from 1 kiosks, 1 faults");
    CHECK(out[1].rfind("kiosk court-3-kiosk-1: records 3 to 4 never reached the service: the kiosk said it no longer "
                       "held them (recorded ",
                       0) == 0);
}

TEST_CASE("audit: a different record under a stored seq or a break in the link is a conflict", "[audit]") {
    const std::string data = init_data();
    Serve serve(data);
    Kiosk k("court-3-kiosk-1");
    for (int i = 0; i < 3; ++i) k.add("play");
    REQUIRE(post(data, serve.port, k.batch(1, 3)).status == 200);

    // The same kiosk id and key, a new journal: its records 1-4 are not the stored ones.
    Kiosk replaced("court-3-kiosk-1");
    for (int i = 0; i < 4; ++i) replaced.add("pause");
    json lines = json::array();
    for (int64_t s = 1; s <= 4; ++s) lines.push_back(audit::to_json(replaced.record(s)));
    lines.push_back(audit::to_json(audit::make_seal(k.key(), k.id(), 4, replaced.record(4).hash)));

    SECTION("a stored seq with another record") {
        const Answer r = post(data, serve.port, json{{"kiosk_id", k.id()}, {"lines", lines}});
        CHECK(r.status == 409);
        CHECK(r.body.value("error", "") == "conflict");
        CHECK(r.body.value("message", "").find("record 1 differs from the record 1") != std::string::npos);
    }
    SECTION("a next record that does not link to the stored head") {
        const json tail = json::array({lines[3], lines[4]});
        const Answer r = post(data, serve.port, json{{"kiosk_id", k.id()}, {"lines", tail}});
        CHECK(r.status == 409);
        CHECK(r.body.value("error", "") == "conflict");
        CHECK(r.body.value("message", "").find("record 4 does not follow on from record 3") != std::string::npos);
    }
    CHECK(count(data, "audit_events") == 3);
    CHECK(scalar(data, "SELECT last_seq FROM audit_kiosks") == "3");
    CHECK(count(data, "audit_faults", "kind = 'refused_conflict'") == 1);
    CHECK(cli({"audit", "verify", "--data", data}).exit_code == 0);
}

TEST_CASE("audit: seals by a key other than the pinned one are refused with 403", "[audit]") {
    const std::string data = init_data();
    Serve serve(data);
    Kiosk k("court-3-kiosk-1");
    for (int i = 0; i < 4; ++i) k.add("play");
    REQUIRE(post(data, serve.port, k.batch(1, 2)).status == 200);

    const auto other = auth::SigningKey::generate();
    const Answer r = post(data, serve.port, json{{"kiosk_id", k.id()}, {"lines", k.lines(3, 4, &other)}});
    CHECK(r.status == 403);
    CHECK(r.body.value("error", "") == "key_mismatch");
    CHECK(r.body.value("message", "").find("re-enrol") != std::string::npos);
    CHECK(count(data, "audit_events") == 2);
    CHECK(scalar(data, "SELECT public_key FROM audit_kiosks") == k.public_key());
    CHECK(count(data, "audit_faults", "kind = 'refused_key_mismatch'") == 1);
    // The kiosk's own key still works.
    CHECK(post(data, serve.port, k.batch(3, 4)).body == json{{"accepted", 2}, {"duplicates", 0}, {"last_seq", 4}});
}

TEST_CASE("audit: malformed and unsealed batches are refused with 400 in plain words and store nothing", "[audit]") {
    const std::string data = init_data();
    Serve serve(data);
    Kiosk k("court-3-kiosk-1");
    for (int i = 0; i < 3; ++i) k.add("play");

    json unsealed = k.batch(1, 3);
    unsealed["lines"].erase(3);
    json edited = k.batch(1, 3);
    edited["lines"][1]["event"]["type"] = "pause";
    json bad_sig = k.batch(1, 3);
    bad_sig["lines"][3]["sig"] = audit::make_seal(k.key(), k.id(), 2, k.record(2).hash).sig;
    json wrong_cover = json{{"kiosk_id", k.id()}, {"lines", {audit::to_json(k.record(1)), audit::to_json(k.record(2)),
                                                              audit::to_json(k.seal(1))}}};
    json seal_first = k.batch(1, 1);
    seal_first["lines"] = json::array({seal_first["lines"][1], seal_first["lines"][0], seal_first["lines"][1]});
    json other_kiosk = k.batch(1, 3);
    other_kiosk["kiosk_id"] = "court-9-kiosk-9";
    json skipped = k.batch(1, 3);
    skipped["lines"].erase(1);
    json float_event = k.batch(1, 1);
    float_event["lines"][0]["event"]["position_ms"] = 1.5;
    json string_seq = k.batch(1, 1);
    string_seq["lines"][0]["event"]["seq"] = "1";
    json huge_seq = k.batch(1, 1);
    huge_seq["lines"][0]["event"]["seq"] = 9223372036854775807ull;
    json bad_gap = k.batch(1, 3);
    bad_gap["gap_acknowledged"] = "yes";

    const std::vector<std::pair<std::string, std::string>> cases{
        {"", "not JSON"},
        {"{\"kiosk_id\":", "not JSON"},
        {"\xff\xfe{}", "not JSON"},
        {"{\"kiosk_id\":\"k\xc3\x28\",\"lines\":[]}", "not JSON"},
        {"[1,2,3]", "the body must be JSON"},
        {"{\"kiosk_id\":\"k\",\"lines\":[1e5000]}", "a number too large to read"},
        {"{\"lines\":[]}", "no kiosk_id"},
        {json{{"kiosk_id", 7}, {"lines", json::array()}}.dump(), "no kiosk_id"},
        {json{{"kiosk_id", std::string(300, 'k')}, {"lines", json::array()}}.dump(), "no kiosk_id"},
        {json{{"kiosk_id", "k"}}.dump(), "no lines array"},
        {json{{"kiosk_id", "k"}, {"lines", json::array()}}.dump(), "has no lines"},
        {json{{"kiosk_id", "k"}, {"lines", {1, "x", nullptr}}}.dump(), "line 1 is neither a record nor a seal"},
        {std::string(100000, '['), "nests deeper"},
        {"{\"kiosk_id\":\"k\",\"lines\":[" + std::string(40, '{') , "nests deeper"},
        {unsealed.dump(), "does not end with a seal"},
        {edited.dump(), "line 2 (record 2) does not check: its hash does not match its contents"},
        {bad_sig.dump(), "line 4 is a seal whose signature does not verify with the key it names"},
        {wrong_cover.dump(), "line 3 is a seal over record 1 that does not match record 2 just before it"},
        {seal_first.dump(), "line 1 is a seal that does not come right after a record"},
        {other_kiosk.dump(), "is an event of kiosk `court-3-kiosk-1`, not of `court-9-kiosk-9`"},
        {skipped.dump(), "line 2 (record 3) does not check: its sequence number is 3 where 2 was due"},
        {float_event.dump(), "not a whole number"},
        {string_seq.dump(), "line 1 (a record) does not check: its sequence number is missing"},
        {huge_seq.dump(), "its sequence number is too large"},
        {bad_gap.dump(), "gap_acknowledged must be true or false"},
    };
    int64_t refused = 0;
    for (const auto& [body, words] : cases) {
        INFO(body.substr(0, 200));
        const Answer r = post(data, serve.port, body);
        CHECK(r.status == 400);
        CHECK(r.body.value("error", "") == "bad_batch");
        INFO(r.body.dump());
        CHECK(r.body.value("message", "").find(words) != std::string::npos);
        ++refused;
    }

    SECTION("5000 lines are taken, 5001 are not") {
        Kiosk big("court-5-kiosk-1");
        for (int i = 0; i < 5000; ++i) big.add("frame.step", {{"details", {{"direction", "forward"}}}});
        Answer r = post(data, serve.port, big.batch(1, 5000));
        CHECK(r.status == 400);
        CHECK(r.body.value("message", "") == "the batch has 5001 lines: send at most 5000 per batch");
        r = post(data, serve.port, big.batch(1, 4999));
        CHECK(r.status == 200);
        CHECK(r.body == json{{"accepted", 4999}, {"duplicates", 0}, {"last_seq", 4999}});
        CHECK(count(data, "audit_events") == 4999);
        ++refused;
    }
    SECTION("a body over 16 MiB is refused before it is read") {
        const Answer r = post(data, serve.port, std::string(16 * 1024 * 1024 + 1, ' '));
        CHECK(r.status == 413);
        CHECK(r.body.value("error", "") == "too_large");
        CHECK(count(data, "audit_events") == 0);
    }
    SECTION("nothing of them is stored, each is a fault") {
        CHECK(count(data, "audit_events") == 0);
        CHECK(count(data, "audit_seals") == 0);
        CHECK(count(data, "audit_kiosks") == 0);
    }
    CHECK(count(data, "audit_faults", "kind = 'refused_bad_batch'") == refused);
    CHECK(count(data, "audit_faults", "kind NOT LIKE 'refused_%'") == 0);
    // The service is still there, and still takes a good batch.
    CHECK(post(data, serve.port, k.batch(1, 3)).body == json{{"accepted", 3}, {"duplicates", 0}, {"last_seq", 3}});
    // And it ends cleanly: under the sanitizers, any report on the way would make this fail.
    INFO(serve.log());
    CHECK(serve.stop() == 0);
}

TEST_CASE("audit: verify passes the stored trail and names each kind of tampering", "[audit]") {
    const Trail& t = stored_trail();
    auto v = cli({"audit", "verify", "--data", t.data});
    CHECK(v.exit_code == 0);
    CHECK(v.out == "10 events from 2 kiosks, 0 faults\n");

    const std::string data = copy_of_trail();
    const Kiosk& a = *t.a;
    const std::string in_a = " WHERE kiosk_id = 'court-3-kiosk-1' AND seq = ";
    std::vector<std::string> expected;  // lines verify must print (after the summary), in part
    int64_t events = 10;

    SECTION("an edited event text") {
        tamper(data, "UPDATE audit_events SET event = replace(event, '\"type\":\"play\"', '\"type\":\"pause\"')" + in_a + "3");
        expected = {"kiosk court-3-kiosk-1: record 3: its hash does not match its contents: it was edited",
                    "kiosk court-3-kiosk-1: record 3: its type column says `play` but its event says `pause`: the column was edited"};
    }
    SECTION("an edited event text that is no longer JSON") {
        tamper(data, "UPDATE audit_events SET event = substr(event, 1, 20)" + in_a + "3");
        expected = {"kiosk court-3-kiosk-1: record 3: its stored text is not an event (not a JSON object): it was edited"};
    }
    SECTION("an edited party column") {
        tamper(data, "UPDATE audit_events SET party = 'defence'" + in_a + "2");
        expected = {"kiosk court-3-kiosk-1: record 2: its party column says `defence` but its event says `cps`: the column was edited"};
    }
    SECTION("an edited share_id column") {
        tamper(data, "UPDATE audit_events SET share_id = NULL" + in_a + "4");
        expected = {"kiosk court-3-kiosk-1: record 4: its share_id column says nothing but its event says `" +
                    t.defence_share + "`: the column was edited"};
    }
    SECTION("a deleted event") {
        tamper(data, "DELETE FROM audit_events" + in_a + "2");
        expected = {"kiosk court-3-kiosk-1: record 2 is missing: deleted from the database"};
        events = 9;
    }
    SECTION("two events swapped") {
        tamper(data, "UPDATE audit_events SET seq = -2" + in_a + "2; UPDATE audit_events SET seq = 2" + in_a +
                         "4; UPDATE audit_events SET seq = 4" + in_a + "-2");
        expected = {"kiosk court-3-kiosk-1: record 2: its seq column says 2 but its event says 4: it was moved",
                    "kiosk court-3-kiosk-1: record 2 does not follow on from record 1: the chain is broken (a record was edited, removed or moved)",
                    "kiosk court-3-kiosk-1: record 3 does not follow on from record 2: the chain is broken (a record was edited, removed or moved)",
                    "kiosk court-3-kiosk-1: record 4: its seq column says 4 but its event says 2: it was moved",
                    "kiosk court-3-kiosk-1: record 4 does not follow on from record 3: the chain is broken (a record was edited, removed or moved)",
                    "kiosk court-3-kiosk-1: record 5 does not follow on from record 4: the chain is broken (a record was edited, removed or moved)"};
    }
    SECTION("the newest records deleted, their seal kept") {
        tamper(data, "DELETE FROM audit_events WHERE kiosk_id = 'court-3-kiosk-1' AND seq > 6");
        expected = {"kiosk court-3-kiosk-1: the seal over record 8 has no record 8: records were deleted (the trail was truncated)",
                    "kiosk court-3-kiosk-1: audit_kiosks says record 8 is the newest, but the newest stored is 6: records "
                    "were deleted (the trail was truncated) or the row was edited"};
        events = 8;
    }
    SECTION("the newest seal deleted") {
        tamper(data, "DELETE FROM audit_seals" + in_a + "8");
        expected = {"kiosk court-3-kiosk-1: records 7 to 8 come after the last seal, so nothing vouches for them: "
                    "seals were deleted (the trail was truncated)"};
    }
    SECTION("the newest records, their seal and the kiosk's head all cut back") {
        tamper(data, "DELETE FROM audit_events WHERE kiosk_id = 'court-3-kiosk-1' AND seq > 5; "
                     "DELETE FROM audit_seals WHERE kiosk_id = 'court-3-kiosk-1' AND seq > 5; "
                     "UPDATE audit_kiosks SET last_seq = 5, last_hash = " + sql_text(a.record(5).hash) +
                     " WHERE kiosk_id = 'court-3-kiosk-1'");
        expected = {"kiosk court-3-kiosk-1: records 4 to 5 come after the last seal, so nothing vouches for them: "
                    "seals were deleted (the trail was truncated)"};
        events = 7;
    }
    SECTION("a seal re-signed with another key") {
        const auto other = auth::SigningKey::generate();
        tamper(data, "UPDATE audit_seals SET sig = " + sql_text(a.seal(6, &other).sig) + in_a + "6");
        expected = {"kiosk court-3-kiosk-1: the seal over record 6 does not verify with the kiosk's pinned key: it "
                    "was re-signed with another key or edited"};
    }
    SECTION("a rewritten chain, re-hashed and re-signed with another key and pinned") {
        // Everything an intruder with the file can do without the kiosk's key: only the pinned key
        // stands in the way, and rewriting it too is caught by nothing but the kiosk's own journal.
        // So here the pinned key is left alone.
        const auto other = auth::SigningKey::generate();
        Kiosk forged("court-4-kiosk-1");
        forged.add("session.started");
        forged.add("play", {{"share_id", "sh_forged000000"}, {"party", "cps"}});
        const audit::Record& r2 = forged.record(2);
        tamper(data, "UPDATE audit_events SET id = " + sql_text(r2.id()) + ", share_id = 'sh_forged000000', event = " +
                         sql_text(r2.event.dump()) + ", prev = " + sql_text(r2.prev) + ", hash = " + sql_text(r2.hash) +
                         " WHERE kiosk_id = 'court-4-kiosk-1' AND seq = 2");
        tamper(data, "UPDATE audit_events SET id = " + sql_text(forged.record(1).id()) + ", event = " +
                         sql_text(forged.record(1).event.dump()) + ", hash = " + sql_text(forged.record(1).hash) +
                         " WHERE kiosk_id = 'court-4-kiosk-1' AND seq = 1");
        tamper(data, "UPDATE audit_seals SET head = " + sql_text(r2.hash) + ", sig = " +
                         sql_text(forged.seal(2, &other).sig) + " WHERE kiosk_id = 'court-4-kiosk-1' AND seq = 2");
        tamper(data, "UPDATE audit_kiosks SET last_hash = " + sql_text(r2.hash) + " WHERE kiosk_id = 'court-4-kiosk-1'");
        expected = {"kiosk court-4-kiosk-1: the seal over record 2 does not verify with the kiosk's pinned key: it "
                    "was re-signed with another key or edited"};
    }
    SECTION("a recorded gap") {
        tamper(data, "INSERT INTO audit_faults(at, kiosk_id, kind, detail, seq_from, seq_to) VALUES(0, "
                     "'court-4-kiosk-1', 'gap', 'records 9 to 10 never reached the service', 9, 10)");
        expected = {"kiosk court-4-kiosk-1: records 9 to 10 never reached the service (recorded 1970-01-01T00:00:00Z)"};
    }

    v = cli({"audit", "verify", "--data", data});
    INFO(v.out << v.err);
    CHECK(v.exit_code == 1);
    auto out = lines_of(v.out);
    REQUIRE(!out.empty());
    CHECK(out[0] == std::to_string(events) + " events from 2 kiosks, " + std::to_string(expected.size()) + " faults");
    out.erase(out.begin());
    CHECK(out == expected);
}

TEST_CASE("audit: export gives each party only its own shares' events, court all, as the kiosk wrote them", "[audit]") {
    const Trail& t = stored_trail();
    auto exported = [&](std::vector<std::string> extra) {
        std::vector<std::string> args{"audit", "export", "--data", t.data};
        args.insert(args.end(), extra.begin(), extra.end());
        return cli(args);
    };

    const auto court = exported({"--party", "court"});
    CHECK(court.exit_code == 0);
    CHECK(exported_ids(court) == t.all_ids);
    // Each line is the event exactly as the kiosk hashed it.
    const auto court_lines = lines_of(court.out);
    REQUIRE(court_lines.size() == 10);
    for (int64_t s = 1; s <= 8; ++s) CHECK(court_lines[static_cast<size_t>(s - 1)] == t.a->record(s).event.dump());

    const auto cps = exported({"--party", "cps"});
    CHECK(cps.exit_code == 0);
    CHECK(exported_ids(cps) == t.cps_ids);
    const auto defence = exported({"--party", "defence"});
    CHECK(defence.exit_code == 0);
    CHECK(exported_ids(defence) == t.defence_ids);
    // No defence share's event reaches the CPS, and the reverse; no share-less event reaches either.
    for (const std::string& id : t.defence_ids) CHECK(cps.out.find(id) == std::string::npos);
    for (const std::string& id : t.cps_ids) CHECK(defence.out.find(id) == std::string::npos);
    for (const std::string& id : t.court_only_ids) {
        CHECK(cps.out.find(id) == std::string::npos);
        CHECK(defence.out.find(id) == std::string::npos);
    }
    CHECK(cps.out.find(t.defence_share) == std::string::npos);
    CHECK(defence.out.find(t.cps_share) == std::string::npos);

    SECTION("--share of the asking party") {
        const auto r = exported({"--party", "cps", "--share", t.cps_share});
        CHECK(r.exit_code == 0);
        CHECK(exported_ids(r) == std::vector<std::string>{t.a->record(2).id(), t.a->record(3).id(),
                                                          t.a->record(8).id(), t.b->record(2).id()});
        const auto c = exported({"--party", "court", "--share", t.defence_share});
        CHECK(c.exit_code == 0);
        CHECK(exported_ids(c) == std::vector<std::string>{t.a->record(4).id(), t.a->record(5).id()});
    }
    SECTION("--share of another party is refused") {
        auto r = exported({"--party", "defence", "--share", t.cps_share});
        CHECK(r.exit_code == 4);
        CHECK(r.out.empty());
        CHECK(r.err == "courtplay-server: share " + t.cps_share + " is a CPS share: its audit goes to the CPS and "
                       "court administration (--party court), not to the defence\n");
        r = exported({"--party", "cps", "--share", t.defence_share});
        CHECK(r.exit_code == 4);
        CHECK(r.out.empty());
        CHECK(r.err.find("is a defence share") != std::string::npos);
        // A share the database does not know: the events' own party decides.
        r = exported({"--party", "cps", "--share", "sh_unknown0000"});
        CHECK(r.exit_code == 4);
        CHECK(r.out.empty());
        r = exported({"--party", "defence", "--share", "sh_unknown0000"});
        CHECK(r.exit_code == 0);
        CHECK(exported_ids(r) == std::vector<std::string>{t.a->record(7).id()});
    }
    SECTION("an unknown party is a command-line mistake") {
        const auto r = exported({"--party", "judge"});
        CHECK(r.exit_code == 2);
        CHECK(r.out.empty());
        CHECK(r.err == "courtplay-server: --party `judge` is not one this export knows: give cps, defence or court\n");
    }
    SECTION("a party column edited in the database does not move an event to another party") {
        const std::string data = copy_of_trail();
        tamper(data, "UPDATE audit_events SET party = 'cps', share_id = " + sql_text(t.cps_share) +
                         " WHERE kiosk_id = 'court-3-kiosk-1' AND seq = 5");
        const auto r = cli({"audit", "export", "--data", data, "--party", "cps"});
        CHECK(r.exit_code == 0);
        CHECK(exported_ids(r) == t.cps_ids);
    }
}
