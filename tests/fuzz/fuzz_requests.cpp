// Untrusted bytes as what a request carries: a Range header, an Authorization header and a share
// code (typed, scanned or in the redeem body). The parsers must refuse anything malformed, never
// crash or read out of bounds, and what they accept must keep the promises the service relies on.
#include "auth/share_token.h"
#include "server/http_parse.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

using namespace courtplay;

namespace {

void check(bool ok) {
    if (!ok) __builtin_trap();
}

// What the service serves must lie inside the file: pread is asked for first..last and
// Content-Range says first-last/size.
void check_served_span(const server::ByteSpan& span, int64_t size) {
    check(span.first >= 0 && span.first < size);
    check(span.last >= span.first && span.last < size);
}

void fuzz_range(std::string_view header) {
    const auto range = server::single_range(header);
    if (!range) return;
    check(range->first || range->last);
    // Sizes at the edges, and at the edges of the range itself (its numbers are at most 18 digits,
    // so +1 cannot overflow).
    std::vector<int64_t> sizes{0, 1, 2, 1000, std::numeric_limits<int64_t>::max() - 1,
                               std::numeric_limits<int64_t>::max()};
    for (const auto& end : {range->first, range->last}) {
        if (!end) continue;
        check(*end >= 0 && *end <= 999'999'999'999'999'999);
        sizes.push_back(*end);
        sizes.push_back(*end + 1);
    }
    for (const int64_t size : sizes)
        if (auto span = server::served_span(*range, size)) check_served_span(*span, size);
}

void fuzz_bearer(std::string_view header) {
    const auto token = server::bearer_token(header);
    if (!token) return;
    check(!token->empty() && "Bearer " + *token == header);
}

void fuzz_share_code(std::string_view typed) {
    const auth::TokenReading reading = auth::read_share_token(typed);
    if (!reading.token) {
        check(!reading.problem.empty());
        return;
    }
    const std::string& code = *reading.token;
    check(code.size() == 24);
    for (size_t i = 0; i < code.size(); ++i) check((code[i] == '-') == (i == 4 || i == 9 || i == 14 || i == 19));
    const auth::TokenReading again = auth::read_share_token(code);
    check(again.token && *again.token == code);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    fuzz_range(bytes);
    fuzz_bearer(bytes);
    fuzz_share_code(bytes);
    return 0;
}
