#include "kiosk/forgetful_memory.h"

#include <SDL.h>
#include <curl/curl.h>
#include <imgui.h>
#include <malloc.h>
#include <openssl/crypto.h>

#include <cstdlib>
#include <cstring>

namespace courtplay::kiosk {
namespace {

// realloc that wipes the block it leaves: the new block is a fresh one, the old one is wiped.
void* moved(void* p, size_t size) {
    if (!p) return std::malloc(size);
    if (size == 0) {
        forget(p);
        return nullptr;
    }
    const size_t had = malloc_usable_size(p);
    if (size <= had) return p;  // shrinking in place: nothing is left behind that was not there
    void* fresh = std::malloc(size);
    if (!fresh) return nullptr;
    std::memcpy(fresh, p, had);
    forget(p);
    return fresh;
}

char* copied(const char* s) {
    const size_t n = std::strlen(s) + 1;
    auto* out = static_cast<char*>(std::malloc(n));
    if (out) std::memcpy(out, s, n);
    return out;
}

void* crypto_malloc(size_t n, const char*, int) { return std::malloc(n); }
void* crypto_realloc(void* p, size_t n, const char*, int) { return moved(p, n); }
void crypto_free(void* p, const char*, int) { forget(p); }

void* imgui_alloc(size_t n, void*) { return std::malloc(n); }
void imgui_free(void* p, void*) { forget(p); }

// Blocks at least this large (a 360p picture's planes, sound buffers) are mapped from the kernel
// and unmapped when freed. glibc would otherwise raise this limit as such blocks are freed and
// keep later ones in its heap for reuse, with the pictures still in them.
constexpr int kReturnedToKernel = 128 * 1024;

}  // namespace

// explicit_bzero, which the compiler may not drop as a dead store before free().
void forget(void* p) {
    if (!p) return;
    explicit_bzero(p, malloc_usable_size(p));
    std::free(p);
}

void forget(std::string& text) {
    explicit_bzero(text.data(), text.capacity());
    text.clear();
}

void forget_what_is_freed() {
    mallopt(M_MMAP_THRESHOLD, kReturnedToKernel);
    // Anything freed through glibc's heap by code not covered below (FFmpeg's own small blocks) is
    // overwritten as it is freed, except the smallest, which glibc caches per thread.
    mallopt(M_PERTURB, 0x5a);
    // Each of these is refused only once its library has allocated, which none does before main().
    CRYPTO_set_mem_functions(crypto_malloc, crypto_realloc, crypto_free);
    curl_global_init_mem(CURL_GLOBAL_DEFAULT, std::malloc, forget, moved, copied, std::calloc);
    SDL_SetMemoryFunctions(std::malloc, std::calloc, moved, forget);
    ImGui::SetAllocatorFunctions(imgui_alloc, imgui_free);
}

}  // namespace courtplay::kiosk
