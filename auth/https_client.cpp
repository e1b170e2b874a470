#include "auth/https_client.h"

#include <curl/curl.h>
#include <strings.h>

#include <mutex>

namespace courtplay::auth {
namespace {
constexpr size_t kMaxBody = 4 << 20;

struct Sink {
    HttpResponse* response;
    bool too_large = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    if (sink->response->body.size() + size * n > kMaxBody) {
        sink->too_large = true;
        return 0;
    }
    sink->response->body.append(data, size * n);
    return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    std::string line(data, size * n);
    static constexpr char kName[] = "retry-after:";
    if (line.size() > sizeof kName - 1 && strncasecmp(line.c_str(), kName, sizeof kName - 1) == 0) {
        std::string value = line.substr(sizeof kName - 1);
        const auto b = value.find_first_not_of(" \t"), e = value.find_last_not_of(" \t\r\n");
        sink->response->retry_after = b == std::string::npos ? "" : value.substr(b, e - b + 1);
    }
    return size * n;
}

bool is_tls_failure(CURLcode rc) {
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_USE_SSL_FAILED:
        return true;
    default:
        return false;
    }
}
}  // namespace

struct HttpsClient::Curl {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle{nullptr, curl_easy_cleanup};
};

HttpsClient::HttpsClient(TlsPolicy tls) : tls_(std::move(tls)), curl_(std::make_unique<Curl>()) {
    static std::once_flag global;
    std::call_once(global, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_->handle.reset(curl_easy_init());
    if (!curl_->handle) throw NetworkError(false, "libcurl could not start");
}

HttpsClient::~HttpsClient() = default;

void HttpsClient::close() { curl_->handle.reset(); }

HttpResponse HttpsClient::get(const std::string& url, const std::string& bearer) {
    return perform(url, nullptr, bearer);
}

HttpResponse HttpsClient::post_json(const std::string& url, const std::string& json_body) {
    return perform(url, &json_body, {});
}

HttpResponse HttpsClient::perform(const std::string& url, const std::string* post_body, const std::string& bearer) {
    if (!curl_->handle) curl_->handle.reset(curl_easy_init());  // after close()
    CURL* c = curl_->handle.get();
    if (!c) throw NetworkError(false, "libcurl could not start");
    curl_easy_reset(c);
    HttpResponse response;
    Sink sink{&response};
    char error[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_SSLVERSION, long(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_CAINFO, tls_.ca_file.c_str());
    // Only the configured CA: the system's bundle would let any public CA vouch for the service.
    curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
    if (!tls_.spki_pin.empty()) curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, tls_.spki_pin.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, long(tls_.timeout_s));
    curl_easy_setopt(c, CURLOPT_TIMEOUT, long(tls_.timeout_s));
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "courtplay/0.1");

    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
    auto add_header = [&](const std::string& h) { headers.reset(curl_slist_append(headers.release(), h.c_str())); };
    add_header("Accept: application/json");
    if (!bearer.empty()) add_header("Authorization: Bearer " + bearer);
    if (post_body) {
        add_header("Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body->c_str());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, long(post_body->size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

    const CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    if (rc != CURLE_OK) {
        if (sink.too_large) throw NetworkError(false, "the share service sent an answer too large to be one");
        const std::string detail = error[0] ? error : curl_easy_strerror(rc);
        if (is_tls_failure(rc))
            throw NetworkError(true, "the secure connection to the share service failed: " + detail);
        throw NetworkError(false, "the share service could not be reached: " + detail);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

}  // namespace courtplay::auth
