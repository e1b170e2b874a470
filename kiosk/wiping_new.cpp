// The `courtplay` binary's global operator new and delete: every C++ allocation (strings, JSON,
// the UI's model, a clip's bytes in a std::vector) is wiped when it is deleted
// (kiosk/forgetful_memory.h). Not built under the sanitizers, whose allocator keeps its own books
// and finds new/delete mismatches.
#include "kiosk/forgetful_memory.h"

#include <cstdlib>
#include <new>

namespace {
void* allocate(size_t n) {
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* allocate(size_t n, std::align_val_t align) {
    const auto a = static_cast<size_t>(align);
    if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) return p;  // a multiple of the alignment
    throw std::bad_alloc();
}
using courtplay::kiosk::forget;
}  // namespace

void* operator new(size_t n) { return allocate(n); }
void* operator new[](size_t n) { return allocate(n); }
void* operator new(size_t n, std::align_val_t a) { return allocate(n, a); }
void* operator new[](size_t n, std::align_val_t a) { return allocate(n, a); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return std::malloc(n ? n : 1); }
void operator delete(void* p) noexcept { forget(p); }
void operator delete[](void* p) noexcept { forget(p); }
void operator delete(void* p, size_t) noexcept { forget(p); }
void operator delete[](void* p, size_t) noexcept { forget(p); }
void operator delete(void* p, std::align_val_t) noexcept { forget(p); }
void operator delete[](void* p, std::align_val_t) noexcept { forget(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { forget(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { forget(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { forget(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { forget(p); }
