// The encrypted evidence cache: clips a grant lets this kiosk keep, stored so that nobody can read
// them off the disk and nothing altered is ever played. entry_format.h has the layout;
// docs/cache.md the rules.
//
// An entry is either complete (every byte stored and the whole clip's SHA-256 matched the grant,
// then flushed to disk before the manifest said so) or partial (resumed or discarded later).
// Killing the kiosk at any moment cannot leave a partial entry marked complete.
//
// Purged, manifest first (which makes the chunks unreadable at once): at the grant's expiry, when
// the share is revoked, when a session ends (unless the config keeps the cache for the hearing),
// least recently used first above the size limit, and when an entry is found damaged. Every purge
// is reported to the PurgeSink (the audit journal, later).
#pragma once

#include "cache/cached_source.h"
#include "cache/clip_writer.h"
#include "cache/entry_format.h"
#include "cache/kiosk_key.h"
#include "config/kiosk_config.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace courtplay::cache {

// What the grant says about a clip that is to be cached.
struct ClipRef {
    std::string share_id, clip_id, title;
    std::string sha256;
    int64_t bytes = 0;
    std::string party, case_ref;
    int64_t expires_at = 0;
    std::string token_digest;
    std::string grant_jws;  // the grant as signed
};

enum class PurgeReason { expired, revoked, session_ended, size_limit, damaged, not_original, requested };
const char* purge_reason_code(PurgeReason r);   // "expired", ... for programs and the journal
const char* purge_reason_words(PurgeReason r);  // "the share expired", ... for people

// One clip in the cache, as `cache list` shows it (never its key).
struct CachedClip {
    std::string name;            // the entry's folder
    bool damaged = false;        // its manifest cannot be opened: nothing else is known
    std::string share_id, clip_id, title, sha256, party, case_ref;
    int64_t bytes = 0;           // the clip's length
    int64_t stored_bytes = 0;    // what it takes on disk now
    int64_t expires_at = 0, keep_until = 0, stored_at = 0, verified_at = 0, last_used = 0;
    bool complete = false;
};

struct PurgeRecord {
    CachedClip clip;
    PurgeReason why;
};

class PurgeSink {
public:
    virtual ~PurgeSink() = default;
    virtual void purged(const PurgeRecord& record) = 0;
};

class EvidenceCache {
public:
    // Makes the folder (0700) and the kiosk key when missing, and clears debris a crash left
    // (a folder with no manifest). Throws CacheError.
    EvidenceCache(const config::CacheConfig& cfg, PurgeSink* sink);

    std::vector<CachedClip> list() const;  // oldest use first
    int64_t used_bytes() const;
    int64_t limit_bytes() const { return limit_bytes_; }

    enum class State { absent, partial, complete, damaged };
    State state(const ClipRef& clip) const;

    // A complete entry, ready to play without the network, and marked as just used. Null when the
    // clip is not (completely) cached; a damaged entry is purged and null returned.
    std::unique_ptr<CachedSource> open(const ClipRef& clip);

    // Starts storing the clip, or resumes a partial entry after checking what it already holds.
    // Makes room first (least recently used entries go). Throws CacheError: another process is
    // storing it, the clip is larger than the limit, or the disk has not enough space.
    std::unique_ptr<ClipWriter> store(const ClipRef& clip);

    // Each returns how many entries went. An entry being stored by another process is skipped.
    int purge_all(PurgeReason why);
    int purge_share(const std::string& share_id, PurgeReason why);
    int purge_clip(const ClipRef& clip, PurgeReason why);
    int purge_token(const std::string& token_digest, PurgeReason why);
    // The signed grant kept with the complete entries stored under this share code (the newest),
    // so that a session without the network can verify it again; nullopt when there is none.
    std::optional<std::string> grant_for(const std::string& token_digest) const;
    // Expired grants, lapsed keep_until, damaged entries; then the size limit.
    int purge_by_policy(int64_t now);
    // After a session: its clips go, or stay until `until` (never beyond their grant's expiry).
    void keep_share_until(const std::string& share_id, int64_t until);

    const std::filesystem::path& dir() const { return dir_; }

private:
    CachedClip describe(const std::string& name) const;
    std::optional<Manifest> load_manifest(const std::string& name) const;
    void save_manifest(const std::string& name, const Manifest& m) const;
    int purge_if(const std::function<bool(const CachedClip&)>& pred, PurgeReason why);
    bool purge_entry(const CachedClip& clip, PurgeReason why);
    void make_room(int64_t needed, const std::string& except);
    void check_free_space(int64_t needed, const std::string& title) const;

    std::filesystem::path dir_;
    int64_t limit_bytes_;
    SecretKey names_key_, manifest_key_;
    PurgeSink* sink_;
};

}  // namespace courtplay::cache
