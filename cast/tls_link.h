// The cast's control channel underneath: TLS 1.3 over TCP, carrying one message per line
// (docs/cast.md, "Pairing"). The receiver listens on the same port number as its SRT stream
// (TCP here, UDP there), so a receiver has one address. OpenSSL directly, behind RAII: libcurl
// speaks HTTP, and this is a long-lived two-way line protocol.
#pragma once

#include "cast/stream_format.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

struct ssl_st;
struct ssl_ctx_st;

namespace courtplay::cast {

using std::chrono::milliseconds;

// The longest line either end accepts: a message is a few hundred bytes.
inline constexpr size_t kMaxLineBytes = 4096;

class TlsLink {
public:
    ~TlsLink();
    TlsLink(const TlsLink&) = delete;
    TlsLink& operator=(const TlsLink&) = delete;

    // Sends one line (the newline is added). Throws CastError if the peer has gone.
    void send_line(const std::string& line, milliseconds timeout = milliseconds(3000));
    // The next line, waiting up to `timeout`; nullopt when none came in time. Throws CastError when
    // the peer closed the connection or sent something that is not a line of at most kMaxLineBytes.
    std::optional<std::string> receive_line(milliseconds timeout);
    // The common name in the peer's certificate (the receiver's, seen from the kiosk); empty if none.
    std::string peer_common_name() const;
    int fd() const { return fd_; }

private:
    friend std::unique_ptr<TlsLink> connect_tls(const HostPort&, const std::filesystem::path&, milliseconds);
    friend class TlsListener;
    TlsLink(int fd, ssl_st* ssl) : fd_(fd), ssl_(ssl) {}
    int fd_;
    ssl_st* ssl_;
    std::string buffer_;
};

// Connects to `to` with TLS 1.3 only, and checks its certificate chains to `court_ca` (PEM) and
// names `to.certified_name`, or else `to.host` (DNS or IP subject alternative name). Throws
// CastError saying which failed: the receiver unreachable, or not one of the court's screens.
std::unique_ptr<TlsLink> connect_tls(const HostPort& to, const std::filesystem::path& court_ca, milliseconds timeout);

class TlsListener {
public:
    // Listens on `at` (TCP) with this certificate and private key (PEM). Throws CastError.
    TlsListener(const HostPort& at, const std::filesystem::path& certificate, const std::filesystem::path& private_key);
    ~TlsListener();
    TlsListener(const TlsListener&) = delete;
    TlsListener& operator=(const TlsListener&) = delete;

    // Takes one waiting connection and completes its handshake within `timeout`; nullptr when the
    // handshake failed or timed out (a port scanner, a client that does not trust us).
    std::unique_ptr<TlsLink> accept(milliseconds timeout);
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    ssl_ctx_st* ctx_ = nullptr;
};

}  // namespace courtplay::cast
