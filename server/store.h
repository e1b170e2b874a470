// The service's database (DIR/share.db): clips, shares, redemptions and failed redemptions.
// A share's token is never stored, only its SHA-256; the same for the access tokens handed out at
// redemption. One Store is shared by the service's request threads: every call takes db_mutex_.
#pragma once

#include "auth/grant.h"
#include "server/sqlite.h"

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace courtplay::server {

struct ClipRecord {
    std::string id;  // "cl_..."
    std::string title;
    std::string file;  // name inside DIR/clips/
    std::string sha256;
    int64_t bytes = 0;
    int64_t duration_ms = 0;
    std::string recorded_at;  // ISO 8601 UTC or empty
    std::string device;
    int64_t added_at = 0;
};

struct ShareClip {
    std::string clip_id;
    auth::Perms perms;
    std::optional<auth::Segment> segment;
};

struct ShareRecord {
    std::string id;  // "sh_..."
    std::string token_sha256;
    auth::Party party = auth::Party::cps;
    std::string case_ref;
    std::optional<std::string> kiosk;
    bool reshare = false;
    int64_t created_at = 0, expires_at = 0;
    std::optional<int64_t> revoked_at;
    std::optional<std::string> parent_id;  // the share an onward share narrows
    std::vector<ShareClip> clips;          // in the order given

    const ShareClip* find_clip(std::string_view clip_id) const;
};

enum class ShareState { active, revoked, expired };
ShareState share_state(const ShareRecord& s, int64_t now);
const char* share_state_name(ShareState s);  // "active", "revoked", "expired"

// An access token handed out with a grant (by its hash).
struct AccessRecord {
    std::string share_id, grant_id;
    int64_t issued_at = 0, expires_at = 0;
};

class Store {
public:
    // A new, empty database with the schema; the file must not exist.
    static Store create(const std::filesystem::path& file);
    // An existing database.
    static Store open(const std::filesystem::path& file);

    void set_setting(const std::string& key, const std::string& value);
    std::optional<std::string> setting(const std::string& key);

    void add_clip(const ClipRecord& c);
    std::optional<ClipRecord> find_clip(const std::string& id);
    std::vector<ClipRecord> list_clips();

    void add_share(const ShareRecord& s);
    std::optional<ShareRecord> find_share(const std::string& id);
    std::optional<ShareRecord> find_share_by_token_hash(const std::string& token_sha256);
    std::vector<ShareRecord> list_shares();
    // Revokes the share and, transitively, every onward share made from it that is not revoked yet.
    // Returns the ids of the onward shares revoked now (not the share itself).
    std::vector<std::string> revoke_share(const std::string& id, int64_t at);

    void add_access(const std::string& token_sha256, const AccessRecord& a, const std::string& kiosk,
                    const std::string& address);
    std::optional<AccessRecord> find_access(const std::string& token_sha256);

    // A failed redemption: never the token, only the first 4 hex digits of its hash.
    void record_failure(int64_t at, const std::string& address, const std::string& reason,
                        const std::string& token_hash_prefix);

    Store(Store&&) = default;

private:
    explicit Store(const std::filesystem::path& file, bool create);
    std::optional<ShareRecord> find_share_where(const char* sql, const std::string& value);  // holds db_mutex_
    std::vector<ShareClip> share_clips(const std::string& share_id);                         // holds db_mutex_

    std::unique_ptr<std::mutex> db_mutex_;  // guards db_ (a unique_ptr so the Store can move)
    sqlite::Connection db_;
};

}  // namespace courtplay::server
