// Small shared pieces: the clock, random ids, listen addresses and URLs.
#pragma once

#include "auth/court_time.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace courtplay::server {

// Unix seconds, UTC: the only time the service stores or sends.
using auth::unix_now;

// prefix + `length` random symbols of lower-case RFC 4648 base32 ("sh_" + 12 -> "sh_k3j5...").
std::string random_id(std::string_view prefix, size_t length);

// SHA-256 of text, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view text);

struct ListenAddress {
    std::string host;  // "127.0.0.1", "::1" (no brackets), "0.0.0.0"
    int port = 0;
};
// "HOST:PORT" or "[IPV6]:PORT"; port 0..65535 (0: any free port).
std::optional<ListenAddress> parse_listen(std::string_view text);
std::string listen_text(const ListenAddress& a);  // back to "HOST:PORT" / "[V6]:PORT"

bool is_ip_literal(std::string_view host);
// "https://NAME:PORT", with brackets around an IPv6 literal.
std::string https_url(std::string_view host, int port);

std::vector<std::string> split(std::string_view text, char separator);

}  // namespace courtplay::server

namespace courtplay::server {
// A DNS name (letters, digits, '-', '.'; labels of 1..63) or an IP literal.
bool is_valid_hostname(std::string_view host);
}  // namespace courtplay::server
