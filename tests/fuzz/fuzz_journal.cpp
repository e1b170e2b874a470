// Untrusted bytes as an audit journal segment, as recovery after a crash reads it: the scanner
// must find the good part and say whether the rest is torn or damaged, never crash, hang or read
// out of bounds. The bytes are scanned alone and after a real, well-formed batch, so that the
// chain and seal checks are reached with a real head in front of the fuzzer's bytes.
#include "audit/journal_scan.h"

#include <cstdint>
#include <string>

using namespace courtplay::audit;

namespace {
// Two records and their seal, made and signed as the journal makes them.
const std::string& good_batch() {
    static const std::string text = [] {
        const auto key = courtplay::auth::SigningKey::from_raw(std::vector<uint8_t>(32, 9));
        std::string out;
        ChainHead head;
        for (int seq = 1; seq <= 2; ++seq) {
            nlohmann::json e = {{"id", std::string(32, 'a' + seq)}, {"seq", seq}, {"type", "play"},
                                {"kiosk_id", "kiosk-1"}, {"utc", "2026-11-28T22:00:00.000Z"}, {"mono_ns", 1}};
            Record r{e, head.hash, record_hash(head.hash, e.dump())};
            head = {seq, r.hash};
            out += to_text(r) + "\n";
        }
        return out + to_text(make_seal(key, "kiosk-1", head.seq, head.hash)) + "\n";
    }();
    return text;
}

void check(const std::string& bytes) {
    const SegmentScan scan = scan_segment(bytes, {}, {.check_signatures = true, .keep_lines = true});
    if (scan.good_end > bytes.size()) __builtin_trap();
    if (scan.tail == SegmentTail::clean && scan.good_end != bytes.size()) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    check(bytes);
    check(good_batch() + bytes);
    (void)parse_line(bytes);
    return 0;
}
