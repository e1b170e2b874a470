#include "support/process_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

namespace courtplay::testing {
namespace {

struct Mapping {
    unsigned long start = 0, end = 0;
    std::string name;
};

// Writable mappings not backed by a file: what the process allocated and wrote itself.
std::vector<Mapping> writable_mappings(pid_t pid) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    if (!maps) throw std::runtime_error("cannot read /proc/" + std::to_string(pid) + "/maps");
    std::vector<Mapping> out;
    for (std::string line; std::getline(maps, line);) {
        std::istringstream in(line);
        std::string range, perms, offset, device, inode, name;
        in >> range >> perms >> offset >> device >> inode;
        std::getline(in >> std::ws, name);
        if (perms.size() < 2 || perms[0] != 'r' || perms[1] != 'w') continue;
        if (inode != "0" || name == "[vvar]" || name == "[vsyscall]") continue;
        Mapping m;
        if (std::sscanf(range.c_str(), "%lx-%lx", &m.start, &m.end) != 2) continue;
        m.name = name.empty() ? "anonymous" : name;
        out.push_back(m);
    }
    return out;
}

}  // namespace

std::vector<MemoryFind> find_in_memory(pid_t pid, const std::vector<std::string>& texts) {
    const std::string mem_path = "/proc/" + std::to_string(pid) + "/mem";
    const int fd = ::open(mem_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + mem_path);
    size_t longest = 1;
    for (const std::string& t : texts) longest = std::max(longest, t.size());
    std::vector<MemoryFind> found;
    std::string block;
    // Read in blocks that overlap by the longest text, so nothing is missed at a block's edge.
    constexpr size_t kBlock = 1 << 20;
    for (const Mapping& m : writable_mappings(pid)) {
        for (unsigned long at = m.start; at < m.end;) {
            const size_t want = std::min<unsigned long>(kBlock + longest, m.end - at);
            block.resize(want);
            const ssize_t got = ::pread(fd, block.data(), want, static_cast<off_t>(at));
            if (got <= 0) break;  // a guard page, or the mapping went away
            block.resize(static_cast<size_t>(got));
            const bool last = at + block.size() >= m.end;
            for (const std::string& t : texts) {
                std::boyer_moore_horspool_searcher search(t.begin(), t.end());
                for (auto it = std::search(block.begin(), block.end(), search); it != block.end();
                     it = std::search(it + 1, block.end(), search)) {
                    const size_t offset = static_cast<size_t>(it - block.begin());
                    // What starts in the overlap is the next block's to report.
                    if (offset < kBlock || last) found.push_back({t, m.name, at + offset});
                }
            }
            if (last) break;
            at += kBlock;
        }
    }
    ::close(fd);
    return found;
}

std::string describe(const std::vector<MemoryFind>& found) {
    std::ostringstream out;
    for (const MemoryFind& f : found) {
        char address[32];
        std::snprintf(address, sizeof address, "%#lx", f.address);
        out << "'" << f.text << "' in " << f.mapping << " at " << address << "; ";
    }
    return out.str();
}

}  // namespace courtplay::testing
