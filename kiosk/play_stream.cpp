#include "kiosk/play_stream.h"

#include "kiosk/link_monitor.h"
#include "player/errors.h"
#include "player/https_source.h"

extern "C" {
#include <libavutil/error.h>
}

#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>

namespace courtplay::kiosk {
namespace {

using player::HttpsSource;

constexpr int kBadArguments = 2, kBadInput = 3, kNetwork = 5;
// Debian's bundle of the public CAs (package ca-certificates): whom a browser would trust.
constexpr char kSystemCaBundle[] = "/etc/ssl/certs/ca-certificates.crt";
constexpr int kTimeoutS = 15;  // to connect, and the silence after which a connection is lost
// A server unreachable this long ends playback: at a command line there is no one to wait for.
constexpr auto kGiveUp = std::chrono::seconds(2 * kTimeoutS);

std::optional<std::string> first_line_of(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    return line;
}

// A stream that failed: a refusal by the server (exit 3, the clip cannot be had), or TLS (exit 5).
int stream_failed(const HttpsSource::Status& st, const std::string& url) {
    std::fprintf(stderr, "courtplay: cannot play %s: %s\n", url.c_str(), st.reason.c_str());
    return st.error == AVERROR(EPROTO) ? kNetwork : kBadInput;
}

}  // namespace

bool is_network_address(const std::string& input) {
    const size_t scheme_end = input.find("://");
    if (scheme_end == std::string::npos || scheme_end == 0 || !std::isalpha(static_cast<unsigned char>(input[0])))
        return false;
    return std::all_of(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(scheme_end), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
}

int play_stream(const PlayOptions& options) {
    const std::string& url = options.input;
    if (strncasecmp(url.c_str(), "https://", 8) != 0) {
        std::fprintf(stderr,
                     "courtplay: will not play %s: only https:// addresses are streamed, so that the server is "
                     "checked to be who it says it is and nothing on the way can change the clip\n",
                     url.c_str());
        return kBadArguments;
    }
    if (int bad = check_play_options(options)) return bad;
    std::string bearer;
    if (!options.access_token_file.empty()) {
        const std::optional<std::string> token = first_line_of(options.access_token_file);
        if (!token || token->empty()) {
            std::fprintf(stderr, "courtplay: cannot read an access token from %s%s%s\n", options.access_token_file.c_str(),
                         token ? "" : ": ", token ? " (it is empty)" : std::strerror(errno));
            return kBadArguments;
        }
        bearer = *token;
    }
    const std::string ca_file = options.ca_file.empty() ? kSystemCaBundle : options.ca_file;
    if (::access(ca_file.c_str(), R_OK) != 0) {
        std::fprintf(stderr, "courtplay: cannot read the CA file %s: %s\n", ca_file.c_str(), std::strerror(errno));
        return kBadArguments;
    }

    std::unique_ptr<HttpsSource> stream;
    try {
        // No size and no digest: the size comes from the server, and the clip plays unverified.
        stream = std::make_unique<HttpsSource>(
            player::HttpsSourceOptions{.url = url, .bearer = bearer, .name = url, .ca_file = ca_file, .timeout_s = kTimeoutS});
    } catch (const player::OpenError& e) {
        std::fprintf(stderr, "courtplay: cannot play %s: %s\n", e.clip().c_str(), e.reason().c_str());
        return kBadInput;
    }
    std::fprintf(stderr, "courtplay: %s: not verified: no SHA-256 to check it against\n", url.c_str());

    StopRequest stop;
    int code = 0;
    {
        // Why the link was lost is on stderr already, from when it was.
        LinkMonitor watch(*stream, kGiveUp, [&stop] {
            stop.request("the server could not be reached for " + std::to_string(kGiveUp.count()) + " s");
        });
        // The server's first answer (it gives the size) before a player is made, so that a refusal
        // or a certificate that does not verify is told in its own words, not as a file FFmpeg
        // cannot read.
        if (stream->size() < 0) {
            if (watch.gave_up()) {
                std::fprintf(stderr, "courtplay: cannot play %s: %s\n", url.c_str(), stop.reason().value_or("").c_str());
                return kNetwork;
            }
            return stream_failed(stream->status(), url);
        }
        // The player reads through a borrowed stream, so that the stream's state can still be read
        // once playback is over.
        code = play_clip(options, [&] { return player::borrow_source(*stream); }, &stop,
                         [&] { return badge_of(stream->status()); });
        if (watch.gave_up()) return kNetwork;  // play_clip has said why
    }
    const HttpsSource::Status st = stream->status();
    if (st.link == HttpsSource::Link::failed) return stream_failed(st, url);
    return code;
}

}  // namespace courtplay::kiosk
