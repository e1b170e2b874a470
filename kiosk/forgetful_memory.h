// The kiosk forgets what it frees. Share codes, grants, case references, clip titles and the
// evidence's own pictures pass through the heap of a machine the public stands next to; a session
// that has ended must leave none of them behind (docs/kiosk.md, "Nothing left in memory"). Freed memory
// is wiped before it goes back to the allocator, for every allocator the kiosk's code and its
// libraries use, and the pictures' large buffers go back to the kernel.
//
// The binary's own operator new and delete wipe too (kiosk/wiping_new.cpp).
#pragma once

#include "files/wipe_stack.h"

#include <string>

namespace courtplay::kiosk {

// Call first thing in main(), before any library allocates: OpenSSL, libcurl, SDL and Dear ImGui
// then allocate through functions that wipe on free, and glibc returns large blocks (decoded
// pictures, sound buffers) to the kernel when freed instead of keeping them for reuse.
void forget_what_is_freed();

// Wipes the whole block (malloc_usable_size) and frees it. Null does nothing.
void forget(void* p);
// Empties the text and wipes all of its buffer: clear() alone leaves all but the first character.
void forget(std::string& text);

// The stale frames of calls that have returned (a share code in a parser's locals).
using files::wipe_stack_below;

}  // namespace courtplay::kiosk
