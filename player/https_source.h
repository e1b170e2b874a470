// Clip bytes streamed from the share service over HTTPS (GET /v1/clips/{id}, docs/api.md), for
// libavformat's custom I/O. Nothing is written to disk: the bytes live in a memory window around the
// read position.
//
// - Read-ahead: a fetch thread keeps up to `read_ahead` bytes ahead of the reader with ONE long
//   Range request (`bytes=N-`), paused by flow control when the window is full, so steady playback
//   never waits on a round trip. A seek inside the window (or a little past it, while a request
//   runs) costs nothing; a seek elsewhere restarts the request at the new offset. The first request
//   is made at the first read(), seek_to() or size(), from where the reader then is: a seek_to(N)
//   before reading fetches nothing before N.
// - Reconnect: a lost connection, a service that is down, a stall or a 5xx is retried for as long
//   as the source is open (backoff 0.25, 0.5, 1, 2, 4, 4 ... s), at the exact byte where the
//   bytes stopped; meanwhile link() is `reconnecting` and reads wait. Refusals are final and
//   never retried: 401/403/404/410 (revoked, expired), 416, a length that is not the grant's,
//   and TLS verification failures (the certificate, the CA, the pin).
// - Verification: SHA-256 over bytes 0..size, compared with the grant. A hasher thread takes the
//   bytes from the window in order as they arrive (the fetch thread keeps those it has not taken);
//   when the reader seeks away from that contiguous prefix, a second background Range request from
//   the first unhashed byte feeds the hash instead (paused while playback's own request is short
//   of bytes, so it never competes with playback), so every byte is covered whatever the reader
//   does. Until the end is reached the clip is `pending` (shown, not yet proven); a reader that
//   reaches the end in order gets its 0 (end of clip) only once the hash has caught up, so
//   status() then says `verified` or `failed`. A mismatch, or a length that is not the grant's,
//   makes it `failed`: from then on every read fails with AVERROR_INVALIDDATA and nothing more is
//   shown.
// - After the proof: the hash also records each 1 MiB chunk's keyed digest (chunk_digests.h).
//   Once the clip is `verified`, every byte read() hands out comes from a whole chunk that was
//   fetched, copied out of the window and found equal to the proof's: a service that sent the
//   original to be proven and something else to be played is caught at the first altered chunk,
//   nothing of which is handed out. The source is then `failed` (status().altered_chunk says
//   which), and every read fails with AVERROR_INVALIDDATA. Requests after the proof start at a
//   chunk's first byte.
// - Unverified: with `expected_sha256` empty nothing is hashed, no verification request is ever
//   made, and the status is `unverified` from the start: the bytes are exactly the service's, but
//   nothing proves they are the original (callers that hash the bytes themselves, and `courtplay
//   play https://...`, which has no digest). Only the requests the reader's own offsets need are
//   made. A size given in `expected_bytes` is still checked (a different one is `failed`).
// - Unknown size: with `expected_bytes` 0 the size is learned from the service's first answer (the
//   total of its Content-Range, or the Content-Length of a 200 to a request from byte 0); size()
//   waits for that answer. A later answer giving another total means the file changed on the
//   service mid-read, and fails the source.
//
// Speed (docs/benchmarks.md, "Streaming"): the window is a ring with one writer (the fetch
// thread) and two takers (the reader, the hasher). Copies in and out and the hashing are done
// outside the lock: the fetch thread writes only over bytes both takers have passed, they take
// only bytes published to them. The SHA-256, about as costly as the TLS itself, runs on its own
// thread at a lower priority instead of slowing the fetch thread. A waiting reader or hasher is
// woken once a batch has arrived rather than for every 16 KiB TLS record; a paused request is
// resumed only once a quarter of the window is free, not for every block read.
//
// Threads: read(), seek_to(), size() and interrupt() come from the demuxer's thread (interrupt()
// from any thread); status() from any thread. The fetch thread owns every libcurl handle; the
// SHA-256 state belongs to the hasher while it follows the window, then to the verifier's request
// on the fetch thread.
#pragma once

#include "player/chunk_digests.h"
#include "player/source.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace courtplay::player {

struct HttpsSourceOptions {
    std::string url;                  // the grant's clip url (https only)
    std::string bearer;               // the redemption's access token; never logged
    std::string name;                 // for messages (the clip's title); the url when empty
    std::filesystem::path ca_file;    // the only CA (bundle) trusted: the kiosk config's [service] ca_file
    std::string spki_pin;             // optional "sha256//BASE64", libcurl's pinnedpubkey form
    int timeout_s = 15;               // connect timeout, and how long a silent connection is kept
    int64_t expected_bytes = 0;       // from the grant; 0: learned from the service's first answer
    std::string expected_sha256;      // from the grant: 64 hex digits; empty: unverified (see above)
    size_t read_ahead = 8u << 20;     // bytes kept ready ahead of the reader (at least 256 KiB)
    int64_t proof_chunk_bytes = kProofChunkBytes;  // after the proof, bytes are checked a chunk at a time
};

class HttpsSource final : public Source {
public:
    enum class Link { streaming, reconnecting, failed };
    // unverified: no SHA-256 was given, so nothing is hashed and nothing is proven (a size that is
    // not expected_bytes still makes it failed).
    enum class Verification { pending, verified, failed, unverified };
    struct Status {
        Link link = Link::streaming;
        Verification verification = Verification::pending;
        std::string reason;        // why reconnecting / failed, in words for the court; empty when fine
        int error = 0;             // once failed, the AVERROR reads fail with: AVERROR_INVALIDDATA not
                                   // the original, AVERROR(EPROTO) TLS, others a refusal by the service
        int64_t verified_bytes = 0;  // bytes 0..this are hashed (0 when unverified)
        int64_t position = 0;      // the reader's offset
        int64_t buffered_to = 0;   // bytes up to here are in memory ahead of the reader
        int64_t requests = 0;      // Range requests made (both kinds), for tests and measurements
        int64_t received = 0;      // clip bytes received (both kinds), for tests and measurements
        int64_t reconnects = 0;    // requests made after a lost connection or a 5xx
        int64_t altered_chunk = -1;  // after the proof: the chunk whose bytes were not the ones proven
        int64_t chunk_bytes = 0;     // of each chunk checked after the proof; 0 before it
    };

    // Starts the fetch thread; the first request waits for the reader (above). Throws OpenError
    // when the options cannot work (not https, no CA file, a malformed digest); network trouble is
    // never thrown, it shows in status().
    explicit HttpsSource(HttpsSourceOptions options);
    ~HttpsSource() override;
    HttpsSource(const HttpsSource&) = delete;
    HttpsSource& operator=(const HttpsSource&) = delete;

    int read(uint8_t* buf, int size) override;
    int64_t seek_to(int64_t offset) override;
    // expected_bytes, or once learned the service's size; -1 when the first answer never came
    // (a failure, or interrupt()).
    int64_t size() const override;
    std::string name() const override { return options_.name; }
    void interrupt() override;

    Status status() const;
    Link link() const { return status().link; }
    Verification verification() const { return status().verification; }

    struct Fetcher;  // the fetch thread's libcurl state: https_fetcher.h

private:
    // The window's rules, shared by the fetch thread, the hasher and the reader. Under mutex_.
    bool readable_locked() const;
    int64_t end_locked() const;        // the size when known, else "no end yet"
    int64_t wanted_to_locked() const;  // the stream fills the window up to here
    bool room_locked() const;          // a paused stream may resume
    int consumed_locked(std::unique_lock<std::mutex>& lock, int n);  // the reader took n bytes
    bool hungry_locked() const;        // playback is short of bytes: the verifier's pass waits
    bool prefix_alive_locked() const;  // the hasher follows the window from hashed_to_
    int64_t keep_from_locked() const;  // the first byte of the window the fetch thread must keep
    void published_locked();           // the window grew: wake whoever waits for a batch
    void hashed_locked(int64_t n);     // n more bytes are in the hash
    void fail_locked(const std::string& reason, int read_error, bool not_the_evidence);

    void restart_window_locked(std::unique_lock<std::mutex>& lock, int64_t from);

    // After the proof (reader's thread): reads come from a copy of one checked chunk.
    int read_checked(std::unique_lock<std::mutex>& lock, uint8_t* buf, int size);
    int load_checked_chunk(std::unique_lock<std::mutex>& lock);

    void wake_fetcher() const;
    void fetch_loop();  // https_fetcher.cpp
    void hash_loop();

    const HttpsSourceOptions options_;
    std::unique_ptr<Fetcher> fetcher_;

    // Guards everything below it. Threads take it briefly and copy or hash outside it; no libcurl
    // call is made while it is held (curl_easy_pause may call back into the write callback).
    mutable std::mutex mutex_;
    mutable std::condition_variable bytes_arrived_;  // read() and size() wait here: bytes, the size, failure, interrupt
    std::condition_variable hash_due_;       // the hasher waits here for a batch of unhashed bytes
    std::unique_ptr<uint8_t[]> ring_;        // byte at offset o lives at ring_[o % ring_size_]
    size_t ring_size_ = 0;
    int64_t total_ = -1;                     // the clip's size; -1 until the first answer when not given
    int64_t pos_ = 0;                        // the reader's offset
    int64_t win_start_ = 0, win_end_ = 0;    // bytes [win_start_, win_end_) are in ring_
    int generation_ = 0;                     // bumped by a seek outside the window: restart there
    bool stream_paused_ = false;             // the stream waits for the reader to make room
    bool verify_paused_ = false;
    bool fetcher_stream_active_ = false;     // a stream request exists (paused or not)
    mutable bool demanded_ = false;          // the reader has asked for something (size() too): requests may start
    bool reader_waiting_ = false;            // read() waits on bytes_arrived_ ...
    int64_t reader_wants_ = 0;               // ... and is woken once bytes reach here (or stop coming)
    std::optional<std::chrono::steady_clock::time_point> reader_short_since_;  // bytes below its batch wait since
    bool hasher_idle_ = false;               // the hasher waits on hash_due_ ...
    bool hash_wake_ = false;                 // ... until this is set
    bool hashing_ = false;                   // the hasher reads ring bytes from hashed_to_ outside the lock
    bool seek_waits_for_hasher_ = false;
    bool verifier_owns_hash_ = false;        // once the verifier's pass has started, only it feeds the hash
    bool closing_ = false;
    bool interrupted_ = false;
    Link link_ = Link::streaming;
    Verification verification_ = Verification::pending;
    std::string reason_;
    int read_error_ = 0;                     // AVERROR returned by reads once link_ is failed
    int64_t hashed_to_ = 0;
    // Set once the whole clip matched the grant; from then on reads are checked against it.
    std::unique_ptr<const ChunkDigests> proven_;
    int64_t pinned_from_ = INT64_MAX;        // the reader copies the window's bytes from here, outside the lock
    int64_t chunk_wanted_to_ = 0;            // the reader waits for a whole chunk, which may end past the read-ahead
    bool reader_needs_chunk_ = false;        // ... and is woken only once all of it is in
    int64_t altered_chunk_ = -1;
    int64_t requests_ = 0, reconnects_ = 0, received_ = 0;

    // The reader's thread only: the chunk it reads from after the proof, checked.
    std::unique_ptr<uint8_t[]> checked_;
    int64_t checked_from_ = 0, checked_len_ = 0;

    // Last: started once everything above exists.
    std::thread fetch_thread_;
    std::thread hash_thread_;  // only when there is a SHA-256 to check
};

}  // namespace courtplay::player
