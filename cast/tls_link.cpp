#include "cast/tls_link.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace courtplay::cast {
namespace {

using Clock = std::chrono::steady_clock;

struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslFree>;

class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() { if (fd_ >= 0) ::close(fd_); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

// OpenSSL's reason for the last failure, and the error queue left empty for the next call.
std::string openssl_reason() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(e, text, sizeof text);
        out = text;  // the last is the outermost
    }
    return out.empty() ? "no detail from OpenSSL" : out;
}

bool is_ip_literal(const std::string& host) {
    in6_addr a6{};
    in_addr a4{};
    return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

void set_nonblocking(int fd) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        throw CastError(std::string("cannot set up a socket: ") + std::strerror(errno));
}

milliseconds left_until(Clock::time_point deadline) {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

// Waits for the socket to be ready for what OpenSSL asked; false when the deadline passed.
bool wait_for(int fd, int ssl_error, Clock::time_point deadline) {
    pollfd p{fd, static_cast<short>(ssl_error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
    for (;;) {
        const int n = ::poll(&p, 1, static_cast<int>(left_until(deadline).count()));
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) return false;
    }
}

// OpenSSL writes to its socket with write(), so a peer that has gone raises SIGPIPE, whose default
// ends the process. This holds it back on this thread for one call, and discards one the call
// raised, whatever the program does with SIGPIPE elsewhere.
class SigpipeHeld {
public:
    SigpipeHeld() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~SigpipeHeld() {
        sigset_t pending;
        sigpending(&pending);
        if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
            const timespec now{0, 0};
            sigtimedwait(&pipe_, nullptr, &now);
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeHeld(const SigpipeHeld&) = delete;
    SigpipeHeld& operator=(const SigpipeHeld&) = delete;

private:
    sigset_t pipe_, old_;
    bool was_pending_ = false;
};

// Runs an OpenSSL call on a non-blocking socket until it completes, fails or the deadline passes.
// Returns its result (> 0 done); `error` is SSL_get_error's verdict when it did not complete.
template <class Call>
int drive(SSL* ssl, int fd, Clock::time_point deadline, int& error, Call call) {
    for (;;) {
        ERR_clear_error();
        const int r = [&] {
            SigpipeHeld held;
            return call();
        }();
        if (r > 0) return r;
        error = SSL_get_error(ssl, r);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return r;
        if (!wait_for(fd, error, deadline)) return 0;
    }
}

addrinfo* resolve(const HostPort& at, bool passive) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    addrinfo* found = nullptr;
    const std::string port = std::to_string(at.port);
    if (int e = getaddrinfo(at.host.c_str(), port.c_str(), &hints, &found))
        throw CastError("cannot find " + at.host + ": " + gai_strerror(e));
    return found;
}

std::string text_of(const HostPort& at) { return at.host + ":" + std::to_string(at.port); }

}  // namespace

TlsLink::~TlsLink() {
    SSL_free(ssl_);  // no close_notify: a link is closed when the process or the cast ends, and a
                     // peer must already treat a bare close as the end (a killed kiosk sends none)
    ::close(fd_);
}

void TlsLink::send_line(const std::string& line, milliseconds timeout) {
    const std::string framed = line + "\n";
    const auto deadline = Clock::now() + timeout;
    int error = 0;
    size_t written = 0;
    const int r = drive(ssl_, fd_, deadline, error, [&] {
        return SSL_write_ex(ssl_, framed.data(), framed.size(), &written) == 1 ? 1 : 0;
    });
    if (r <= 0) throw CastError("the connection closed (" + (error ? openssl_reason() : std::string("timed out")) + ")");
}

std::optional<std::string> TlsLink::receive_line(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return line;
        }
        if (buffer_.size() > kMaxLineBytes) throw CastError("the other end sent a line longer than a message can be");
        char chunk[1024];
        size_t got = 0;
        int error = 0;
        const int r = drive(ssl_, fd_, deadline, error, [&] { return SSL_read_ex(ssl_, chunk, sizeof chunk, &got) == 1 ? 1 : 0; });
        if (r > 0) {
            buffer_.append(chunk, got);
            continue;
        }
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE || error == 0) return std::nullopt;  // timed out
        if (error == SSL_ERROR_ZERO_RETURN) throw CastError("the other end closed the connection");
        throw CastError("the connection broke (" + openssl_reason() + ")");
    }
}

std::string TlsLink::peer_common_name() const {
    X509* cert = SSL_get0_peer_certificate(ssl_);
    if (!cert) return {};
    char cn[256] = {};
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) < 0) return {};
    return cn;
}

std::unique_ptr<TlsLink> connect_tls(const HostPort& to, const std::filesystem::path& court_ca, milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx || !SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION))
        throw CastError("cannot set up TLS: " + openssl_reason());
    if (SSL_CTX_load_verify_locations(ctx.get(), court_ca.c_str(), nullptr) != 1)
        throw CastError("cannot read the court CA " + court_ca.string() + ": " + openssl_reason());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);

    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(resolve(to, false), &freeaddrinfo);
    int connected = -1;
    int last_errno = ETIMEDOUT;
    for (addrinfo* a = addresses.get(); a && connected < 0; a = a->ai_next) {
        Fd s(::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol));
        if (s.get() < 0) continue;
        set_nonblocking(s.get());
        if (::connect(s.get(), a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
            last_errno = errno;
            continue;
        }
        pollfd p{s.get(), POLLOUT, 0};
        int so_error = ETIMEDOUT;
        socklen_t len = sizeof so_error;
        if (::poll(&p, 1, static_cast<int>(left_until(deadline).count())) == 1)
            getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &so_error, &len);
        if (so_error != 0) {
            last_errno = so_error;
            continue;
        }
        connected = s.release();
    }
    Fd fd(connected);
    if (fd.get() < 0)
        throw CastError("cannot reach the receiver at " + text_of(to) + ": " + std::strerror(last_errno) +
                        " (is it switched on, and is this its address?)");
    const int one = 1;
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // a control acts within a frame

    SslPtr ssl(SSL_new(ctx.get()));
    if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) throw CastError("cannot set up TLS: " + openssl_reason());
    const std::string& name = to.certified_name.empty() ? to.host : to.certified_name;
    if (is_ip_literal(name)) {
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), name.c_str()) != 1)
            throw CastError("cannot check the address " + name);
    } else if (SSL_set1_host(ssl.get(), name.c_str()) != 1 || SSL_set_tlsext_host_name(ssl.get(), name.c_str()) != 1) {
        throw CastError("cannot check the name " + name);
    }
    int error = 0;
    if (drive(ssl.get(), fd.get(), deadline, error, [&] { return SSL_connect(ssl.get()); }) <= 0) {
        const long verdict = SSL_get_verify_result(ssl.get());
        if (verdict != X509_V_OK)
            throw CastError("the screen at " + text_of(to) +
                            " did not prove it is one of this court's screens: its certificate " +
                            X509_verify_cert_error_string(verdict) + ". It must be issued by the court CA in " +
                            court_ca.string() + " for the address " + name + ". Tell court IT");
        throw CastError("the receiver at " + text_of(to) + " did not complete a secure connection (" +
                        (error ? openssl_reason() : std::string("timed out")) + ")");
    }
    return std::unique_ptr<TlsLink>(new TlsLink(fd.release(), ssl.release()));
}

TlsListener::TlsListener(const HostPort& at, const std::filesystem::path& certificate,
                         const std::filesystem::path& private_key) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx || !SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION))
        throw CastError("cannot set up TLS: " + openssl_reason());
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), certificate.c_str()) != 1)
        throw CastError("cannot read the receiver's certificate " + certificate.string() + ": " + openssl_reason());
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), private_key.c_str(), SSL_FILETYPE_PEM) != 1)
        throw CastError("cannot read the receiver's private key " + private_key.string() + ": " + openssl_reason());
    if (SSL_CTX_check_private_key(ctx.get()) != 1)
        throw CastError("the private key " + private_key.string() + " is not the key of the certificate " +
                        certificate.string());

    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(resolve(at, true), &freeaddrinfo);
    Fd fd(::socket(addresses->ai_family, addresses->ai_socktype | SOCK_CLOEXEC, addresses->ai_protocol));
    const int one = 1;
    if (fd.get() < 0 || setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(fd.get(), addresses->ai_addr, addresses->ai_addrlen) != 0 || ::listen(fd.get(), 8) != 0)
        throw CastError("cannot listen on " + text_of(at) + " (TCP): " + std::strerror(errno));
    set_nonblocking(fd.get());
    fd_ = fd.release();
    ctx_ = ctx.release();
}

TlsListener::~TlsListener() {
    SSL_CTX_free(ctx_);
    ::close(fd_);
}

std::unique_ptr<TlsLink> TlsListener::accept(milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    Fd fd(::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (fd.get() < 0) return nullptr;
    const int one = 1;
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SslPtr ssl(SSL_new(ctx_));
    if (!ssl || SSL_set_fd(ssl.get(), fd.get()) != 1) return nullptr;
    int error = 0;
    if (drive(ssl.get(), fd.get(), deadline, error, [&] { return SSL_accept(ssl.get()); }) <= 0) {
        ERR_clear_error();
        return nullptr;
    }
    return std::unique_ptr<TlsLink>(new TlsLink(fd.release(), ssl.release()));
}

}  // namespace courtplay::cast
