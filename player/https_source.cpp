#include "player/https_source.h"

#include "player/errors.h"

extern "C" {
#include <libavutil/error.h>
}

#include <curl/curl.h>
#include <openssl/evp.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

namespace courtplay::player {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMinReadAhead = 256 * 1024;
// libcurl hands the write callback at most this much at a time (CURLOPT_BUFFERSIZE; paused data is
// handed back in CURL_MAX_WRITE_SIZE pieces, smaller still).
constexpr long kCurlBuffer = 64 * 1024;
// A forward seek at most this far past the bytes held waits for the running request: cheaper than
// a new request (a TLS handshake and a round trip) when the demuxer skips a little.
constexpr int64_t kSmallGap = 256 * 1024;
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

struct ContentRange {
    int64_t first = -1, last = -1, total = -1;  // "bytes */TOTAL" leaves first and last at -1
};

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

bool is_sha256_hex(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string hex(const unsigned char* d, size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < n; ++i) {
        out += kDigits[d[i] >> 4];
        out += kDigits[d[i] & 15];
    }
    return out;
}

HttpsSourceOptions normalised(HttpsSourceOptions o) {
    o.read_ahead = std::max(o.read_ahead, kMinReadAhead);
    if (o.name.empty()) o.name = o.url;
    std::transform(o.expected_sha256.begin(), o.expected_sha256.end(), o.expected_sha256.begin(), ::tolower);
    return o;
}

}  // namespace

namespace {
// One Range request: the playback stream (into the window) or the verifier's pass (into the hash).
struct Transfer {
    enum class Role { stream, verify };
    HttpsSource* source = nullptr;
    HttpsSource::Fetcher* fetcher = nullptr;
    Role role = Role::stream;
    int generation = 0;  // the stream's: stale once a seek outside the window bumps the source's
    int64_t next = 0;    // the offset of the next byte this request brings
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy{nullptr, curl_easy_cleanup};
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers{nullptr, curl_slist_free_all};
    std::optional<ContentRange> content_range;
    long status = 0;
    bool accepted = false;     // headers checked: 206 for exactly the range asked, of the grant's size
    std::string error_body;    // of a refusal, to tell "revoked" from "expired"
    std::string refusal;       // final: found in a callback
    bool not_the_evidence = false;  // the refusal is about the bytes themselves (verification fails)
    SteadyClock::time_point last_activity = SteadyClock::now();  // fetch thread only
    char error[CURL_ERROR_SIZE] = "";
};
}  // namespace

struct HttpsSource::Fetcher {
    std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi{nullptr, curl_multi_cleanup};
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha{nullptr, EVP_MD_CTX_free};
    // Fetch thread only:
    std::unique_ptr<Transfer> stream, verify;
    bool verifier_owns_hash = false;  // once the verifier has started, only it feeds the hash
    int stream_attempt = 0, verify_attempt = 0;
    bool stream_lost = false;         // the next stream request is a reconnect
    SteadyClock::time_point stream_retry_at{}, verify_retry_at{};

    // The callbacks take the source's mutex, and so do these.
    static size_t on_header(char* data, size_t size, size_t n, void* user);
    static size_t on_body(char* data, size_t size, size_t n, void* user);
    static void hash_locked(HttpsSource& s, Fetcher& f, const uint8_t* data, size_t n);
    static bool room_locked(const HttpsSource& s);
    static bool stream_hungry_locked(const HttpsSource& s);
    static void fail_locked(HttpsSource& s, const std::string& reason, int read_error, bool not_the_evidence);
};

bool HttpsSource::Fetcher::room_locked(const HttpsSource& s) {
    return s.win_end_ < s.size() && s.win_end_ + kCurlBuffer <= s.pos_ + static_cast<int64_t>(s.options_.read_ahead);
}

// Playback is short of bytes: the verifier's pass must not take bandwidth from it.
bool HttpsSource::Fetcher::stream_hungry_locked(const HttpsSource& s) {
    return s.win_end_ < s.size() && s.win_end_ < s.pos_ + static_cast<int64_t>(s.options_.read_ahead / 2);
}

void HttpsSource::Fetcher::fail_locked(HttpsSource& s, const std::string& reason, int read_error, bool not_the_evidence) {
    if (s.link_ == Link::failed || s.verification_ == Verification::failed) return;  // the first reason stands
    s.link_ = Link::failed;
    s.reason_ = reason;
    s.read_error_ = read_error;
    if (not_the_evidence) {
        s.verification_ = Verification::failed;
        s.read_error_ = AVERROR_INVALIDDATA;
    }
    s.bytes_arrived_.notify_all();
}

void HttpsSource::Fetcher::hash_locked(HttpsSource& s, Fetcher& f, const uint8_t* data, size_t n) {
    EVP_DigestUpdate(f.sha.get(), data, n);
    s.hashed_to_ += static_cast<int64_t>(n);
    if (s.hashed_to_ != s.size()) return;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(f.sha.get(), digest, &len);
    if (hex(digest, len) == s.options_.expected_sha256) {
        s.verification_ = Verification::verified;
    } else {
        s.verification_ = Verification::failed;
        s.link_ = Link::failed;
        s.read_error_ = AVERROR_INVALIDDATA;
        s.reason_ = "the clip's bytes do not match the SHA-256 in the grant: this is NOT the original evidence";
    }
    s.bytes_arrived_.notify_all();
}

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
        t->content_range = parse_content_range(line.substr(sizeof kRange - 1));
        return size * n;
    }
    if (line != "\r\n" && line != "\n") return size * n;

    // The end of the headers: decide whether these bytes are the ones asked for.
    t->last_activity = SteadyClock::now();
    curl_easy_getinfo(t->easy.get(), CURLINFO_RESPONSE_CODE, &t->status);
    if (t->status != 206 && t->status != 200) return size * n;  // an error answer: judged when it ends
    std::lock_guard lock(s.mutex_);
    const int64_t expected = s.size();
    const ContentRange* cr = t->content_range ? &*t->content_range : nullptr;
    if (t->status == 200) {
        t->refusal = "the share service ignored the byte range asked for";
    } else if (!cr || cr->first < 0) {
        t->refusal = "the share service answered a byte range without saying which";
    } else if (cr->total != expected) {
        // A file that grew or shrank on the service: not what the grant describes.
        t->refusal = "the share service now holds " + std::to_string(cr->total) + " bytes for this clip, the grant says " +
                     std::to_string(expected) + ": this is NOT the original evidence";
        t->not_the_evidence = true;
    } else if (cr->first != t->next || cr->last != expected - 1) {
        t->refusal = "the share service answered a different byte range than the one asked for";
    }
    if (!t->refusal.empty()) return 0;  // ends the request (CURLE_WRITE_ERROR); judged when it ends
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
    std::lock_guard lock(s.mutex_);
    if (!t->accepted) {  // the body of a refusal
        t->error_body.append(data, std::min(len, kMaxErrorBody - std::min(kMaxErrorBody, t->error_body.size())));
        return len;
    }
    if (s.closing_ || s.link_ == Link::failed || s.verification_ == Verification::failed) return 0;
    if (t->next + static_cast<int64_t>(len) > s.size()) {  // libcurl holds to Content-Length; this is a guard
        t->refusal = "the share service sent more bytes than the grant says the clip has: this is NOT the original evidence";
        t->not_the_evidence = true;
        return 0;
    }
    t->last_activity = SteadyClock::now();

    if (t->role == Transfer::Role::verify) {
        if (stream_hungry_locked(s)) {
            s.verify_paused_ = true;
            return CURL_WRITEFUNC_PAUSE;
        }
        if (t->next != s.hashed_to_) return 0;  // cannot happen: the verifier alone feeds the hash
        hash_locked(s, f, bytes, len);
        t->next += static_cast<int64_t>(len);
        return len;
    }

    if (t->generation != s.generation_) return 0;  // a seek moved on: this request is dropped
    const auto ring = static_cast<int64_t>(s.ring_size_);
    const bool ahead_full = s.win_end_ >= s.pos_ + static_cast<int64_t>(s.options_.read_ahead);
    const bool would_overwrite_unread = s.win_end_ + static_cast<int64_t>(len) > s.pos_ + ring;
    if (ahead_full || would_overwrite_unread) {
        // Flow control: libcurl stops reading the socket and TCP holds the server back.
        s.stream_paused_ = true;
        return CURL_WRITEFUNC_PAUSE;
    }
    for (size_t done = 0; done < len;) {
        const auto at = static_cast<size_t>((s.win_end_ + static_cast<int64_t>(done)) % ring);
        const size_t piece = std::min(len - done, s.ring_size_ - at);
        std::memcpy(s.ring_.get() + at, bytes + done, piece);
        done += piece;
    }
    if (!f.verifier_owns_hash && s.hashed_to_ == s.win_end_) hash_locked(s, f, bytes, len);
    s.win_end_ += static_cast<int64_t>(len);
    s.win_start_ = std::max(s.win_start_, s.win_end_ - ring);
    t->next += static_cast<int64_t>(len);
    s.bytes_arrived_.notify_all();
    return len;
}

namespace {

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
    // Only the configured CA: the system's bundle would let any public CA vouch for the service.
    curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
    if (!o.spki_pin.empty()) curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, o.spki_pin.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    // No overall timeout: a clip streams for as long as it plays. Stalls are caught by the fetch
    // loop instead (a paused request is silent on purpose).
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, long(o.timeout_s));
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, kCurlBuffer);
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
    add("Authorization: Bearer " + o.bearer);
    add("Accept-Encoding: identity");  // the bytes as stored: they are hashed
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers.get());
    return t;
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

}  // namespace

void HttpsSource::fetch_loop() {
    Fetcher& f = *fetcher_;
    CURLM* multi = f.multi.get();
    auto drop = [&](std::unique_ptr<Transfer>& t) {
        if (!t) return;
        curl_multi_remove_handle(multi, t->easy.get());
        t.reset();
    };
    auto add = [&](std::unique_ptr<Transfer>& t, Transfer::Role role, int64_t from, int generation) {
        t = make_transfer(this, &f, options_, role, from, generation);
        if (t) curl_multi_add_handle(multi, t->easy.get());
    };

    // Judges a request that ended (or stalled), and schedules what follows. Under the lock.
    auto judge = [&](Transfer& t, CURLcode rc, SteadyClock::time_point now) {
        const bool stream = t.role == Transfer::Role::stream;
        if (closing_ || link_ == Link::failed || verification_ == Verification::failed) return;
        if (stream && t.generation != generation_) return;  // dropped by a seek: not a failure
        if (!t.refusal.empty()) {
            Fetcher::fail_locked(*this, t.refusal, AVERROR(EIO), t.not_the_evidence);
            return;
        }
        if (t.accepted && rc == CURLE_OK && t.next == size()) return;  // all of it
        std::string lost;
        if (t.status == 416 && t.content_range && t.content_range->total >= 0 && t.content_range->total != size()) {
            Fetcher::fail_locked(*this, "the share service now holds " + std::to_string(t.content_range->total) +
                                            " bytes for this clip, the grant says " + std::to_string(size()) +
                                            ": this is NOT the original evidence",
                                 AVERROR_INVALIDDATA, true);
            return;
        }
        if (!t.accepted && t.status >= 400) {
            if (!worth_retrying(t.status)) {
                int read_error = 0;
                bool not_the_evidence = false;
                const std::string why = refusal_for_status(t.status, t.error_body, read_error, not_the_evidence);
                Fetcher::fail_locked(*this, why, read_error, not_the_evidence);
                return;
            }
            lost = "the share service answered HTTP " + std::to_string(t.status);
        } else if (is_tls_verification_failure(rc)) {
            Fetcher::fail_locked(*this, std::string("the secure connection to the share service failed: ") +
                                            (t.error[0] ? t.error : curl_easy_strerror(rc)),
                                 AVERROR(EPROTO), false);
            return;
        } else {
            lost = t.error[0] ? t.error : curl_easy_strerror(rc);
        }
        if (stream) {
            link_ = Link::reconnecting;
            reason_ = "the connection to the share service was lost (" + lost + "); reconnecting";
            f.stream_retry_at = now + backoff(f.stream_attempt++);
            f.stream_lost = true;
        } else {
            f.verify_retry_at = now + backoff(f.verify_attempt++);
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
                if (stream_live && stream_paused_ && Fetcher::room_locked(*this)) {
                    stream_paused_ = false;
                    resume_stream = true;
                }
                if (!stream_live && win_end_ < size() && win_end_ < pos_ + static_cast<int64_t>(options_.read_ahead) &&
                    now >= f.stream_retry_at) {
                    start_stream = true;
                    stream_from = win_end_;
                    generation = generation_;
                    stream_paused_ = false;
                    ++requests_;
                    if (f.stream_lost) ++reconnects_;
                    f.stream_lost = false;
                }
                fetcher_stream_active_ = stream_live || start_stream;
                const bool hungry = Fetcher::stream_hungry_locked(*this);
                if (f.verify && verify_paused_ && !hungry) {
                    verify_paused_ = false;
                    resume_verify = true;
                }
                // The stream hashes while it brings the bytes right after the hashed prefix; once
                // the reader has moved elsewhere, the verifier's own pass takes over.
                const bool stream_extends_prefix = !f.verifier_owns_hash && hashed_to_ == win_end_;
                if (!f.verify && verification_ == Verification::pending && hashed_to_ < size() &&
                    !stream_extends_prefix && !hungry && now >= f.verify_retry_at) {
                    start_verify = true;
                    verify_from = hashed_to_;
                    verify_paused_ = false;
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
        if (start_verify) {
            f.verifier_owns_hash = true;
            add(f.verify, Transfer::Role::verify, verify_from, 0);
        }
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

        int wait_ms = ended ? 0 : kPollMs;
        for (auto at : {f.stream_retry_at, f.verify_retry_at})
            if (at > now)
                wait_ms = std::min<int>(wait_ms, static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(at - now).count()));
        curl_multi_poll(multi, nullptr, 0, wait_ms, nullptr);
    }
    drop(f.stream);
    drop(f.verify);
}

HttpsSource::HttpsSource(HttpsSourceOptions options)
    : options_(normalised(std::move(options))), fetcher_(std::make_unique<Fetcher>()) {
    const std::string& name = options_.name;
    if (strncasecmp(options_.url.c_str(), "https://", 8) != 0) throw OpenError(name, "the clip's address is not https");
    if (options_.expected_bytes <= 0) throw OpenError(name, "the grant gives no size for the clip");
    if (!is_sha256_hex(options_.expected_sha256)) throw OpenError(name, "the grant gives no valid SHA-256 for the clip");
    curl_global_init(CURL_GLOBAL_DEFAULT);  // reference-counted, and thread-safe since libcurl 7.84
    fetcher_->multi.reset(curl_multi_init());
    fetcher_->sha.reset(EVP_MD_CTX_new());
    if (!fetcher_->multi || !fetcher_->sha || EVP_DigestInit_ex(fetcher_->sha.get(), EVP_sha256(), nullptr) != 1)
        throw OpenError(name, "libcurl or OpenSSL could not start");
    // The window holds the read-ahead, a little behind the reader (libavformat often steps back a
    // few KiB) and one of libcurl's blocks.
    ring_size_ = options_.read_ahead + options_.read_ahead / 4 + kCurlBuffer;
    ring_ = std::make_unique_for_overwrite<uint8_t[]>(ring_size_);  // not zeroed: every byte is written before it is read
    thread_ = std::thread([this] { fetch_loop(); });
}

HttpsSource::~HttpsSource() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        interrupted_ = true;
    }
    bytes_arrived_.notify_all();
    wake_fetcher();
    if (thread_.joinable()) thread_.join();
    curl_global_cleanup();
}

void HttpsSource::wake_fetcher() { curl_multi_wakeup(fetcher_->multi.get()); }

bool HttpsSource::readable_locked() const {
    return interrupted_ || link_ == Link::failed || verification_ == Verification::failed || pos_ >= size() ||
           (pos_ >= win_start_ && pos_ < win_end_);
}

int HttpsSource::read(uint8_t* buf, int size) {
    bool wake = false;
    int n = 0;
    {
        std::unique_lock lock(mutex_);
        bytes_arrived_.wait(lock, [&] { return readable_locked(); });
        if (interrupted_) return AVERROR_EXIT;
        if (verification_ == Verification::failed) return AVERROR_INVALIDDATA;
        if (link_ == Link::failed) return read_error_;
        if (pos_ >= this->size()) return 0;
        n = static_cast<int>(std::min<int64_t>(size, win_end_ - pos_));
        const auto ring = static_cast<int64_t>(ring_size_);
        for (int done = 0; done < n;) {
            const auto at = static_cast<size_t>((pos_ + done) % ring);
            const int piece = static_cast<int>(std::min<int64_t>(n - done, ring - static_cast<int64_t>(at)));
            std::memcpy(buf + done, ring_.get() + at, static_cast<size_t>(piece));
            done += piece;
        }
        pos_ += n;
        // The fetch thread sleeps while the window is full; tell it once there is room again.
        wake = Fetcher::room_locked(*this) && (stream_paused_ || !fetcher_stream_active_);
    }
    if (wake) wake_fetcher();
    return n;
}

int64_t HttpsSource::seek_to(int64_t offset) {
    if (offset < 0) return AVERROR(EINVAL);
    bool restart = false;
    {
        std::lock_guard lock(mutex_);
        if (interrupted_) return AVERROR_EXIT;
        pos_ = offset;
        const bool held_or_coming = offset >= win_start_ && offset <= win_end_ + kSmallGap;
        if (!held_or_coming && offset < size()) {
            win_start_ = win_end_ = offset;
            ++generation_;
            restart = true;
        }
    }
    if (restart) wake_fetcher();
    return offset;
}

void HttpsSource::interrupt() {
    {
        std::lock_guard lock(mutex_);
        interrupted_ = true;
    }
    bytes_arrived_.notify_all();
}

HttpsSource::Status HttpsSource::status() const {
    std::lock_guard lock(mutex_);
    Status st;
    st.link = link_;
    st.verification = verification_;
    st.reason = reason_;
    st.error = link_ == Link::failed ? read_error_ : 0;
    st.verified_bytes = hashed_to_;
    st.position = pos_;
    st.buffered_to = win_end_;
    st.requests = requests_;
    st.reconnects = reconnects_;
    return st;
}

}  // namespace courtplay::player
