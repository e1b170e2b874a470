#include "kiosk/clip_cache.h"

#include "auth/base64url.h"
#include "auth/court_time.h"
#include "auth/share_token.h"
#include "kiosk/exit_codes.h"
#include "kiosk/link_monitor.h"

#include <cstdio>

namespace courtplay::kiosk {

void StderrPurgeReport::purged(const cache::PurgeRecord& r) {
    if (r.clip.damaged)
        std::fprintf(stderr, "courtplay: cache: removed a damaged entry (%s)\n", r.clip.name.c_str());
    else
        std::fprintf(stderr, "courtplay: cache: removed clip \"%s\" of share %s: %s\n", r.clip.title.c_str(),
                     r.clip.share_id.c_str(), cache::purge_reason_words(r.why));
}

std::string token_digest(std::string_view typed_token) {
    const auth::TokenReading reading = auth::read_share_token(typed_token);
    if (!reading.token) return {};
    const auto d = auth::sha256(*reading.token);
    return auth::hex(d);
}

cache::ClipRef clip_ref(const auth::Redemption& share, const auth::GrantClip& clip, const std::string& token_digest) {
    const auth::Grant& g = share.grant;
    return {.share_id = g.share_id,
            .clip_id = clip.id,
            .title = clip.title,
            .sha256 = clip.sha256,
            .bytes = clip.bytes,
            .party = auth::party_name(g.party),
            .case_ref = g.case_ref,
            .expires_at = g.expires_at,
            .token_digest = token_digest,
            .grant_jws = share.jws};
}

player::HttpsSourceOptions stream_options(const config::KioskConfig& cfg, const auth::Redemption& share,
                                          const auth::GrantClip& clip) {
    return {.url = clip.url,
            .bearer = share.access_token,
            .name = clip.title,
            .ca_file = cfg.service.ca_file,
            .spki_pin = cfg.service.spki_pin,
            .timeout_s = cfg.service.timeout_s,
            .expected_bytes = clip.bytes,
            .expected_sha256 = clip.sha256};
}

std::string megabytes(int64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", double(bytes) / (1 << 20));
    return buf;
}

namespace {

// Copies the stream into the writer from where it stands. Returns an exit code.
int fetch_rest(cache::ClipWriter& writer, player::HttpsSource& stream, const LinkMonitor& monitor,
               const std::string& title, const Progress& progress) {
    std::vector<uint8_t> buf(1 << 20);
    int reported = -1;
    stream.seek_to(writer.stored());
    while (writer.stored() < writer.total()) {
        const int n = stream.read(buf.data(), int(buf.size()));
        if (n == 0) break;  // short: finish() says so
        if (n < 0) {
            if (monitor.gave_up()) {
                std::fprintf(stderr,
                             "courtplay: the share service could not be reached while caching clip \"%s\"; what "
                             "arrived (%s) is kept and the next attempt resumes from there\n",
                             title.c_str(), megabytes(writer.stored()).c_str());
                return exit_code::network;
            }
            return report_stream_failure(stream.status(), title);
        }
        writer.append({buf.data(), size_t(n)});
        if (progress) progress(writer.stored(), writer.total());
        const int percent = int(writer.stored() * 100 / std::max<int64_t>(1, writer.total()));
        if (percent / 10 != reported / 10) {
            std::fprintf(stderr, "courtplay: caching clip \"%s\": %d%% (%s of %s)\n", title.c_str(), percent,
                         megabytes(writer.stored()).c_str(), megabytes(writer.total()).c_str());
            reported = percent;
        }
    }
    return exit_code::ok;
}
}  // namespace

int cache_clip(cache::EvidenceCache& cache, const cache::ClipRef& ref, const player::HttpsSourceOptions& options,
               int timeout_s, const Progress& progress) {
    if (cache.state(ref) == cache::EvidenceCache::State::complete) {
        std::fprintf(stderr, "courtplay: clip \"%s\" is already in the cache, verified\n", ref.title.c_str());
        return exit_code::ok;
    }
    try {
        std::unique_ptr<cache::ClipWriter> writer = cache.store(ref);
        if (writer->stored() > 0)
            std::fprintf(stderr, "courtplay: caching clip \"%s\": resuming after the %s already stored\n",
                         ref.title.c_str(), megabytes(writer->stored()).c_str());
        if (writer->stored() < writer->total()) {
            // The writer hashes every byte itself: the stream need not (and would fetch from 0 to do it).
            player::HttpsSourceOptions unhashed = options;
            unhashed.expected_sha256.clear();
            player::HttpsSource stream(unhashed);
            LinkMonitor monitor(stream, std::chrono::seconds(2 * timeout_s));
            if (int failed = fetch_rest(*writer, stream, monitor, ref.title, progress)) {
                if (failed == exit_code::bad_media) writer->discard();
                return failed;
            }
        }
        writer->finish();
    } catch (const cache::NotOriginalError& e) {
        std::fprintf(stderr, "courtplay: clip \"%s\": %s. It was not kept. Tell court IT.\n", ref.title.c_str(),
                     e.what());
        return exit_code::bad_media;
    } catch (const cache::CacheError& e) {
        std::fprintf(stderr, "courtplay: clip \"%s\" cannot be cached: %s\n", ref.title.c_str(), e.what());
        return exit_code::cache_storage;
    }
    std::fprintf(stderr, "courtplay: clip \"%s\" is in the cache, verified (SHA-256 %s)\n", ref.title.c_str(),
                 ref.sha256.c_str());
    return exit_code::ok;
}

}  // namespace courtplay::kiosk
