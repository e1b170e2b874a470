#include "server/data_folder.h"

#include <stdexcept>

namespace courtplay::server {

namespace fs = std::filesystem;

DataFolder::DataFolder(const fs::path& dir) : root(fs::weakly_canonical(fs::absolute(dir))) {}

fs::path DataFolder::issuer_key(auth::Party p) const {
    return root / "issuers" / (std::string(auth::party_name(p)) + ".key");
}

fs::path DataFolder::issuer_jwk(auth::Party p) const {
    return root / "issuers" / (std::string(auth::party_name(p)) + ".jwk");
}

void DataFolder::require_initialised() const {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        throw std::runtime_error("there is no data folder at " + root.string() +
                                 ": make one with `courtplay-server init --data " + root.string() + "`");
    }
    if (!fs::is_regular_file(database(), ec)) {
        throw std::runtime_error(root.string() + " is not a courtplay-server data folder (no share.db): make one with "
                                 "`courtplay-server init --data DIR`, or give the folder init made");
    }
}

}  // namespace courtplay::server
