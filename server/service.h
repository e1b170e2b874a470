// The HTTPS share service: redeem a share token for a signed grant, answer a share's status, serve
// clip bytes. docs/api.md is the reference for the routes. The same class runs in the
// `courtplay-server serve` process and inside tests (start() on a thread, stop()).
#pragma once

#include "server/util.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace courtplay::server {

struct ServiceOptions {
    std::filesystem::path data;                 // the data folder made by init
    std::optional<ListenAddress> listen;        // default: the address given to init
    std::optional<std::filesystem::path> cert;  // default: DIR/tls/server.pem
    std::optional<std::filesystem::path> key;   // default: DIR/tls/server.key
    int max_failures = 5;                       // failed redemptions per address ...
    int failure_window_s = 60;                  // ... within this many seconds, then 429
    int64_t clip_rate_kib_s = 0;                // clip bytes sent no faster than this; 0: as fast as possible
};

class Service {
public:
    // Loads the keys, the certificate and the database. Throws std::runtime_error saying what is missing.
    explicit Service(const ServiceOptions& options);
    ~Service();  // stops and joins

    // Binds the listening socket; returns the port (the chosen one when the port given was 0).
    // Throws std::runtime_error when the address cannot be bound.
    int bind();
    // Serves on the calling thread until stop(). Call after bind().
    void run();
    // bind() then run() on a thread of its own.
    void start();
    // Ends run() (from any thread, any number of times) and joins the thread start() made.
    void stop();

    int port() const;
    // "https://HOST:PORT" of the listening socket, as announced ("listening on ...").
    std::string listen_url() const;

    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace courtplay::server
