#include "server/service.h"

#include "auth/base64url.h"
#include "auth/jws.h"
#include "auth/keys.h"
#include "auth/share_token.h"
#include "files/thread_name.h"
#include "server/audit_route.h"
#include "server/audit_store.h"
#include "server/data_folder.h"
#include "server/grants.h"
#include "server/http_parse.h"
#include "server/rate_limit.h"
#include "server/store.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <thread>

namespace courtplay::server {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& code, const std::string& message) {
    send_json(res, status, {{"error", code}, {"message", message}});
}

const char* content_type_for(const fs::path& file) {
    const std::string ext = file.extension().string();
    if (ext == ".mp4" || ext == ".m4v") return "video/mp4";
    if (ext == ".mov") return "video/quicktime";
    if (ext == ".mkv") return "video/x-matroska";
    if (ext == ".webm") return "video/webm";
    if (ext == ".ts") return "video/mp2t";
    if (ext == ".avi") return "video/x-msvideo";
    return "application/octet-stream";
}

constexpr size_t kRedeemBodyLimit = 64 * 1024;

std::string hash_prefix(const std::string& text) { return sha256_hex(text).substr(0, 4); }

// For the failure record of a request not otherwise read: the token as typed when the body has one.
std::string typed_token(const std::string& body) {
    const json j = json::parse(body, nullptr, false);
    if (j.is_object() && j.contains("token") && j["token"].is_string()) {
        const std::string typed = j["token"].get<std::string>();
        return auth::read_share_token(typed).token.value_or(typed);
    }
    return body;
}

}  // namespace

struct Service::Impl {
    DataFolder data;
    Store store;
    AuditStore audit;
    std::map<auth::Party, auth::SigningKey> issuer_keys;
    RateLimiter limiter;
    ListenAddress listen;
    int64_t clip_rate_kib_s;  // 0: unlimited
    std::string hostname;     // the name in the certificate and the URLs
    std::string issuer_base;  // "https://NAME:PORT" as given to init
    std::unique_ptr<httplib::SSLServer> http;
    std::thread thread;
    std::atomic<int> port{0};
    std::atomic<bool> run_started{false}, run_ended{false};

    explicit Impl(const ServiceOptions& o);
    void routes();
    std::string public_base() const { return https_url(hostname, port.load()); }

    void redeem(const httplib::Request& req, httplib::Response& res);
    void status(const httplib::Request& req, httplib::Response& res);
    void clip(const httplib::Request& req, httplib::Response& res);
    void audit_batch(const httplib::Request& req, httplib::Response& res);

    // The share an access token opens, or a 401 already written.
    std::optional<AccessRecord> authorise(const httplib::Request& req, httplib::Response& res);
    void refuse_redeem(httplib::Response& res, const std::string& address, const std::string& token_text, int status,
                       const std::string& code, const std::string& message);
};

namespace {

Store open_store(const DataFolder& data) {
    data.require_initialised();
    return Store::open(data.database());
}

std::string required_setting(Store& store, const std::string& key) {
    auto value = store.setting(key);
    if (!value) throw std::runtime_error("the database has no `" + key + "` setting: was this folder made by init?");
    return *value;
}

}  // namespace

Service::Impl::Impl(const ServiceOptions& o)
    : data(o.data),
      store(open_store(data)),
      audit(AuditStore::open(data.database())),
      limiter(o.max_failures, std::chrono::seconds(o.failure_window_s)),
      clip_rate_kib_s(o.clip_rate_kib_s) {
    for (auth::Party p : {auth::Party::cps, auth::Party::defence}) issuer_keys.emplace(p, auth::SigningKey::load_pem(data.issuer_key(p)));
    hostname = required_setting(store, "hostname");
    issuer_base = required_setting(store, "url");
    if (o.listen) {
        listen = *o.listen;
    } else {
        const std::string stored = required_setting(store, "listen");
        auto parsed = parse_listen(stored);
        if (!parsed) throw std::runtime_error("the stored listen address `" + stored + "` is not HOST:PORT");
        listen = *parsed;
    }
    const fs::path cert = o.cert.value_or(data.tls_cert()), key = o.key.value_or(data.tls_key());
    for (const fs::path& f : {cert, key}) {
        if (!fs::is_regular_file(f)) throw std::runtime_error("cannot read " + f.string() + ": there is no such file");
    }
    http = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    if (!http->is_valid()) {
        throw std::runtime_error("cannot use the TLS certificate " + cert.string() + " with the key " + key.string() +
                                 ": they must be PEM files made by `courtplay-server init` (or issued from its CA) "
                                 "and belong together");
    }
    // httplib has one limit for every route: the audit batches' (docs/audit.md). Redemptions, a
    // few hundred bytes, are held to kRedeemBodyLimit in redeem().
    http->set_payload_max_length(kAuditBodyLimit);
    routes();
}

void Service::Impl::routes() {
    http->Get("/v1/health", [](const httplib::Request&, httplib::Response& res) { send_json(res, 200, {{"ok", true}}); });
    http->Post("/v1/redeem", [this](const httplib::Request& req, httplib::Response& res) { redeem(req, res); });
    http->Post("/v1/audit/batches", [this](const httplib::Request& req, httplib::Response& res) { audit_batch(req, res); });
    http->Get(R"(/v1/shares/([A-Za-z0-9_]+)/status)",
              [this](const httplib::Request& req, httplib::Response& res) { status(req, res); });
    http->Get(R"(/v1/clips/([A-Za-z0-9_]+))",
              [this](const httplib::Request& req, httplib::Response& res) { clip(req, res); });
    http->set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty() || res.status == 416) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 413) {
            send_error(res, 413, "too_large",
                       "the request body is larger than this service accepts (16 MiB for an audit batch): send less "
                       "in each request");
        } else {
            send_error(res, res.status, res.status == 404 ? "not_found" : "bad_request",
                       res.status == 404 ? "there is no such address on this service: see docs/api.md"
                                         : "the request could not be read");
        }
        return httplib::Server::HandlerResponse::Handled;
    }));
    http->set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        std::fprintf(stderr, "courtplay-server: %s %s failed: %s\n", req.method.c_str(), req.path.c_str(), what.c_str());
        send_error(res, 500, "internal", "the service failed to answer; its log says why");
    });
    // One line per request for the admin; never a token (bodies and headers are not logged).
    http->set_logger([](const httplib::Request& req, const httplib::Response& res) {
        std::fprintf(stderr, "courtplay-server: %s %s %d from %s\n", req.method.c_str(), req.path.c_str(), res.status,
                     req.remote_addr.c_str());
    });
}

void Service::Impl::refuse_redeem(httplib::Response& res, const std::string& address, const std::string& token_text,
                                  int status, const std::string& code, const std::string& message) {
    limiter.record_failure(address);
    store.record_failure(unix_now(), address, code, hash_prefix(token_text));
    send_error(res, status, code, message);
}

void Service::Impl::redeem(const httplib::Request& req, httplib::Response& res) {
    const std::string& address = req.remote_addr;
    const int64_t now = unix_now();
    res.set_header("Cache-Control", "no-store");
    // Before the token is even read: a refusal here must not tell a valid token from an invalid one.
    if (const int wait = limiter.retry_after_s(address)) {
        store.record_failure(now, address, "rate_limited", hash_prefix(typed_token(req.body)));
        res.set_header("Retry-After", std::to_string(wait));
        send_json(res, 429,
                  {{"error", "rate_limited"},
                   {"message", "too many failed redemptions from this address: wait " + std::to_string(wait) +
                                   " s, then check the token with whoever issued it before trying again"},
                   {"retry_after_s", wait}});
        return;
    }
    if (req.body.size() > kRedeemBodyLimit) {
        refuse_redeem(res, address, "", 413, "too_large",
                      "a redemption is a share token and a kiosk id: the service reads at most 64 KiB of it");
        return;
    }
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || !body.contains("token") || !body["token"].is_string() ||
        (body.contains("kiosk") && !body["kiosk"].is_string())) {
        refuse_redeem(res, address, req.body, 400, "malformed",
                      R"(the request must be JSON {"token":"XXXX-XXXX-XXXX-XXXX-XXXX","kiosk":"KIOSK_ID"})");
        return;
    }
    const std::string typed = body["token"].get<std::string>();
    const std::string kiosk = body.value("kiosk", "");
    const auth::TokenReading reading = auth::read_share_token(typed);
    if (!reading.token) {
        refuse_redeem(res, address, typed, 400, "malformed", "the token cannot be right: " + reading.problem);
        return;
    }
    const std::string token_hash = sha256_hex(*reading.token);
    const auto share = store.find_share_by_token_hash(token_hash);
    if (!share) {
        refuse_redeem(res, address, *reading.token, 404, "unknown_token",
                      "no share has this token: check it against the share notice, or ask the issuer for a new one");
        return;
    }
    switch (share_state(*share, now)) {
    case ShareState::revoked:
        refuse_redeem(res, address, *reading.token, 410, "revoked",
                      "this share was revoked by its issuer: ask them for a new share if it is still needed");
        return;
    case ShareState::expired:
        refuse_redeem(res, address, *reading.token, 410, "expired",
                      "this share has expired: ask its issuer for a new share if it is still needed");
        return;
    case ShareState::active: break;
    }
    if (share->kiosk && *share->kiosk != kiosk) {
        refuse_redeem(res, address, *reading.token, 403, "wrong_kiosk",
                      "this share is for kiosk " + *share->kiosk + ", not " + (kiosk.empty() ? "this one" : kiosk) +
                          ": use that kiosk, or ask the issuer for a share for this one");
        return;
    }

    std::vector<ClipRecord> clips;
    for (const ShareClip& sc : share->clips) {
        if (auto c = store.find_clip(sc.clip_id)) clips.push_back(std::move(*c));
    }
    const std::string grant_id = random_id("gr_", 16);
    const auth::Grant grant = make_grant(*share, clips, {issuer_base, public_base()}, grant_id, now);
    const std::string jws =
        auth::jws_sign(issuer_keys.at(share->party), auth::grant_to_claims(grant).dump(), {{"typ", "JWT"}});
    const std::string access_token = auth::base64url_encode(auth::random_bytes(32));
    store.add_access(sha256_hex(access_token), {share->id, grant_id, now, share->expires_at}, kiosk, address);
    send_json(res, 200,
              {{"grant", jws},
               {"access_token", access_token},
               {"status_url", public_base() + "/v1/shares/" + share->id + "/status"}});
}

std::optional<AccessRecord> Service::Impl::authorise(const httplib::Request& req, httplib::Response& res) {
    const auto token = bearer_token(req.get_header_value("Authorization"));
    std::optional<AccessRecord> access;
    if (token) access = store.find_access(sha256_hex(*token));
    if (!access) {
        res.set_header("WWW-Authenticate", "Bearer");
        send_error(res, 401, "unauthorized",
                   "this needs the access token handed out with the grant: redeem the share token again");
    }
    return access;
}

void Service::Impl::status(const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    const std::string share_id = req.matches[1];
    auto access = authorise(req, res);
    if (!access) return;
    if (access->share_id != share_id) {
        send_error(res, 401, "unauthorized", "this access token is for another share");
        return;
    }
    const auto share = store.find_share(share_id);
    if (!share) {
        send_error(res, 401, "unauthorized", "this access token is for a share that no longer exists");
        return;
    }
    send_json(res, 200,
              {{"share_id", share->id},
               {"state", share_state_name(share_state(*share, unix_now()))},
               {"expires_at", share->expires_at}});
}

void Service::Impl::clip(const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    // Cleared first, so that httplib never cuts a refusal's JSON to the requested range either.
    // httplib 0.11 answers Range itself, but gets a range reaching past the end wrong (a
    // Content-Length it cannot send) and the totals of multipart answers too. So ranges are
    // answered here, and httplib's parsed copy is cleared (the Request is httplib's own non-const
    // object, handed to handlers as const). Several ranges, or one that cannot be parsed, are
    // ignored as RFC 9110 allows: the whole clip, 200.
    auto& httplib_ranges = const_cast<httplib::Request&>(req).ranges;
    httplib_ranges.clear();
    const std::string clip_id = req.matches[1];
    auto access = authorise(req, res);
    if (!access) return;
    const auto share = store.find_share(access->share_id);
    if (!share) {
        send_error(res, 401, "unauthorized", "this access token is for a share that no longer exists");
        return;
    }
    switch (share_state(*share, unix_now())) {
    case ShareState::revoked:
        send_error(res, 410, "revoked", "the share was revoked by its issuer: its clips can no longer be fetched");
        return;
    case ShareState::expired:
        send_error(res, 410, "expired", "the share has expired: its clips can no longer be fetched");
        return;
    case ShareState::active: break;
    }
    const ShareClip* shared = share->find_clip(clip_id);
    if (!shared || !(shared->perms.view || shared->perms.cache)) {
        send_error(res, 403, "forbidden",
                   shared ? "this share does not allow viewing or caching clip " + clip_id
                          : "clip " + clip_id + " is not part of this share");
        return;
    }
    const auto record = store.find_clip(clip_id);
    if (!record) throw std::runtime_error("share " + share->id + " names clip " + clip_id + ", which is not in the database");
    const fs::path file = data.clips() / record->file;
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + file.string());
    // Closed when httplib is done with the response (the releaser), whichever way that goes.
    auto handle = std::shared_ptr<int>(new int(fd), [](int* f) {
        ::close(*f);
        delete f;
    });
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw std::runtime_error("cannot read " + file.string());
    const int64_t size = st.st_size;

    res.set_header("Accept-Ranges", "bytes");
    int64_t first = 0, count = size;
    if (req.has_header("Range")) {
        if (auto range = single_range(req.get_header_value("Range"))) {
            const auto span = served_span(*range, size);
            if (!span) {
                res.status = 416;
                res.set_header("Content-Range", "bytes */" + std::to_string(size));
                return;
            }
            first = span->first;
            count = span->last - span->first + 1;
            res.status = 206;
            res.set_header("Content-Range", "bytes " + std::to_string(span->first) + "-" +
                                                std::to_string(span->last) + "/" + std::to_string(size));
        }
    }
    // The provider is asked for the bytes a block at a time as they are sent: a large clip is
    // never held in memory.
    res.set_content_provider(
        static_cast<size_t>(count), content_type_for(file),
        [handle, first, rate = clip_rate_kib_s](size_t offset, size_t length, httplib::DataSink& sink) {
            char buf[64 * 1024];
            const size_t want = std::min(length, rate ? std::min<size_t>(sizeof buf, size_t(rate) * 1024 / 20) : sizeof buf);
            const ssize_t n = ::pread(*handle, buf, want, static_cast<off_t>(first + static_cast<int64_t>(offset)));
            if (n <= 0) return false;  // the file shrank under us: end the response
            // A slow courtroom network, for tests and demonstrations: a block, then the time it takes.
            if (rate) std::this_thread::sleep_for(std::chrono::microseconds(int64_t(n) * 1000000 / (rate * 1024)));
            return sink.write(buf, static_cast<size_t>(n));
        },
        [handle](bool) {});
}

void Service::Impl::audit_batch(const httplib::Request& req, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    const AuditAnswer answer = answer_audit_batch(audit, req.body, unix_now());
    if (answer.status != 200) {
        // Court IT see refusals in the log as they happen (and in audit_faults afterwards). The
        // message may quote the request: no control characters reach the log from it.
        std::string message = answer.body.value("message", "");
        std::replace_if(message.begin(), message.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, '?');
        std::fprintf(stderr, "courtplay-server: audit batch from %s refused: %s\n", req.remote_addr.c_str(),
                     message.c_str());
    }
    send_json(res, answer.status, answer.body);
}

Service::Service(const ServiceOptions& options) : impl_(std::make_unique<Impl>(options)) {}

Service::~Service() { stop(); }

int Service::bind() {
    const ListenAddress& l = impl_->listen;
    const int port = l.port == 0 ? impl_->http->bind_to_any_port(l.host) : (impl_->http->bind_to_port(l.host, l.port) ? l.port : -1);
    if (port <= 0) {
        throw std::runtime_error("cannot listen on " + listen_text(l) +
                                 ": another program may be using the port, or the address is not this machine's; "
                                 "give another with --listen HOST:PORT");
    }
    impl_->port = port;
    return port;
}

void Service::run() {
    impl_->run_started = true;
    impl_->http->listen_after_bind();
    impl_->run_ended = true;
}

void Service::start() {
    bind();
    // Set here, not only in run(): a stop() right after start() must wait for the serving thread
    // and stop it, rather than join a thread that has not started listening yet (and never stops).
    impl_->run_started = true;
    impl_->thread = std::thread([this] {
        files::name_this_thread("https-serve");
        run();
    });
}

void Service::stop() {
    if (!impl_) return;
    if (impl_->run_started) {
        // httplib's stop() only takes effect once it is running: wait for run() to get there (or end).
        while (!impl_->http->is_running() && !impl_->run_ended) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        impl_->http->stop();
    }
    if (impl_->thread.joinable()) impl_->thread.join();
}

int Service::port() const { return impl_->port; }

std::string Service::listen_url() const { return https_url(impl_->listen.host, impl_->port); }

}  // namespace courtplay::server
