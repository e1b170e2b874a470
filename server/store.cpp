#include "server/store.h"

#include <stdexcept>

namespace courtplay::server {
namespace {

// Version 1. Times are Unix seconds (UTC). Perms are the CSV auth::perms_csv writes.
constexpr const char* kSchema = R"sql(
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE clips (
  id          TEXT PRIMARY KEY,
  title       TEXT NOT NULL,
  file        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  bytes       INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL,
  recorded_at TEXT NOT NULL,
  device      TEXT NOT NULL,
  added_at    INTEGER NOT NULL
);
CREATE TABLE shares (
  id           TEXT PRIMARY KEY,
  token_sha256 TEXT NOT NULL UNIQUE,
  party        TEXT NOT NULL,
  case_ref     TEXT NOT NULL,
  kiosk        TEXT,
  reshare      INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  revoked_at   INTEGER,
  parent_id    TEXT REFERENCES shares(id)
);
CREATE INDEX shares_parent ON shares(parent_id);
CREATE TABLE share_clips (
  share_id   TEXT NOT NULL REFERENCES shares(id),
  clip_id    TEXT NOT NULL REFERENCES clips(id),
  position   INTEGER NOT NULL,
  perms      TEXT NOT NULL,
  seg_in_ms  INTEGER,
  seg_out_ms INTEGER,
  PRIMARY KEY (share_id, clip_id)
);
CREATE TABLE redemptions (
  access_sha256 TEXT PRIMARY KEY,
  share_id      TEXT NOT NULL REFERENCES shares(id),
  grant_id      TEXT NOT NULL UNIQUE,
  kiosk         TEXT NOT NULL,
  address       TEXT NOT NULL,
  issued_at     INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL
);
CREATE TABLE redeem_failures (
  id                INTEGER PRIMARY KEY,
  at                INTEGER NOT NULL,
  address           TEXT NOT NULL,
  reason            TEXT NOT NULL,
  token_hash_prefix TEXT NOT NULL
);
CREATE INDEX redeem_failures_at ON redeem_failures(at);
PRAGMA user_version = 1;
)sql";

constexpr const char* kShareColumns =
    "SELECT id, token_sha256, party, case_ref, kiosk, reshare, created_at, expires_at, revoked_at, parent_id "
    "FROM shares ";

ShareRecord read_share(const sqlite::Statement& q) {
    ShareRecord s;
    s.id = q.text(0);
    s.token_sha256 = q.text(1);
    const auto party = auth::parse_party(q.text(2));
    if (!party) throw sqlite::DbError("database: share " + s.id + " has an unknown party `" + q.text(2) + "`");
    s.party = *party;
    s.case_ref = q.text(3);
    s.kiosk = q.optional_text(4);
    s.reshare = q.int64(5) != 0;
    s.created_at = q.int64(6);
    s.expires_at = q.int64(7);
    s.revoked_at = q.optional_int64(8);
    s.parent_id = q.optional_text(9);
    return s;
}

ClipRecord read_clip(const sqlite::Statement& q) {
    ClipRecord c;
    c.id = q.text(0);
    c.title = q.text(1);
    c.file = q.text(2);
    c.sha256 = q.text(3);
    c.bytes = q.int64(4);
    c.duration_ms = q.int64(5);
    c.recorded_at = q.text(6);
    c.device = q.text(7);
    c.added_at = q.int64(8);
    return c;
}

constexpr const char* kClipColumns =
    "SELECT id, title, file, sha256, bytes, duration_ms, recorded_at, device, added_at FROM clips ";

}  // namespace

const ShareClip* ShareRecord::find_clip(std::string_view clip_id) const {
    for (const ShareClip& c : clips) {
        if (c.clip_id == clip_id) return &c;
    }
    return nullptr;
}

ShareState share_state(const ShareRecord& s, int64_t now) {
    if (s.revoked_at) return ShareState::revoked;
    if (now >= s.expires_at) return ShareState::expired;
    return ShareState::active;
}

const char* share_state_name(ShareState s) {
    switch (s) {
    case ShareState::active: return "active";
    case ShareState::revoked: return "revoked";
    case ShareState::expired: return "expired";
    }
    return "?";
}

Store::Store(const std::filesystem::path& file, bool create)
    : db_mutex_(std::make_unique<std::mutex>()), db_(file, create) {
    if (create) {
        db_.exec_script(kSchema);
        return;
    }
    auto q = db_.prepare("PRAGMA user_version");
    if (!q.step() || q.int64(0) != 1) {
        throw sqlite::DbError(file.string() + " is not a courtplay-server database this version can read");
    }
}

Store Store::create(const std::filesystem::path& file) {
    if (std::filesystem::exists(file)) throw sqlite::DbError("the database " + file.string() + " already exists");
    return Store(file, true);
}

Store Store::open(const std::filesystem::path& file) {
    if (!std::filesystem::exists(file)) throw sqlite::DbError("there is no database at " + file.string());
    return Store(file, false);
}

void Store::set_setting(const std::string& key, const std::string& value) {
    std::lock_guard lock(*db_mutex_);
    db_.prepare("INSERT INTO settings(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2")
        .bind(1, key)
        .bind(2, value)
        .run();
}

std::optional<std::string> Store::setting(const std::string& key) {
    std::lock_guard lock(*db_mutex_);
    auto q = db_.prepare("SELECT value FROM settings WHERE key = ?1");
    q.bind(1, key);
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

void Store::add_clip(const ClipRecord& c) {
    std::lock_guard lock(*db_mutex_);
    db_.prepare("INSERT INTO clips(id, title, file, sha256, bytes, duration_ms, recorded_at, device, added_at) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        .bind(1, c.id)
        .bind(2, c.title)
        .bind(3, c.file)
        .bind(4, c.sha256)
        .bind(5, c.bytes)
        .bind(6, c.duration_ms)
        .bind(7, c.recorded_at)
        .bind(8, c.device)
        .bind(9, c.added_at)
        .run();
}

std::optional<ClipRecord> Store::find_clip(const std::string& id) {
    std::lock_guard lock(*db_mutex_);
    auto q = db_.prepare(std::string(kClipColumns).append("WHERE id = ?1"));
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_clip(q);
}

std::vector<ClipRecord> Store::list_clips() {
    std::lock_guard lock(*db_mutex_);
    auto q = db_.prepare(std::string(kClipColumns).append("ORDER BY added_at, id"));
    std::vector<ClipRecord> out;
    while (q.step()) out.push_back(read_clip(q));
    return out;
}

void Store::add_share(const ShareRecord& s) {
    std::lock_guard lock(*db_mutex_);
    sqlite::Transaction tx(db_);
    db_.prepare("INSERT INTO shares(id, token_sha256, party, case_ref, kiosk, reshare, created_at, expires_at, "
                "revoked_at, parent_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
        .bind(1, s.id)
        .bind(2, s.token_sha256)
        .bind(3, std::string_view(auth::party_name(s.party)))
        .bind(4, s.case_ref)
        .bind(5, s.kiosk)
        .bind(6, int64_t{s.reshare ? 1 : 0})
        .bind(7, s.created_at)
        .bind(8, s.expires_at)
        .bind(9, s.revoked_at)
        .bind(10, s.parent_id)
        .run();
    int64_t position = 0;
    for (const ShareClip& c : s.clips) {
        std::optional<int64_t> in, out;
        if (c.segment) {
            in = c.segment->in_ms;
            out = c.segment->out_ms;
        }
        db_.prepare("INSERT INTO share_clips(share_id, clip_id, position, perms, seg_in_ms, seg_out_ms) "
                    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
            .bind(1, s.id)
            .bind(2, c.clip_id)
            .bind(3, position++)
            .bind(4, auth::perms_csv(c.perms))
            .bind(5, in)
            .bind(6, out)
            .run();
    }
    tx.commit();
}

std::vector<ShareClip> Store::share_clips(const std::string& share_id) {
    auto q = db_.prepare(
        "SELECT clip_id, perms, seg_in_ms, seg_out_ms FROM share_clips WHERE share_id = ?1 ORDER BY position");
    q.bind(1, share_id);
    std::vector<ShareClip> out;
    while (q.step()) {
        ShareClip c;
        c.clip_id = q.text(0);
        const auto perms = auth::parse_perms(q.text(1));
        if (!perms) throw sqlite::DbError("database: share " + share_id + " has unknown permissions `" + q.text(1) + "`");
        c.perms = *perms;
        if (!q.is_null(2) && !q.is_null(3)) c.segment = auth::Segment{q.int64(2), q.int64(3)};
        out.push_back(std::move(c));
    }
    return out;
}

std::optional<ShareRecord> Store::find_share_where(const char* where, const std::string& value) {
    auto q = db_.prepare(std::string(kShareColumns) + where);
    q.bind(1, value);
    if (!q.step()) return std::nullopt;
    ShareRecord s = read_share(q);
    s.clips = share_clips(s.id);
    return s;
}

std::optional<ShareRecord> Store::find_share(const std::string& id) {
    std::lock_guard lock(*db_mutex_);
    return find_share_where("WHERE id = ?1", id);
}

std::optional<ShareRecord> Store::find_share_by_token_hash(const std::string& token_sha256) {
    std::lock_guard lock(*db_mutex_);
    return find_share_where("WHERE token_sha256 = ?1", token_sha256);
}

std::vector<ShareRecord> Store::list_shares() {
    std::lock_guard lock(*db_mutex_);
    auto q = db_.prepare(std::string(kShareColumns).append("ORDER BY created_at, id"));
    std::vector<ShareRecord> out;
    while (q.step()) out.push_back(read_share(q));
    for (ShareRecord& s : out) s.clips = share_clips(s.id);
    return out;
}

std::vector<std::string> Store::revoke_share(const std::string& id, int64_t at) {
    std::lock_guard lock(*db_mutex_);
    sqlite::Transaction tx(db_);
    db_.prepare("UPDATE shares SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL").bind(1, id).bind(2, at).run();
    // Walk down the onward shares breadth-first; the parent links form a tree, so this ends.
    std::vector<std::string> revoked, frontier{id};
    while (!frontier.empty()) {
        std::vector<std::string> next;
        for (const std::string& parent : frontier) {
            auto q = db_.prepare("SELECT id, revoked_at FROM shares WHERE parent_id = ?1 ORDER BY created_at, id");
            q.bind(1, parent);
            while (q.step()) {
                if (q.is_null(1)) revoked.push_back(q.text(0));
                next.push_back(q.text(0));
            }
        }
        frontier = std::move(next);
    }
    for (const std::string& child : revoked) {
        db_.prepare("UPDATE shares SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
            .bind(1, child)
            .bind(2, at)
            .run();
    }
    tx.commit();
    return revoked;
}

void Store::add_access(const std::string& token_sha256, const AccessRecord& a, const std::string& kiosk,
                       const std::string& address) {
    std::lock_guard lock(*db_mutex_);
    db_.prepare("INSERT INTO redemptions(access_sha256, share_id, grant_id, kiosk, address, issued_at, expires_at) "
                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, token_sha256)
        .bind(2, a.share_id)
        .bind(3, a.grant_id)
        .bind(4, kiosk)
        .bind(5, address)
        .bind(6, a.issued_at)
        .bind(7, a.expires_at)
        .run();
}

std::optional<AccessRecord> Store::find_access(const std::string& token_sha256) {
    std::lock_guard lock(*db_mutex_);
    auto q = db_.prepare("SELECT share_id, grant_id, issued_at, expires_at FROM redemptions WHERE access_sha256 = ?1");
    q.bind(1, token_sha256);
    if (!q.step()) return std::nullopt;
    return AccessRecord{q.text(0), q.text(1), q.int64(2), q.int64(3)};
}

void Store::record_failure(int64_t at, const std::string& address, const std::string& reason,
                           const std::string& token_hash_prefix) {
    std::lock_guard lock(*db_mutex_);
    db_.prepare("INSERT INTO redeem_failures(at, address, reason, token_hash_prefix) VALUES(?1, ?2, ?3, ?4)")
        .bind(1, at)
        .bind(2, address)
        .bind(3, reason)
        .bind(4, token_hash_prefix)
        .run();
}

}  // namespace courtplay::server
