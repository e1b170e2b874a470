// Wiping the stale frames a thread's calls leave below it: a share id in a request formatted on
// the stack stays there after the call returns, and after the thread ends too (glibc keeps the
// stacks of finished threads for the next ones). Header only: the auth, audit and kiosk threads
// use it without linking anything.
#pragma once

#include <alloca.h>
#include <string.h>

#include <cstddef>

namespace courtplay::files {

// Wipes `bytes` of this thread's stack below the caller's frame. A thread calls it as it finishes
// its work, from its outermost function.
[[gnu::noinline]] inline void wipe_stack_below(size_t bytes = 64 * 1024) {
    auto* area = static_cast<unsigned char*>(alloca(bytes));
    explicit_bzero(area, bytes);
}

}  // namespace courtplay::files
