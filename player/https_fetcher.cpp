// The fetch thread of HttpsSource: one libcurl multi handle running the playback stream's Range
// request and, when needed, the verifier's. Every libcurl call of the source is made here.
#include "player/https_fetcher.h"

extern "C" {
#include <libavutil/error.h>
}

#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace courtplay::player {
namespace https {
namespace {

constexpr size_t kMaxErrorBody = 4096;
constexpr int kPollMs = 1000;

// 0.25, 0.5, 1, 2, 4, 4 ... seconds.
SteadyClock::duration backoff(int attempt) { return std::chrono::milliseconds(250 << std::min(attempt, 4)); }

// The peer could not be verified: retrying will not change that, and court IT must look at it.
// (CURLE_SSL_CONNECT_ERROR is left out on purpose: a service restarting mid-handshake gives it.)
bool is_tls_verification_failure(CURLcode rc) {
    switch (rc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
        return true;
    default:
        return false;
    }
}

// "bytes A-B/TOTAL" or "bytes */TOTAL".
std::optional<ContentRange> parse_content_range(std::string v) {
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
    ContentRange r;
    long long a = 0, b = 0, t = 0;
    char tail = 0;
    if (std::sscanf(v.c_str(), " bytes %lld-%lld/%lld%c", &a, &b, &t, &tail) == 3) {
        r = {a, b, t};
        return r;
    }
    if (std::sscanf(v.c_str(), " bytes */%lld%c", &t, &tail) == 1) {
        r.total = t;
        return r;
    }
    return std::nullopt;
}

// The service's size for the clip is not the one known: the grant's, or what it said before.
std::string size_changed(int64_t now, int64_t known, bool from_grant) {
    return "the share service now holds " + std::to_string(now) + " bytes for this clip" +
           (from_grant ? ", the grant says " + std::to_string(known) : ", it said " + std::to_string(known) + " before") +
           ": this is NOT the original evidence";
}

std::string refusal_for_status(long status, const std::string& body, int& read_error, bool& not_the_evidence) {
    read_error = AVERROR(EACCES);
    switch (status) {
    case 401: return "the share service no longer accepts this kiosk's access to the share";
    case 403: return "the share does not allow viewing this clip";
    case 404: read_error = AVERROR(ENOENT); return "the share service does not have this clip";
    case 410:
        if (body.find("\"expired\"") != std::string::npos)
            return "the share has expired: the clip can no longer be fetched";
        return "the share was revoked (withdrawn by its issuer): the clip can no longer be fetched";
    case 416:
        // Asked only for bytes the grant says exist: the service holds fewer.
        not_the_evidence = true;
        read_error = AVERROR_INVALIDDATA;
        return "the share service holds fewer bytes for this clip than the grant says: this is NOT the original evidence";
    default:
        read_error = AVERROR(EIO);
        return "the share service refused the clip (HTTP " + std::to_string(status) + ")";
    }
}

bool worth_retrying(long status) { return status == 408 || status == 429 || status >= 500; }

std::unique_ptr<Transfer> make_transfer(HttpsSource* source, HttpsSource::Fetcher* fetcher, const HttpsSourceOptions& o,
                                        Transfer::Role role, int64_t from, int generation) {
    auto t = std::make_unique<Transfer>();
    t->source = source;
    t->fetcher = fetcher;
    t->role = role;
    t->next = from;
    t->generation = generation;
    t->easy.reset(curl_easy_init());
    if (!t->easy) return nullptr;
    CURL* c = t->easy.get();
    // TLS exactly as auth::HttpsClient sets it up for the share service (auth/https_client.cpp).
    curl_easy_setopt(c, CURLOPT_URL, o.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_SSLVERSION, long(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_CAINFO, o.ca_file.c_str());
    // Only the CA file given: a CA directory as well would widen who may vouch for the service.
    curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
    if (!o.spki_pin.empty()) curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, o.spki_pin.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    // No overall timeout: a clip streams for as long as it plays. Stalls are caught by the fetch
    // loop instead (a paused request is silent on purpose).
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, long(o.timeout_s));
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, long(kCurlBuffer));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->error);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, HttpsSource::Fetcher::on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, HttpsSource::Fetcher::on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(c, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(c, CURLOPT_USERAGENT, "courtplay/0.1");
    const std::string range = std::to_string(from) + "-";
    curl_easy_setopt(c, CURLOPT_RANGE, range.c_str());  // copied by libcurl
    auto add = [&](const std::string& h) { t->headers.reset(curl_slist_append(t->headers.release(), h.c_str())); };
    if (!o.bearer.empty()) add("Authorization: Bearer " + o.bearer);
    add("Accept-Encoding: identity");  // the bytes as stored: they are hashed
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers.get());
    return t;
}

}  // namespace
}  // namespace https

using https::SteadyClock;
using https::Transfer;

size_t HttpsSource::Fetcher::on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    HttpsSource& s = *t->source;
    const std::string line(data, size * n);
    if (line.rfind("HTTP/", 0) == 0) {  // a new response (after a 100 Continue, say) starts afresh
        t->content_range.reset();
        return size * n;
    }
    static constexpr char kRange[] = "content-range:";
    if (strncasecmp(line.c_str(), kRange, sizeof kRange - 1) == 0) {
        t->content_range = https::parse_content_range(line.substr(sizeof kRange - 1));
        return size * n;
    }
    if (line != "\r\n" && line != "\n") return size * n;

    // The end of the headers: decide whether these bytes are the ones asked for.
    t->last_activity = SteadyClock::now();
    curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &t->status);
    if (t->status != 206 && t->status != 200) return size * n;  // an error answer: judged when it ends
    const https::ContentRange* cr = t->content_range ? &*t->content_range : nullptr;
    int64_t total = -1;  // the clip's size by this answer
    if (t->status == 200) {
        // The whole file: as good as the range asked for when that began at byte 0.
        curl_off_t length = -1;
        curl_easy_getinfo(t->easy.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
        if (t->next != 0) t->refusal = "the share service ignored the byte range asked for";
        else if (length < 0) t->refusal = "the share service answered without saying how long the clip is";
        else total = length;
    } else if (!cr || cr->first < 0) {
        t->refusal = "the share service answered a byte range without saying which";
    } else {
        total = cr->total;
    }
    std::lock_guard lock(s.mutex_);
    if (t->refusal.empty() && s.total_ >= 0 && total != s.total_) {
        // A file that grew or shrank on the service: not what the grant describes, or not the
        // bytes read so far.
        t->refusal = https::size_changed(total, s.total_, s.options_.expected_bytes > 0);
        t->not_the_evidence = true;
    } else if (t->refusal.empty() && t->status == 206 && (cr->first != t->next || cr->last != total - 1)) {
        t->refusal = "the share service answered a different byte range than the one asked for";
    }
    if (!t->refusal.empty()) return 0;  // ends the request (CURLE_WRITE_ERROR); judged when it ends
    if (s.total_ < 0) {  // learned from the first answer
        s.total_ = total;
        s.bytes_arrived_.notify_all();  // size() waits for it
    }
    t->accepted = true;
    if (t->role == Transfer::Role::stream && s.link_ == Link::reconnecting) {
        s.link_ = Link::streaming;
        s.reason_.clear();
    }
    (t->role == Transfer::Role::stream ? t->fetcher->stream_attempt : t->fetcher->verify_attempt) = 0;
    return size * n;
}

size_t HttpsSource::Fetcher::on_body(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    HttpsSource& s = *t->source;
    Fetcher& f = *t->fetcher;
    const size_t len = size * n;
    const auto* bytes = reinterpret_cast<const uint8_t*>(data);
    t->last_activity = SteadyClock::now();
    size_t at = 0;  // where the stream's bytes go in the ring
    {
        std::lock_guard lock(s.mutex_);
        if (!t->accepted) {  // the body of a refusal
            t->error_body.append(data, std::min(len, https::kMaxErrorBody - std::min(https::kMaxErrorBody, t->error_body.size())));
            return len;
        }
        if (s.closing_ || s.link_ == Link::failed || s.verification_ == Verification::failed) return 0;
        if (t->next + static_cast<int64_t>(len) > s.total_) {  // libcurl holds to Content-Length; this is a guard
            t->refusal = "the share service sent more bytes than the clip has: this is NOT the original evidence";
            t->not_the_evidence = true;
            return 0;
        }
        if (t->role == Transfer::Role::verify) {
            if (s.hungry_locked()) {
                s.verify_paused_ = true;
                return CURL_WRITEFUNC_PAUSE;
            }
            if (t->next != s.hashed_to_) return 0;  // cannot happen: the verifier alone feeds the hash
        } else {
            if (t->generation != s.generation_) return 0;  // a seek moved on: this request is dropped
            const auto ring = static_cast<int64_t>(s.ring_size_);
            const bool ahead_full = s.win_end_ >= s.wanted_to_locked();
            const bool would_overwrite = s.win_end_ + static_cast<int64_t>(len) > s.keep_from_locked() + ring;
            if (ahead_full || would_overwrite) {
                // Flow control: libcurl stops reading the socket and TCP holds the server back.
                s.stream_paused_ = true;
                if (s.hasher_idle_ && s.prefix_alive_locked() && s.hashed_to_ < s.win_end_) {
                    s.hash_wake_ = true;  // nothing more comes for now: hash what is there
                    s.hash_due_.notify_one();
                }
                return CURL_WRITEFUNC_PAUSE;
            }
            // The bytes about to be written over leave the window before they are.
            s.win_start_ = std::max(s.win_start_, s.win_end_ + static_cast<int64_t>(len) - ring);
            at = static_cast<size_t>(s.win_end_ % ring);
        }
    }
    // Outside the lock, so that the reader and the hasher are never held up by it. The ring bytes
    // written over are ones the reader has passed and the hash has taken (keep_from_locked), and
    // only this thread writes.
    if (t->role == Transfer::Role::verify) {
        EVP_DigestUpdate(f.sha.get(), bytes, len);
        f.chunks->update(bytes, len);
    } else {
        const size_t first = std::min(len, s.ring_size_ - at);
        std::memcpy(s.ring_.get() + at, bytes, first);
        std::memcpy(s.ring_.get(), bytes + first, len - first);
    }

    std::lock_guard lock(s.mutex_);
    t->next += static_cast<int64_t>(len);
    s.received_ += static_cast<int64_t>(len);
    if (t->role == Transfer::Role::verify) {
        s.hashed_locked(static_cast<int64_t>(len));
    } else if (t->generation == s.generation_) {
        s.win_end_ += static_cast<int64_t>(len);
        s.published_locked();
    }
    return len;
}

void HttpsSource::fetch_loop() {
    Fetcher& f = *fetcher_;
    CURLM* multi = f.multi.get();
    auto drop = [&](std::unique_ptr<Transfer>& t) {
        if (!t) return;
        curl_multi_remove_handle(multi, t->easy.get());
        t.reset();
    };
    auto add = [&](std::unique_ptr<Transfer>& t, Transfer::Role role, int64_t from, int generation) {
        t = https::make_transfer(this, &f, options_, role, from, generation);
        if (t) curl_multi_add_handle(multi, t->easy.get());
    };

    // Judges a request that ended (or stalled), and schedules what follows. Under the lock.
    auto judge = [&](Transfer& t, CURLcode rc, SteadyClock::time_point now) {
        const bool stream = t.role == Transfer::Role::stream;
        if (closing_ || link_ == Link::failed || verification_ == Verification::failed) return;
        if (stream && t.generation != generation_) return;  // dropped by a seek: not a failure
        if (!t.refusal.empty()) {
            fail_locked(t.refusal, AVERROR(EIO), t.not_the_evidence);
            return;
        }
        if (t.accepted && rc == CURLE_OK && t.next == total_) return;  // all of it
        std::string lost;
        if (t.status == 416 && t.content_range && t.content_range->total >= 0) {
            const int64_t total = t.content_range->total;
            if (total_ < 0 && t.next >= total) {  // asked from past the end before the size was known
                total_ = total;
                bytes_arrived_.notify_all();  // a reader there is at the end
                return;
            }
            if (total != total_) {
                fail_locked(https::size_changed(total, total_, options_.expected_bytes > 0), AVERROR_INVALIDDATA, true);
                return;
            }
        }
        if (!t.accepted && t.status >= 400) {
            if (!https::worth_retrying(t.status)) {
                int read_error = 0;
                bool not_the_evidence = false;
                const std::string why = https::refusal_for_status(t.status, t.error_body, read_error, not_the_evidence);
                fail_locked(why, read_error, not_the_evidence);
                return;
            }
            lost = "the share service answered HTTP " + std::to_string(t.status);
        } else if (https::is_tls_verification_failure(rc)) {
            fail_locked(std::string("the secure connection to the share service failed: ") +
                            (t.error[0] ? t.error : curl_easy_strerror(rc)),
                        AVERROR(EPROTO), false);
            return;
        } else {
            lost = t.error[0] ? t.error : curl_easy_strerror(rc);
        }
        if (stream) {
            link_ = Link::reconnecting;
            reason_ = "the connection to the share service was lost (" + lost + "); reconnecting";
            f.stream_retry_at = now + https::backoff(f.stream_attempt++);
            f.stream_lost = true;
        } else {
            f.verify_retry_at = now + https::backoff(f.verify_attempt++);
        }
    };

    for (;;) {
        auto now = SteadyClock::now();
        bool drop_all = false, drop_stream = false, start_stream = false, resume_stream = false;
        bool start_verify = false, resume_verify = false;
        int64_t stream_from = 0, verify_from = 0;
        int generation = 0;
        {
            std::lock_guard lock(mutex_);
            if (closing_) break;
            if (link_ == Link::failed || verification_ == Verification::failed) {
                drop_all = true;
            } else {
                drop_stream = f.stream && f.stream->generation != generation_;
                const bool stream_live = f.stream && !drop_stream;
                if (stream_live && stream_paused_ && room_locked()) {
                    stream_paused_ = false;
                    resume_stream = true;
                }
                if (!stream_live && demanded_ && win_end_ < end_locked() &&
                    win_end_ < wanted_to_locked() && now >= f.stream_retry_at) {
                    start_stream = true;
                    stream_from = win_end_;
                    generation = generation_;
                    stream_paused_ = false;
                    ++requests_;
                    if (f.stream_lost) ++reconnects_;
                    f.stream_lost = false;
                }
                fetcher_stream_active_ = stream_live || start_stream;
                const bool hungry = hungry_locked();
                if (f.verify && verify_paused_ && !hungry) {
                    verify_paused_ = false;
                    resume_verify = true;
                }
                // The hasher follows the window while it holds the bytes right after the hashed
                // prefix; once the reader has moved elsewhere, the verifier's own pass takes over.
                if (!f.verify && verification_ == Verification::pending && total_ >= 0 && hashed_to_ < total_ &&
                    !prefix_alive_locked() && !hashing_ && !hungry && now >= f.verify_retry_at) {
                    start_verify = true;
                    verify_from = hashed_to_;
                    verify_paused_ = false;
                    verifier_owns_hash_ = true;
                    ++requests_;
                }
            }
        }
        if (drop_all) {
            drop(f.stream);
            drop(f.verify);
        }
        if (drop_stream) drop(f.stream);
        if (start_stream) add(f.stream, Transfer::Role::stream, stream_from, generation);
        if (start_verify) add(f.verify, Transfer::Role::verify, verify_from, 0);
        // May call on_body at once, which takes the lock: so not under it.
        if (resume_stream && f.stream) {
            f.stream->last_activity = now;
            curl_easy_pause(f.stream->easy.get(), CURLPAUSE_CONT);
        }
        if (resume_verify && f.verify) {
            f.verify->last_activity = now;
            curl_easy_pause(f.verify->easy.get(), CURLPAUSE_CONT);
        }

        int running = 0;
        curl_multi_perform(multi, &running);
        now = SteadyClock::now();
        int left = 0;
        bool ended = false;  // something ended: decide what follows at once, not after a poll
        while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
            if (m->msg != CURLMSG_DONE) continue;
            ended = true;
            Transfer* t = nullptr;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
            const CURLcode rc = m->data.result;
            {
                std::lock_guard lock(mutex_);
                judge(*t, rc, now);
            }
            drop(t == f.stream.get() ? f.stream : f.verify);
        }

        // A request that is not paused yet brings nothing for timeout_s is as good as lost.
        const auto stall = std::chrono::seconds(options_.timeout_s);
        for (auto* slot : {&f.stream, &f.verify}) {
            if (!*slot) continue;
            {
                std::lock_guard lock(mutex_);
                const bool paused = slot == &f.stream ? stream_paused_ : slot == &f.verify && verify_paused_;
                if (paused || now - (*slot)->last_activity < stall) continue;
                std::snprintf((*slot)->error, sizeof (*slot)->error, "no bytes for %d s", options_.timeout_s);
                judge(**slot, CURLE_OPERATION_TIMEDOUT, now);
            }
            drop(*slot);
        }

        // A waiting reader gets the bytes short of its batch once they have waited kReaderFlush:
        // the service may be slow, or this may be all there is for now. (The hasher needs no
        // such timer: it is woken when the stream pauses or ends.)
        std::optional<SteadyClock::time_point> flush_at;
        {
            std::lock_guard lock(mutex_);
            if (!reader_waiting_ || !readable_locked()) reader_short_since_.reset();
            if (reader_short_since_ && now - *reader_short_since_ >= https::kReaderFlush) {
                reader_short_since_.reset();
                bytes_arrived_.notify_all();
            }
            if (reader_short_since_) flush_at = *reader_short_since_ + https::kReaderFlush;
        }

        int wait_ms = ended ? 0 : https::kPollMs;
        for (auto at : {f.stream_retry_at, f.verify_retry_at, flush_at.value_or(SteadyClock::time_point{})})
            if (at > now)
                wait_ms = std::min<int>(wait_ms, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(at - now).count()));
        curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    }
    drop(f.stream);
    drop(f.verify);
}

}  // namespace courtplay::player
