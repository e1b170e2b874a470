#include "server/util.h"

#include "auth/base64url.h"

#include <arpa/inet.h>

#include <charconv>

namespace courtplay::server {

std::string random_id(std::string_view prefix, size_t length) {
    static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    const std::vector<uint8_t> bytes = auth::random_bytes(length);
    std::string id(prefix);
    for (uint8_t b : bytes) id += alphabet[b % 32];  // 256 is a multiple of 32: no bias
    return id;
}

std::string sha256_hex(std::string_view text) {
    const auto digest = auth::sha256(text);
    return auth::hex(digest);
}

std::optional<ListenAddress> parse_listen(std::string_view text) {
    ListenAddress a;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const size_t close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
        a.host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
    } else {
        const size_t colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        a.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
        if (a.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs brackets
    }
    if (a.host.empty() || port.empty()) return std::nullopt;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
    if (ec != std::errc() || end != port.data() + port.size() || a.port < 0 || a.port > 65535) return std::nullopt;
    return a;
}

std::string listen_text(const ListenAddress& a) {
    return (a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

bool is_ip_literal(std::string_view host) {
    const std::string h(host);
    unsigned char buf[16];
    return inet_pton(AF_INET, h.c_str(), buf) == 1 || inet_pton(AF_INET6, h.c_str(), buf) == 1;
}

std::string https_url(std::string_view host, int port) {
    return listen_text({std::string(host), port}).insert(0, "https://");
}

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t at = text.find(separator, start);
        parts.emplace_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
        if (at == std::string_view::npos) break;
        start = at + 1;
    }
    return parts;
}

}  // namespace courtplay::server

namespace courtplay::server {

bool is_valid_hostname(std::string_view host) {
    if (is_ip_literal(host)) return true;
    if (host.empty() || host.size() > 253) return false;
    for (const std::string& label : split(host, '.')) {
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char c : label) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) return false;
        }
    }
    return true;
}

}  // namespace courtplay::server
