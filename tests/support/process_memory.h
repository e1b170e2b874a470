// What a running process still holds in memory: its writable mappings (heap, stacks, anonymous
// memory) read through /proc/PID/mem, searched for text. The kiosk's promise that a session leaves
// nothing behind is checked with this, in the real process, after the session has ended.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace courtplay::testing {

struct MemoryFind {
    std::string text;     // what was looked for
    std::string mapping;  // where it was found: "[heap]", "[stack]", "anonymous", or the mapped file
    unsigned long address = 0;
};

// Every place in the process's writable memory where one of `texts` occurs. Mappings of files
// (the program's own data, libraries) are left out: only what the process wrote at run time counts.
// Throws std::runtime_error when the process's memory cannot be read.
std::vector<MemoryFind> find_in_memory(pid_t pid, const std::vector<std::string>& texts);

// "'01YZ1234526' in [heap] at 0x55d1...; ..." for a test's failure message.
std::string describe(const std::vector<MemoryFind>& found);

}  // namespace courtplay::testing
