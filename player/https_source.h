// Clip bytes streamed from the share service over HTTPS (GET /v1/clips/{id}, docs/api.md), for
// libavformat's custom I/O. Nothing is written to disk: the bytes live in a memory window around the
// read position.
//
// - Read-ahead: a fetch thread keeps up to `read_ahead` bytes ahead of the reader with ONE long
//   Range request (`bytes=N-`), paused by flow control when the window is full, so steady playback
//   never waits on a round trip. A seek inside the window (or a little past it) costs nothing; a
//   seek elsewhere restarts the request at the new offset.
// - Reconnect: a lost connection, a service that is down, a stall or a 5xx is retried for as long
//   as the source is open (backoff 0.25, 0.5, 1, 2, 4, 4 ... s), at the exact byte where the
//   bytes stopped; meanwhile link() is `reconnecting` and reads wait. Refusals are final and
//   never retried: 401/403/404/410 (revoked, expired), 416, a length that is not the grant's,
//   and TLS verification failures (the certificate, the CA, the pin).
// - Verification: SHA-256 over bytes 0..size, compared with the grant. Bytes are hashed as they
//   arrive in order; when the reader seeks away from that contiguous prefix, a second background
//   Range request from the first unhashed byte feeds the hash instead (paused while playback's own
//   request is short of bytes, so it never competes with playback), so every byte is covered
//   whatever the reader does. Until the end is reached the clip is `pending` (shown, not yet
//   proven). A mismatch, or a length that is not the grant's, makes it `failed`: from then on
//   every read fails with AVERROR_INVALIDDATA and nothing more is shown.
//
// Threads: read(), seek_to() and interrupt() come from the demuxer's thread (interrupt() from any
// thread); status() from any thread. The fetch thread owns every libcurl handle.
#pragma once

#include "player/source.h"

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace courtplay::player {

struct HttpsSourceOptions {
    std::string url;                  // the grant's clip url (https only)
    std::string bearer;               // the redemption's access token; never logged
    std::string name;                 // for messages (the clip's title); the url when empty
    std::filesystem::path ca_file;    // the only CA trusted (the kiosk config's [service] ca_file)
    std::string spki_pin;             // optional "sha256//BASE64", libcurl's pinnedpubkey form
    int timeout_s = 15;               // connect timeout, and how long a silent connection is kept
    int64_t expected_bytes = 0;       // from the grant
    std::string expected_sha256;      // from the grant: 64 hex digits
    size_t read_ahead = 8u << 20;     // bytes kept ready ahead of the reader (at least 256 KiB)
};

class HttpsSource final : public Source {
public:
    enum class Link { streaming, reconnecting, failed };
    enum class Verification { pending, verified, failed };
    struct Status {
        Link link = Link::streaming;
        Verification verification = Verification::pending;
        std::string reason;        // why reconnecting / failed, in words for the court; empty when fine
        int error = 0;             // once failed, the AVERROR reads fail with: AVERROR_INVALIDDATA not
                                   // the original, AVERROR(EPROTO) TLS, others a refusal by the service
        int64_t verified_bytes = 0;  // bytes 0..this are hashed
        int64_t position = 0;      // the reader's offset
        int64_t buffered_to = 0;   // bytes up to here are in memory ahead of the reader
        int64_t requests = 0;      // Range requests made (both kinds), for tests and measurements
        int64_t reconnects = 0;    // requests made after a lost connection or a 5xx
    };

    // Starts fetching at once. Throws OpenError when the options cannot work (not https, no size,
    // a malformed digest); network trouble is never thrown, it shows in status().
    explicit HttpsSource(HttpsSourceOptions options);
    ~HttpsSource() override;
    HttpsSource(const HttpsSource&) = delete;
    HttpsSource& operator=(const HttpsSource&) = delete;

    int read(uint8_t* buf, int size) override;
    int64_t seek_to(int64_t offset) override;
    int64_t size() const override { return options_.expected_bytes; }
    std::string name() const override { return options_.name; }
    void interrupt() override;

    Status status() const;
    Link link() const { return status().link; }
    Verification verification() const { return status().verification; }

    struct Fetcher;  // the fetch thread's libcurl state: opaque, defined in https_source.cpp

private:

    bool readable_locked() const;
    void wake_fetcher();
    void fetch_loop();

    const HttpsSourceOptions options_;
    std::unique_ptr<Fetcher> fetcher_;

    // Guards everything below it. Callbacks on the fetch thread take it briefly; no libcurl call
    // is made while it is held (curl_easy_pause may call back into the write callback).
    mutable std::mutex mutex_;
    std::condition_variable bytes_arrived_;  // readers wait here: new bytes, failure, interrupt
    std::unique_ptr<uint8_t[]> ring_;        // byte at offset o lives at ring_[o % ring_size_]
    size_t ring_size_ = 0;
    int64_t pos_ = 0;                        // the reader's offset
    int64_t win_start_ = 0, win_end_ = 0;    // bytes [win_start_, win_end_) are in ring_
    int generation_ = 0;                     // bumped by a seek outside the window: restart there
    bool stream_paused_ = false;             // the stream waits for the reader to make room
    bool verify_paused_ = false;
    bool fetcher_stream_active_ = false;     // a stream request exists (paused or not)
    bool closing_ = false;
    bool interrupted_ = false;
    Link link_ = Link::streaming;
    Verification verification_ = Verification::pending;
    std::string reason_;
    int read_error_ = 0;                     // AVERROR returned by reads once link_ is failed
    int64_t hashed_to_ = 0;
    int64_t requests_ = 0, reconnects_ = 0;

    std::thread thread_;  // last: started once everything above exists
};

}  // namespace courtplay::player
