// Where everything lives in a service's data folder (made by `courtplay-server init`):
//
//   DIR/ca/ca.pem, ca.key               the development CA (P-256); the kiosk trusts ca.pem
//   DIR/tls/server.pem, server.key      the service's TLS certificate, signed by the CA
//   DIR/issuers/<party>.key, .jwk       the Ed25519 key that signs a party's grants, and its public JWK
//   DIR/share.db                        clips, shares, redemptions, failed redemptions (SQLite, WAL)
//   DIR/clips/                          the clip files, named by clip id
//   DIR/kiosk.toml, DIR/kiosk/          a ready kiosk configuration and its state folder
//   DIR/tls/receiver.pem, receiver.key  a courtroom receiver's certificate (for pairing), from the CA
//   DIR/receiver.toml                   a ready receiver configuration using it
#pragma once

#include "auth/grant.h"

#include <filesystem>

namespace courtplay::server {

struct DataFolder {
    std::filesystem::path root;  // absolute

    explicit DataFolder(const std::filesystem::path& dir);

    std::filesystem::path ca_cert() const { return root / "ca" / "ca.pem"; }
    std::filesystem::path ca_key() const { return root / "ca" / "ca.key"; }
    std::filesystem::path tls_cert() const { return root / "tls" / "server.pem"; }
    std::filesystem::path tls_key() const { return root / "tls" / "server.key"; }
    std::filesystem::path issuer_key(auth::Party p) const;
    std::filesystem::path issuer_jwk(auth::Party p) const;
    std::filesystem::path database() const { return root / "share.db"; }
    std::filesystem::path clips() const { return root / "clips"; }
    std::filesystem::path kiosk_config() const { return root / "kiosk.toml"; }
    std::filesystem::path kiosk_state() const { return root / "kiosk"; }
    std::filesystem::path receiver_cert() const { return root / "tls" / "receiver.pem"; }
    std::filesystem::path receiver_key() const { return root / "tls" / "receiver.key"; }
    std::filesystem::path receiver_config() const { return root / "receiver.toml"; }

    // Throws std::runtime_error saying how to make one when `root` is not an initialised data folder.
    void require_initialised() const;
};

}  // namespace courtplay::server
