// Reading a journal segment back: which lines check, where the good part ends, and whether what
// follows is a torn tail (a crash mid-append: cut it) or damage with good lines after it (leave it
// for court IT). A pure function over bytes, so it is fuzzed as it is (tests/fuzz/fuzz_journal.cpp).
#pragma once

#include "audit/chain.h"

#include <cstdint>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace courtplay::audit {

enum class SegmentTail {
    clean,    // every byte checks
    torn,     // bytes after the last good seal that do not check, and nothing good after them
    damaged,  // bytes that do not check, with good-looking lines after them
};

struct SegmentScan {
    ChainHead head;          // at the last good seal (the start head when there is none)
    size_t good_end = 0;     // bytes up to and including the last good seal's line
    SegmentTail tail = SegmentTail::clean;
    std::string fault;       // what was found at the first bad byte, in words
    std::vector<Line> lines; // the good lines, when asked for
    size_t kept_records = 0;
    bool stopped = false;    // stopped at `stop_after`: good_end is that seal's end, the rest unread
};

struct ScanOptions {
    bool check_signatures = true;  // verify each seal's signature with the key it names
    bool keep_lines = false;
    int64_t keep_after_seq = 0;    // lines up to this sequence number are checked, not kept
    size_t stop_after = SIZE_MAX;  // stop at the first seal once this many records are kept
};

// Scans `bytes`, the whole of one segment, as the continuation of `start`.
SegmentScan scan_segment(std::string_view bytes, const ChainHead& start, const ScanOptions& options);

}  // namespace courtplay::audit
