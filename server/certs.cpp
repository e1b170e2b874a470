#include "server/certs.h"

#include "auth/keys.h"
#include "server/util.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace courtplay::server {
namespace {

namespace fs = std::filesystem;

struct Free {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
    void operator()(X509* p) const { X509_free(p); }
    void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
    void operator()(BIO* p) const { BIO_free(p); }
    void operator()(BIGNUM* p) const { BN_free(p); }
    void operator()(ASN1_INTEGER* p) const { ASN1_INTEGER_free(p); }
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Free>;
using Cert = std::unique_ptr<X509, Free>;
using Ext = std::unique_ptr<X509_EXTENSION, Free>;
using Bio = std::unique_ptr<BIO, Free>;
using Bignum = std::unique_ptr<BIGNUM, Free>;
using Asn1Int = std::unique_ptr<ASN1_INTEGER, Free>;

[[noreturn]] void fail(const std::string& what) {
    std::string detail;
    if (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        detail = std::string(" (") + buf + ")";
    }
    ERR_clear_error();
    throw std::runtime_error("certificates: " + what + detail);
}

Pkey make_p256_key() {
    Pkey key(EVP_EC_gen("P-256"));
    if (!key) fail("cannot make a P-256 key");
    return key;
}

std::string to_pem(EVP_PKEY* key) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
        fail("cannot write a private key");
    }
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
}

std::string to_pem(X509* cert) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_X509(bio.get(), cert)) fail("cannot write a certificate");
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
}

Pkey load_key(const fs::path& file) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!f) throw std::runtime_error("cannot read the CA key " + file.string() + ": is this a data folder made by init?");
    Pkey key(PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr));
    if (!key) fail("cannot parse the key in " + file.string());
    return key;
}

Cert load_cert(const fs::path& file) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(file.c_str(), "rb"), &std::fclose);
    if (!f) {
        throw std::runtime_error("cannot read the CA certificate " + file.string() +
                                 ": is this a data folder made by init?");
    }
    Cert cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
    if (!cert) fail("cannot parse the certificate in " + file.string());
    return cert;
}

// A random positive 127-bit serial, as the CA/Browser baseline asks (at least 64 random bits).
void set_random_serial(X509* cert) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) fail("no random bytes for a serial number");
    bytes[0] &= 0x7f;
    Bignum bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
    if (!bn) fail("cannot make a serial number");
    Asn1Int serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    if (!serial || !X509_set_serialNumber(cert, serial.get())) fail("cannot set the serial number");
}

void set_validity(X509* cert, int64_t not_before, int64_t not_after) {
    if (!ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(not_before)) ||
        !ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(not_after))) {
        fail("cannot set the validity period");
    }
}

void set_common_name(X509_NAME* name, const std::string& cn) {
    if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("courtplay"),
                                    -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()),
                                    -1, -1, 0)) {
        fail("cannot set the name " + cn);
    }
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    if (!ext || !X509_add_ext(cert, ext.get(), -1)) fail("cannot add the extension " + value);
}

void write_key(const fs::path& file, EVP_PKEY* key) { auth::write_file_atomic(file, to_pem(key), 0600); }
void write_cert(const fs::path& file, X509* cert) { auth::write_file_atomic(file, to_pem(cert), 0644); }

}  // namespace

void make_ca(const fs::path& cert_out, const fs::path& key_out, int days) {
    Pkey key = make_p256_key();
    Cert cert(X509_new());
    if (!cert || !X509_set_version(cert.get(), 2)) fail("cannot make a certificate");
    set_random_serial(cert.get());
    const int64_t now = unix_now();
    // An hour back, so a kiosk whose clock is a little behind still accepts it.
    set_validity(cert.get(), now - 3600, now + int64_t{days} * 86400);
    set_common_name(X509_get_subject_name(cert.get()), "courtplay development CA");
    if (!X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) || !X509_set_pubkey(cert.get(), key.get())) {
        fail("cannot fill in the CA certificate");
    }
    add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always");
    if (!X509_sign(cert.get(), key.get(), EVP_sha256())) fail("cannot sign the CA certificate");
    write_key(key_out, key.get());
    write_cert(cert_out, cert.get());
}

namespace {
// A leaf certificate from the data folder's CA: TLS server use, for `addresses`.
void issue_leaf(const fs::path& data, const std::string& common_name, const std::vector<std::string>& addresses,
                int64_t not_before, int64_t not_after, const fs::path& cert_out, const fs::path& key_out) {
    std::string sans;
    for (const std::string& a : addresses) {
        if (!is_valid_hostname(a)) {
            throw std::runtime_error("certificates: `" + a +
                                     "` is not a host name (letters, digits, '-' and '.') or an IP address");
        }
        sans += (sans.empty() ? "" : ",") + std::string(is_ip_literal(a) ? "IP:" : "DNS:") + a;
    }
    Cert ca = load_cert(data / "ca" / "ca.pem");
    Pkey ca_key = load_key(data / "ca" / "ca.key");
    Pkey key = make_p256_key();
    Cert cert(X509_new());
    if (!cert || !X509_set_version(cert.get(), 2)) fail("cannot make a certificate");
    set_random_serial(cert.get());
    set_validity(cert.get(), not_before, not_after);
    set_common_name(X509_get_subject_name(cert.get()), common_name);
    if (!X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get())) || !X509_set_pubkey(cert.get(), key.get())) {
        fail("cannot fill in the certificate for " + common_name);
    }
    add_extension(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    add_extension(cert.get(), ca.get(), NID_subject_alt_name, sans);
    if (!X509_sign(cert.get(), ca_key.get(), EVP_sha256())) fail("cannot sign the certificate for " + common_name);
    write_key(key_out, key.get());
    write_cert(cert_out, cert.get());
}
}  // namespace

void issue_server_cert(const fs::path& data, const std::string& hostname, int64_t not_before, int64_t not_after,
                       const fs::path& cert_out, const fs::path& key_out) {
    issue_leaf(data, hostname, {hostname}, not_before, not_after, cert_out, key_out);
}

void issue_receiver_cert(const fs::path& data, const std::string& name, const std::vector<std::string>& addresses,
                         int64_t not_before, int64_t not_after, const fs::path& cert_out, const fs::path& key_out) {
    issue_leaf(data, name, addresses, not_before, not_after, cert_out, key_out);
}

}  // namespace courtplay::server
