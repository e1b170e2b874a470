// The kiosk's cache key: 32 random bytes made on first start, in a file only its owner can read,
// outside the cache folder. Every clip's own key is sealed under it, so the cache folder alone
// (a copied disk, a stolen drive without the key's volume) reveals nothing.
// On hardware with a TPM the file lives on a tmpfs and is unsealed there at boot (docs/cache.md).
#pragma once

#include "cache/aead.h"

#include <filesystem>
#include <stdexcept>

namespace courtplay::cache {

// Problems court IT must fix: the key's permissions, an unwritable folder, a full disk.
struct CacheError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Reads the key, or makes it (and its folder, 0700) when the file does not exist. Throws
// CacheError for a key that others can read, that another user owns, or that is not 32 bytes.
SecretKey load_or_create_kiosk_key(const std::filesystem::path& file);

}  // namespace courtplay::cache
