// The fetch thread of HttpsSource (https_source.h): its libcurl requests, how their answers are
// judged, reconnects. Private to player/https_source.cpp and player/https_fetcher.cpp.
#pragma once

#include "player/https_source.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace courtplay::player {
namespace https {

using SteadyClock = std::chrono::steady_clock;

// libcurl hands the write callback at most this much at a time (CURLOPT_BUFFERSIZE; over TLS it is
// one record, 16 KiB, and paused data is handed back in CURL_MAX_WRITE_SIZE pieces).
constexpr int64_t kCurlBuffer = 64 * 1024;
// A reader that waits is woken once this much (or what it asked for, if more) has arrived, or once
// bytes have waited kReaderFlush: not for every 16 KiB TLS record, as a wakeup costs more than the
// copy it allows. The hasher is woken for the same batch.
constexpr int64_t kBatch = 256 * 1024;
constexpr auto kReaderFlush = std::chrono::milliseconds(1);

struct ContentRange {
    int64_t first = -1, last = -1, total = -1;  // "bytes */TOTAL" leaves first and last at -1
};

// One Range request: the playback stream (into the window) or the verifier's pass (into the hash).
struct Transfer {
    enum class Role { stream, verify };
    HttpsSource* source = nullptr;
    HttpsSource::Fetcher* fetcher = nullptr;
    Role role = Role::stream;
    int generation = 0;  // the stream's: stale once a seek outside the window bumps the source's
    int64_t next = 0;    // the offset of the next byte this request brings
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> easy{nullptr, curl_easy_cleanup};
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers{nullptr, curl_slist_free_all};
    std::optional<ContentRange> content_range;
    long status = 0;
    bool accepted = false;     // headers checked: the range asked for, of the clip's size
    std::string error_body;    // of a refusal, to tell "revoked" from "expired"
    std::string refusal;       // final: found in a callback
    bool not_the_evidence = false;  // the refusal is about the bytes themselves (verification fails)
    SteadyClock::time_point last_activity = SteadyClock::now();  // fetch thread only
    char error[CURL_ERROR_SIZE] = "";
};

}  // namespace https

struct HttpsSource::Fetcher {
    // libcurl's global state, reference-counted (thread-safe since libcurl 7.84): first in, last out.
    struct CurlGlobal {
        CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
        ~CurlGlobal() { curl_global_cleanup(); }
        CurlGlobal(const CurlGlobal&) = delete;
        CurlGlobal& operator=(const CurlGlobal&) = delete;
    } curl_global;
    std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)> multi{nullptr, curl_multi_cleanup};
    // The hasher's while it follows the window, the verifier's (fetch thread) once that has started.
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha{nullptr, EVP_MD_CTX_free};
    // Fed the same bytes as sha, by whoever owns it: the proof's per-chunk digests.
    std::unique_ptr<ChunkRecorder> chunks;
    // Fetch thread only:
    std::unique_ptr<https::Transfer> stream, verify;
    int stream_attempt = 0, verify_attempt = 0;
    bool stream_lost = false;  // the next stream request is a reconnect
    https::SteadyClock::time_point stream_retry_at{}, verify_retry_at{};

    // libcurl's callbacks; they take the source's mutex.
    static size_t on_header(char* data, size_t size, size_t n, void* user);
    static size_t on_body(char* data, size_t size, size_t n, void* user);
};

}  // namespace courtplay::player
