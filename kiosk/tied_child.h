// A helper program the kiosk starts and that must not outlive it: `courtplay --demo`'s share
// service. The kiosk does not always end through its destructors (when the X server goes away,
// Xlib's I/O error handler calls exit()), so the kernel is asked to stop the child instead
// (PR_SET_PDEATHSIG): however the kiosk ends, its child is sent SIGTERM.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace courtplay::kiosk {

// Starts `args` (args[0] a path, or a name looked up on PATH) with stdout and stderr written to
// `out` and `err` (owner-only); its pid, for waitpid(). Throws std::runtime_error when no
// process can be made. A program that cannot be started exits 127 and says why in `err`.
// Call it from the main thread: the child is stopped when the thread that started it ends.
pid_t spawn_tied(const std::vector<std::string>& args, const std::filesystem::path& out,
                 const std::filesystem::path& err);

}  // namespace courtplay::kiosk
