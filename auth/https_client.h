// HTTPS requests to the share service through libcurl, with TLS exactly as the config says:
// TLS 1.2 or newer, the peer verified against the configured CA bundle only (not the system's),
// host name verified, optional SPKI pin, https only, no redirects.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace courtplay::auth {

struct TlsPolicy {
    std::filesystem::path ca_file;
    std::string spki_pin;  // "sha256//BASE64[;sha256//...]" or empty
    int timeout_s = 15;
};

// Nothing trustworthy came back: the service is unreachable, or TLS failed. `tls` tells which,
// because the fix differs (a cable or a service restart, versus court IT checking certificates).
struct NetworkError : std::runtime_error {
    NetworkError(bool is_tls, const std::string& what) : std::runtime_error(what), tls(is_tls) {}
    bool tls;
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::string retry_after;  // the Retry-After header, if any
};

class HttpsClient {
public:
    explicit HttpsClient(TlsPolicy tls);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    // Throws NetworkError. Bodies over 4 MiB are refused: API answers are small.
    HttpResponse get(const std::string& url, const std::string& bearer = {});
    HttpResponse post_json(const std::string& url, const std::string& json_body);
    // Closes the connection and frees what the last request left in libcurl: its address, its
    // headers (an access token) and the answer's buffers. The next request connects again.
    void close();

private:
    HttpResponse perform(const std::string& url, const std::string* post_body, const std::string& bearer);
    struct Curl;
    TlsPolicy tls_;
    std::unique_ptr<Curl> curl_;  // one handle, so consecutive requests reuse the TLS connection
};

}  // namespace courtplay::auth
