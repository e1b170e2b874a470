#include "audit/journal_scan.h"

namespace courtplay::audit {
namespace {

// After a bad line: does anything later parse as a line? Then the bad bytes are not a torn tail.
bool good_lines_follow(std::string_view rest) {
    size_t pos = 0;
    while (pos < rest.size()) {
        const size_t nl = rest.find('\n', pos);
        if (nl == std::string_view::npos) return false;  // an unfinished last line is the torn part
        if (parse_line(rest.substr(pos, nl - pos))) return true;
        pos = nl + 1;
    }
    return false;
}

}  // namespace

SegmentScan scan_segment(std::string_view bytes, const ChainHead& start, const ScanOptions& options) {
    SegmentScan scan;
    scan.head = start;
    ChainHead pending = start;           // the newest record read, sealed or not
    std::vector<Line> unsealed;          // records since the last good seal
    size_t pos = 0;
    std::string fault;
    while (pos < bytes.size()) {
        const size_t nl = bytes.find('\n', pos);
        if (nl == std::string_view::npos) {
            fault = "the last line is unfinished";
            break;
        }
        const std::optional<Line> line = parse_line(bytes.substr(pos, nl - pos));
        if (!line) {
            fault = "a line is not a journal record";
            break;
        }
        if (const auto* record = std::get_if<Record>(&*line)) {
            if (auto why = follow_fault(pending, *record)) {
                fault = "the record after " + std::to_string(pending.seq) + " does not check: " + *why;
                break;
            }
            pending = {record->seq(), record->hash};
            if (options.keep_lines && pending.seq > options.keep_after_seq) unsealed.push_back(*line);
        } else {
            const auto& seal = std::get<Seal>(*line);
            const bool covers = seal.seq == pending.seq && seal.head == pending.hash && pending.seq > scan.head.seq;
            bool signed_ok = covers;
            if (covers && options.check_signatures) {
                const auto key = seal_key(seal);
                signed_ok = key && seal_verifies(seal, *key);
            }
            if (!signed_ok) {
                fault = "the seal after record " + std::to_string(pending.seq) + " does not check";
                break;
            }
            scan.head = pending;
            scan.good_end = nl + 1;
            if (options.keep_lines && seal.seq > options.keep_after_seq) {
                scan.kept_records += unsealed.size();
                scan.lines.insert(scan.lines.end(), unsealed.begin(), unsealed.end());
                scan.lines.push_back(*line);
                unsealed.clear();
            }
            if (scan.kept_records >= options.stop_after) {
                scan.stopped = true;
                return scan;
            }
        }
        pos = nl + 1;
    }
    if (fault.empty() && pending.seq != scan.head.seq) fault = "the newest records were never sealed";
    if (!fault.empty()) {
        const size_t bad_end = bytes.find('\n', pos);
        const bool more = bad_end != std::string_view::npos && good_lines_follow(bytes.substr(bad_end + 1));
        scan.tail = more ? SegmentTail::damaged : SegmentTail::torn;
        scan.fault = fault;
    }
    return scan;
}

}  // namespace courtplay::audit
