// The development CA and the service's TLS certificates (OpenSSL 3, ECDSA P-256 with SHA-256:
// what every TLS client accepts, libcurl and cpp-httplib included).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace courtplay::server {

// Makes a self-signed CA ("courtplay development CA") valid from now for `days`, writing the
// certificate (PEM, 0644) and its private key (PKCS#8 PEM, 0600). Throws std::runtime_error.
void make_ca(const std::filesystem::path& cert_out, const std::filesystem::path& key_out, int days);

// Issues a TLS server certificate for `hostname` from the CA in the data folder `data`
// (DIR/ca/ca.pem and ca.key), valid from `not_before` to `not_after` (Unix seconds; either may be in
// the past, which is how tests make an expired certificate). The subject alternative name is
// DNS:hostname, or IP:hostname when it is an IP literal. A fresh P-256 key goes to `key_out` (0600).
void issue_server_cert(const std::filesystem::path& data, const std::string& hostname, int64_t not_before,
                       int64_t not_after, const std::filesystem::path& cert_out,
                       const std::filesystem::path& key_out);

// Issues a courtroom receiver's certificate (docs/cast.md): common name `name` (what the kiosk
// records as the screen), serverAuth, for each of `addresses` (host names or IP literals).
void issue_receiver_cert(const std::filesystem::path& data, const std::string& name,
                         const std::vector<std::string>& addresses, int64_t not_before, int64_t not_after,
                         const std::filesystem::path& cert_out, const std::filesystem::path& key_out);

}  // namespace courtplay::server
