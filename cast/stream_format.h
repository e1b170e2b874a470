// The cast stream's format, shared by the sender and the receiver (docs/cast.md has it in full):
// MPEG-TS (H.264 + AAC) over SRT, AES-256 (pbkeylen=32) with the stream key as the passphrase,
// and each picture's place on the sender's timeline in an H.264 SEI (user data unregistered).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

struct AVDictionary;
struct AVFrame;

namespace courtplay::cast {

struct CastError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// 32 random bytes (OpenSSL's RAND_bytes). SRT takes a passphrase of 10 to 79 characters (FFmpeg's
// option checks 10 to 64) and derives the AES-256 key-encrypting key from it with PBKDF2; the
// passphrase is the key's 64 lowercase hex digits, so the whole 256 bits of randomness reach it.
class StreamKey {
public:
    static StreamKey generate();                          // throws CastError if the RNG fails
    static std::optional<StreamKey> from_hex(const std::string& hex);  // 64 hex digits
    std::string passphrase() const;                      // 64 lowercase hex digits
    bool operator==(const StreamKey&) const = default;

private:
    std::array<uint8_t, 32> bytes_{};
};

// A key file: the 64 hex digits on its first line. Refused unless a regular file owned by this
// user and readable by no one else (mode 0600 or 0400). Throws CastError naming the file and fix.
StreamKey read_stream_key_file(const std::filesystem::path& file);
// Writes it 0600 (a new file; an existing one is replaced). Throws CastError.
void write_stream_key_file(const std::filesystem::path& file, const StreamKey& key);

struct HostPort {
    std::string host;
    int port = 0;
    // The name its certificate must carry when that is not `host`: a receiver found by DNS-SD is
    // reached at an address it announced, and proves the mDNS host name it announced it under.
    std::string certified_name;
};
// "HOST:PORT" (IPv4 or a name; "[v6]:PORT" too). Throws CastError saying what is wrong.
HostPort parse_host_port(const std::string& text, const char* what);
// "HOST:PORT" back, an IPv6 address in brackets: what parse_host_port reads.
std::string host_port_text(const std::string& host, int port);

// SRT's options for both ends, given to avio_open2 as a dictionary so the passphrase never appears
// in a URL (FFmpeg logs URLs): live mode, AES-256, encryption enforced (an unencrypted peer or a
// different key is refused in the handshake), the latency in milliseconds.
enum class SrtRole { caller, listener };
std::string srt_url(const HostPort& address, SrtRole role);
AVDictionary* srt_options(const StreamKey& key, SrtRole role, int latency_ms);

// The sender's timeline, carried per picture: the media time of the frame (microseconds from the
// clip's first frame, as in the frame log), its frame number, and whether it is a repaint (the
// same frame with the watermark's clock moved on while paused, not a new presentation).
struct MediaStamp {
    int64_t media_us = 0;
    int64_t frame_number = 0;
    bool repaint = false;
};
// The SEI payload's 16-byte UUID, then ASCII "courtplay-media v1 media_us=... frame=... repaint=0|1".
extern const std::array<uint8_t, 16> kMediaStampUuid;
// Attaches the stamp to a frame about to be encoded (libx264 with udu_sei=1 writes it as SEI).
bool attach_media_stamp(AVFrame* frame, const MediaStamp& stamp);
// Reads it back from a decoded frame (FFmpeg's h264 decoder exports SEI user data unregistered as
// frame side data); nullopt when the frame carries none of ours.
std::optional<MediaStamp> read_media_stamp(const AVFrame* frame);

}  // namespace courtplay::cast
