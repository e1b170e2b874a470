#include "cache/evidence_cache.h"

#include "auth/court_time.h"
#include "auth/keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace courtplay::cache {
namespace fs = std::filesystem;

namespace {
constexpr size_t kManifestLimit = 64 * 1024;
const char* const kManifest = "manifest";
const char* const kData = "clip.enc";

int64_t mtime_of(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? int64_t(st.st_mtim.tv_sec) : 0;
}

int64_t size_of(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? int64_t(st.st_size) : 0;
}

std::string megabytes(int64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MB"; }

bool is_entry_name(const std::string& s) {
    return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}
}  // namespace

const char* purge_reason_code(PurgeReason r) {
    switch (r) {
        case PurgeReason::expired: return "expired";
        case PurgeReason::revoked: return "revoked";
        case PurgeReason::session_ended: return "session_ended";
        case PurgeReason::size_limit: return "size_limit";
        case PurgeReason::damaged: return "damaged";
        case PurgeReason::not_original: return "not_original";
        case PurgeReason::requested: return "requested";
    }
    return "unknown";
}

const char* purge_reason_words(PurgeReason r) {
    switch (r) {
        case PurgeReason::expired: return "the share expired";
        case PurgeReason::revoked: return "the share was revoked";
        case PurgeReason::session_ended: return "the session ended";
        case PurgeReason::size_limit: return "the cache was over its size limit (least recently used first)";
        case PurgeReason::damaged: return "the cached copy is damaged";
        case PurgeReason::not_original: return "the bytes were not the original clip";
        case PurgeReason::requested: return "court IT asked for it";
    }
    return "unknown";
}

EvidenceCache::EvidenceCache(const config::CacheConfig& cfg, PurgeSink* sink)
    : dir_(cfg.dir), limit_bytes_(cfg.max_size_mb << 20), sink_(sink) {
    const SecretKey kiosk_key = load_or_create_kiosk_key(cfg.key_file);
    names_key_ = kiosk_key.derive("courtplay cache: entry names");
    manifest_key_ = kiosk_key.derive("courtplay cache: manifests");
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (ec) throw CacheError("the cache folder " + dir_.string() + " cannot be made (" + ec.message() + ")");
    if (::chmod(dir_.c_str(), 0700) != 0)
        throw CacheError("the cache folder " + dir_.string() + " cannot be made private (" + files::errno_words(errno) + ")");
    // Debris of a crash: a folder whose manifest was never written holds nothing readable.
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        const std::string name = e.path().filename().string();
        if (!is_entry_name(name) || fs::exists(e.path() / kManifest)) continue;
        if (files::Fd lock = files::try_lock_folder(e.path())) fs::remove_all(e.path(), ec);
    }
}

std::optional<Manifest> EvidenceCache::load_manifest(const std::string& name) const {
    const std::vector<uint8_t> sealed = files::read_small(dir_ / name / kManifest, kManifestLimit);
    Aead aead(manifest_key_);
    return open_manifest(sealed, aead, name);
}

void EvidenceCache::save_manifest(const std::string& name, const Manifest& m) const {
    Aead aead(manifest_key_);
    const std::vector<uint8_t> sealed = seal_manifest(m, aead, name);
    try {
        auth::write_file_atomic(dir_ / name / kManifest,
                                std::string_view(reinterpret_cast<const char*>(sealed.data()), sealed.size()), 0600);
    } catch (const std::exception& e) {
        throw CacheError(std::string("the cache cannot record a clip: ") + e.what());
    }
}

CachedClip EvidenceCache::describe(const std::string& name) const {
    CachedClip c;
    c.name = name;
    const fs::path folder = dir_ / name;
    c.stored_bytes = size_of(folder / kData) + size_of(folder / kManifest);
    c.last_used = mtime_of(folder / kManifest);
    const std::optional<Manifest> m = load_manifest(name);
    if (!m) {
        c.damaged = true;
        return c;
    }
    c.share_id = m->share_id, c.clip_id = m->clip_id, c.title = m->title, c.sha256 = m->sha256;
    c.party = m->party, c.case_ref = m->case_ref, c.bytes = m->bytes;
    c.expires_at = m->expires_at, c.keep_until = m->keep_until;
    c.stored_at = m->stored_at, c.verified_at = m->verified_at;
    // Complete only if the file is as long as the manifest promises: a cut file is damaged.
    c.complete = m->complete;
    if (m->complete && size_of(folder / kData) != stored_size(m->bytes, m->chunk_size)) c.damaged = true;
    return c;
}

std::vector<CachedClip> EvidenceCache::list() const {
    std::vector<CachedClip> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_, ec)) {
        const std::string name = e.path().filename().string();
        if (is_entry_name(name) && fs::exists(e.path() / kManifest)) out.push_back(describe(name));
    }
    std::sort(out.begin(), out.end(), [](const CachedClip& a, const CachedClip& b) {
        return a.last_used != b.last_used ? a.last_used < b.last_used : a.name < b.name;
    });
    return out;
}

int64_t EvidenceCache::used_bytes() const {
    int64_t sum = 0;
    for (const CachedClip& c : list()) sum += c.stored_bytes;
    return sum;
}

EvidenceCache::State EvidenceCache::state(const ClipRef& clip) const {
    const std::string name = entry_name(names_key_, clip.share_id, clip.clip_id, clip.sha256);
    if (!fs::exists(dir_ / name / kManifest)) return State::absent;
    const CachedClip c = describe(name);
    if (c.damaged) return State::damaged;
    if (c.sha256 != clip.sha256 || c.bytes != clip.bytes) return State::damaged;
    return c.complete ? State::complete : State::partial;
}

std::unique_ptr<CachedSource> EvidenceCache::open(const ClipRef& clip) {
    const std::string name = entry_name(names_key_, clip.share_id, clip.clip_id, clip.sha256);
    const fs::path folder = dir_ / name;
    if (!fs::exists(folder / kManifest)) return nullptr;
    const CachedClip c = describe(name);
    std::optional<Manifest> m = load_manifest(name);
    if (c.damaged || !m || m->sha256 != clip.sha256 || m->bytes != clip.bytes) {
        purge_entry(c, PurgeReason::damaged);
        return nullptr;
    }
    if (!m->complete) return nullptr;
    files::Fd data(::open((folder / kData).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!data) {
        purge_entry(c, PurgeReason::damaged);
        return nullptr;
    }
    ::utimensat(AT_FDCWD, (folder / kManifest).c_str(), nullptr, 0);  // just used: last to go
    return std::make_unique<CachedSource>(std::move(data), name, std::move(*m));
}

std::unique_ptr<ClipWriter> EvidenceCache::store(const ClipRef& clip) {
    const std::string name = entry_name(names_key_, clip.share_id, clip.clip_id, clip.sha256);
    const fs::path folder = dir_ / name;
    const bool made = ::mkdir(folder.c_str(), 0700) == 0;
    if (!made && errno != EEXIST)
        throw CacheError("the cache folder " + dir_.string() + " cannot be written (" + files::errno_words(errno) + ")");
    files::Fd lock = files::try_lock_folder(folder);
    if (!lock) throw CacheError("another courtplay on this kiosk is storing clip \"" + clip.title + "\" now");

    std::optional<Manifest> m = load_manifest(name);
    const bool resumable = m && !m->complete && m->sha256 == clip.sha256 && m->bytes == clip.bytes;
    const int64_t have = resumable ? size_of(folder / kData) : 0;
    try {
        make_room(stored_size(clip.bytes, kChunkBytes) - have, name);
        check_free_space(stored_size(clip.bytes, kChunkBytes) - have, clip.title);
    } catch (const CacheError&) {
        if (made) fs::remove_all(folder);
        throw;
    }
    if (!resumable) {
        // Nothing to resume: start again with a fresh key, the manifest before any chunk.
        ::unlink((folder / kData).c_str());
        m = Manifest{};
        m->share_id = clip.share_id, m->clip_id = clip.clip_id, m->title = clip.title;
        m->sha256 = clip.sha256, m->bytes = clip.bytes, m->party = clip.party, m->case_ref = clip.case_ref;
        m->token_digest = clip.token_digest;
        m->data_key = SecretKey::random();
        m->stored_at = auth::unix_now();
    }
    m->expires_at = clip.expires_at;  // a share redeemed again may carry a later expiry
    m->grant_jws = clip.grant_jws;    // and its newest grant
    save_manifest(name, *m);

    auto save = [this, name](const Manifest& done) { save_manifest(name, done); };
    auto discard = [this, name] { purge_entry(describe(name), PurgeReason::not_original); };
    return std::make_unique<ClipWriter>(folder / kData, name, std::move(*m), std::move(lock), save, discard);
}

void EvidenceCache::check_free_space(int64_t needed, const std::string& title) const {
    struct statvfs vfs {};
    if (::statvfs(dir_.c_str(), &vfs) != 0) return;  // the writes will say what is wrong
    const int64_t free_bytes = int64_t(vfs.f_bavail) * int64_t(vfs.f_frsize);
    if (needed > free_bytes)
        throw CacheError("the disk holding the cache (" + dir_.string() + ") has " + megabytes(free_bytes) +
                         " free and clip \"" + title + "\" needs " + megabytes(needed) +
                         ". Court IT: free space on it, or play this clip streamed");
}

bool EvidenceCache::purge_entry(const CachedClip& clip, PurgeReason why) {
    const fs::path folder = dir_ / clip.name;
    // Manifest first: with the clip's key gone the chunks are unreadable, whatever happens next.
    if (::unlink((folder / kManifest).c_str()) != 0 && errno != ENOENT) return false;
    files::fsync_dir(folder);
    std::error_code ec;
    fs::remove_all(folder, ec);
    files::fsync_dir(dir_);
    if (sink_) sink_->purged({clip, why});
    return true;
}

int EvidenceCache::purge_if(const std::function<bool(const CachedClip&)>& pred, PurgeReason why) {
    int n = 0;
    for (const CachedClip& c : list()) {
        if (!pred(c)) continue;
        files::Fd lock = files::try_lock_folder(dir_ / c.name);
        if (!lock) continue;  // being stored right now by another process
        if (purge_entry(c, why)) ++n;
    }
    return n;
}

int EvidenceCache::purge_all(PurgeReason why) {
    return purge_if([](const CachedClip&) { return true; }, why);
}

int EvidenceCache::purge_share(const std::string& share_id, PurgeReason why) {
    return purge_if([&](const CachedClip& c) { return !c.damaged && c.share_id == share_id; }, why);
}

int EvidenceCache::purge_clip(const ClipRef& clip, PurgeReason why) {
    const std::string name = entry_name(names_key_, clip.share_id, clip.clip_id, clip.sha256);
    return purge_if([&](const CachedClip& c) { return c.name == name; }, why);
}

int EvidenceCache::purge_token(const std::string& token_digest, PurgeReason why) {
    if (token_digest.empty()) return 0;
    int n = 0;
    for (const CachedClip& c : list()) {
        if (c.damaged) continue;
        const std::optional<Manifest> m = load_manifest(c.name);
        if (m && m->token_digest == token_digest) {
            files::Fd lock = files::try_lock_folder(dir_ / c.name);
            if (lock && purge_entry(c, why)) ++n;
        }
    }
    return n;
}

std::optional<std::string> EvidenceCache::grant_for(const std::string& token_digest) const {
    if (token_digest.empty()) return std::nullopt;
    std::optional<std::string> newest;
    int64_t newest_at = -1;
    for (const CachedClip& c : list()) {
        if (c.damaged || !c.complete) continue;
        const std::optional<Manifest> m = load_manifest(c.name);
        if (m && m->token_digest == token_digest && !m->grant_jws.empty() && m->stored_at > newest_at) {
            newest = m->grant_jws;
            newest_at = m->stored_at;
        }
    }
    return newest;
}

int EvidenceCache::purge_by_policy(int64_t now) {
    int n = purge_if([](const CachedClip& c) { return c.damaged; }, PurgeReason::damaged);
    n += purge_if(
        [now](const CachedClip& c) { return c.expires_at <= now || (c.keep_until != 0 && c.keep_until <= now); },
        PurgeReason::expired);
    const int64_t over = used_bytes() - limit_bytes_;
    if (over > 0) {
        int64_t freed = 0;
        n += purge_if([&](const CachedClip& c) { return freed < over ? (freed += c.stored_bytes, true) : false; },
                      PurgeReason::size_limit);
    }
    return n;
}

void EvidenceCache::keep_share_until(const std::string& share_id, int64_t until) {
    for (const CachedClip& c : list()) {
        if (c.damaged || c.share_id != share_id) continue;
        files::Fd lock = files::try_lock_folder(dir_ / c.name);
        std::optional<Manifest> m = lock ? load_manifest(c.name) : std::nullopt;
        if (!m) continue;
        m->keep_until = std::min(until, m->expires_at);
        save_manifest(c.name, *m);
    }
}

void EvidenceCache::make_room(int64_t needed, const std::string& except) {
    if (needed > limit_bytes_)
        throw CacheError("this clip needs " + megabytes(needed) + " in the cache, more than its limit of " +
                         megabytes(limit_bytes_) + ". Court IT can raise `cache.max_size_mb` in the kiosk's "
                         "configuration, or the clip can be played streamed");
    int64_t over = used_bytes() + needed - limit_bytes_;
    if (over <= 0) return;
    purge_if(
        [&](const CachedClip& c) {
            if (over <= 0 || c.name == except) return false;
            over -= c.stored_bytes;
            return true;
        },
        PurgeReason::size_limit);
    if (used_bytes() + needed > limit_bytes_)
        throw CacheError("the cache cannot make room for this clip: clips being stored by another courtplay fill it");
}

}  // namespace courtplay::cache
