// The parts of a share service request that are read from untrusted headers, apart from httplib
// so that a fuzzer can reach them without a server: the access token and the byte range.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace courtplay::server {

// The token of an "Authorization: Bearer TOKEN" header; nullopt when the header is missing (empty),
// names another scheme or has no token. The token is only ever hashed and looked up, so it is not
// checked further here.
std::optional<std::string> bearer_token(std::string_view header);

// One range of a Range header. Both ends are inclusive byte offsets; no first means a suffix range
// ("the last `last` bytes"), no last means "from first to the end".
struct ByteRange {
    std::optional<int64_t> first, last;
};

// A single "bytes=A-B", "bytes=A-" or "bytes=-N"; nullopt for anything else (several ranges,
// other units, spaces, signs, numbers over 18 digits), which the service answers with the whole
// clip as RFC 9110 allows.
std::optional<ByteRange> single_range(std::string_view header);

// The bytes `first`..`last` (inclusive) of a file of `size` bytes that the range selects, or
// nullopt when it selects none (the service answers 416).
struct ByteSpan {
    int64_t first = 0, last = 0;
};
std::optional<ByteSpan> served_span(const ByteRange& r, int64_t size);

}  // namespace courtplay::server
