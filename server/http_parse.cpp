#include "server/http_parse.h"

#include <algorithm>
#include <charconv>

namespace courtplay::server {

std::optional<std::string> bearer_token(std::string_view header) {
    static constexpr std::string_view prefix = "Bearer ";
    if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    return std::string(header.substr(prefix.size()));
}

std::optional<ByteRange> single_range(std::string_view header) {
    static constexpr std::string_view prefix = "bytes=";
    if (header.compare(0, prefix.size(), prefix) != 0 || header.find(',') != std::string_view::npos) return std::nullopt;
    const std::string_view spec = header.substr(prefix.size());
    const size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    // Digits only, and at most 18 of them: every such number fits in int64_t, so neither the
    // parse nor the service's arithmetic on it (size - last, last - first + 1) can overflow.
    const auto number = [](std::string_view s) -> std::optional<int64_t> {
        if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
        int64_t n = 0;
        std::from_chars(s.data(), s.data() + s.size(), n);
        return n;
    };
    ByteRange r{number(spec.substr(0, dash)), number(spec.substr(dash + 1))};
    if (!r.first && !r.last) return std::nullopt;
    // A side that has text must be a number: "bytes=5-x" and "bytes=x-5" are not ranges.
    if (dash + 1 < spec.size() && !r.last) return std::nullopt;
    if (dash > 0 && !r.first) return std::nullopt;
    return r;
}

std::optional<ByteSpan> served_span(const ByteRange& r, int64_t size) {
    if (!r.first) {  // suffix: the last N bytes
        if (*r.last <= 0 || size <= 0) return std::nullopt;
        return ByteSpan{std::max<int64_t>(0, size - *r.last), size - 1};
    }
    if ((r.last && *r.last < *r.first) || *r.first >= size) return std::nullopt;
    return ByteSpan{*r.first, r.last ? std::min(*r.last, size - 1) : size - 1};
}

}  // namespace courtplay::server
