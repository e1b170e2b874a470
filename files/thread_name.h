// A name for each of courtplay's threads, so that court IT (`top -H`, `ps -L`, a core dump in
// coredumpctl) see which part of the kiosk is busy or stuck, not "courtplay" eleven times.
// Header only, like wipe_stack.h: every library's threads use it without linking anything.
#pragma once

#include <pthread.h>

namespace courtplay::files {

// Names the calling thread. Linux keeps 15 characters; longer names are not set at all.
inline void name_this_thread(const char* name) { pthread_setname_np(pthread_self(), name); }

}  // namespace courtplay::files
