// stream_read: reads one clip from the share service through player::HttpsSource as fast as it
// will go, the way the demuxer reads it (fixed-size reads, one buffer), and prints one JSON line:
// bytes, seconds, bytes per second, and what verification concluded. bench/stream runs it beside
// curl(1) on the same clip and server; see docs/benchmarks.md, "Streaming".
//
// The access token is read from a file so that it never shows in the process list.
#include "player/errors.h"
#include "player/https_source.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {
using courtplay::player::HttpsSource;

const char* verification_name(HttpsSource::Verification v) {
    switch (v) {
    case HttpsSource::Verification::pending: return "pending";
    case HttpsSource::Verification::verified: return "verified";
    case HttpsSource::Verification::failed: return "failed";
    case HttpsSource::Verification::unverified: return "unverified";
    }
    return "?";
}

std::string first_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    return line;
}
}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Reads a clip through HttpsSource as fast as possible and prints the throughput (JSON)"};
    courtplay::player::HttpsSourceOptions o;
    std::string token_file;
    int read_size = 32 * 1024;
    app.add_option("URL", o.url, "The clip's address: https://HOST:PORT/v1/clips/ID")->required();
    app.add_option("--ca-file", o.ca_file, "The only CA trusted")->required();
    app.add_option("--access-token-file", token_file, "A file holding the redemption's access token");
    app.add_option("--bytes", o.expected_bytes, "The clip's size (0: learn it from the service)");
    app.add_option("--sha256", o.expected_sha256, "The clip's SHA-256 (empty: unverified, nothing hashed)");
    app.add_option("--read-size", read_size, "Bytes per read (libavformat asks for 32 KiB)")->check(CLI::Range(1, 64 << 20));
    app.add_option("--read-ahead", o.read_ahead, "HttpsSource's window ahead of the reader");
    CLI11_PARSE(app, argc, argv);
    if (!token_file.empty()) o.bearer = first_line(token_file);

    try {
        std::vector<uint8_t> buf(static_cast<size_t>(read_size));
        int64_t total = 0;
        int n = 0;
        // From before the source exists, as curl's time_total counts from before it connects.
        const auto t0 = std::chrono::steady_clock::now();
        HttpsSource source(o);
        while ((n = source.read(buf.data(), read_size)) > 0) total += n;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const HttpsSource::Status st = source.status();
        std::printf("{\"bytes\": %lld, \"size\": %lld, \"seconds\": %.6f, \"bytes_per_s\": %.0f, \"read_size\": %d, "
                    "\"verification\": \"%s\", \"requests\": %lld, \"reconnects\": %lld, \"error\": %d}\n",
                    static_cast<long long>(total), static_cast<long long>(source.size()), seconds,
                    seconds > 0 ? static_cast<double>(total) / seconds : 0.0, read_size,
                    verification_name(st.verification), static_cast<long long>(st.requests),
                    static_cast<long long>(st.reconnects), n);
        if (n < 0) std::fprintf(stderr, "stream_read: %s\n", st.reason.c_str());
        const bool whole = n == 0 && total == source.size();
        const bool proven = o.expected_sha256.empty() || st.verification == HttpsSource::Verification::verified;
        return whole && proven ? 0 : 1;
    } catch (const courtplay::player::OpenError& e) {
        std::fprintf(stderr, "stream_read: %s\n", e.what());
        return 2;
    }
}
