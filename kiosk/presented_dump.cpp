#include "kiosk/presented_dump.h"

#include "files/posix_file.h"
#include "files/thread_name.h"
#include "player/video_frame.h"

extern "C" {
#include <libswscale/swscale.h>
}

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace courtplay::kiosk {
namespace {

constexpr size_t kQueued = 4;  // pictures waiting for the writer before presenting waits

struct SwsFree { void operator()(SwsContext* s) const { sws_freeContext(s); } };
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;


std::vector<uint8_t> encode_png(const RgbPicture& rgb) {
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_PNG);
    if (!codec) return {};
    player::CodecPtr ctx(avcodec_alloc_context3(codec));
    ctx->width = rgb.width;
    ctx->height = rgb.height;
    ctx->pix_fmt = AV_PIX_FMT_RGB24;
    ctx->time_base = {1, 30};
    ctx->compression_level = 1;  // a diagnostic dump: speed over size
    if (avcodec_open2(ctx.get(), codec, nullptr) < 0) return {};
    player::FramePtr frame = player::make_frame();
    frame->width = rgb.width;
    frame->height = rgb.height;
    frame->format = AV_PIX_FMT_RGB24;
    frame->data[0] = const_cast<uint8_t*>(rgb.pixels.data());
    frame->linesize[0] = rgb.width * 3;
    player::PacketPtr packet = player::make_packet();
    if (avcodec_send_frame(ctx.get(), frame.get()) < 0 || avcodec_receive_packet(ctx.get(), packet.get()) < 0) return {};
    return {packet->data, packet->data + packet->size};
}

}  // namespace

RgbPicture to_rgb24(const AVFrame& p) {
    RgbPicture out;
    SwsPtr sws(sws_getContext(p.width, p.height, static_cast<AVPixelFormat>(p.format), p.width, p.height,
                              AV_PIX_FMT_RGB24, SWS_BICUBIC | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, nullptr,
                              nullptr, nullptr));
    if (!sws) return out;
    const int* coefficients = sws_getCoefficients(p.colorspace);
    sws_setColorspaceDetails(sws.get(), coefficients, player::is_full_range(p), sws_getCoefficients(SWS_CS_DEFAULT), 1, 0,
                             1 << 16, 1 << 16);
    out.width = p.width;
    out.height = p.height;
    out.pixels.resize(static_cast<size_t>(p.width) * p.height * 3);
    uint8_t* dst[4] = {out.pixels.data()};
    int dst_linesize[4] = {p.width * 3};
    sws_scale(sws.get(), p.data, p.linesize, 0, p.height, dst, dst_linesize);
    return out;
}

std::optional<std::string> write_png(const std::filesystem::path& file, const RgbPicture& rgb) {
    const std::vector<uint8_t> png = encode_png(rgb);
    if (png.empty()) return "cannot encode " + file.filename().string() + " as PNG";
    files::Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd || !files::pwrite_full(fd.get(), png.data(), png.size(), 0))
        return "cannot write " + file.string() + ": " + files::errno_words(errno);
    return std::nullopt;
}

std::optional<RgbPicture> read_png(const std::filesystem::path& file) {
    const std::vector<uint8_t> bytes = files::read_small(file, 256u << 20);
    const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_PNG);
    if (bytes.empty() || !codec) return std::nullopt;
    player::CodecPtr ctx(avcodec_alloc_context3(codec));
    if (avcodec_open2(ctx.get(), codec, nullptr) < 0) return std::nullopt;
    player::PacketPtr packet = player::make_packet();
    if (av_new_packet(packet.get(), static_cast<int>(bytes.size())) < 0) return std::nullopt;
    std::copy(bytes.begin(), bytes.end(), packet->data);
    player::FramePtr frame = player::make_frame();
    if (avcodec_send_packet(ctx.get(), packet.get()) < 0 || avcodec_receive_frame(ctx.get(), frame.get()) < 0)
        return std::nullopt;
    if (frame->format != AV_PIX_FMT_RGB24) return std::nullopt;  // only what the dump writes
    RgbPicture out{frame->width, frame->height, {}};
    out.pixels.resize(static_cast<size_t>(out.width) * out.height * 3);
    for (int y = 0; y < out.height; ++y)
        std::copy_n(frame->data[0] + static_cast<ptrdiff_t>(y) * frame->linesize[0], out.width * 3,
                    out.pixels.data() + static_cast<size_t>(y) * out.width * 3);
    return out;
}

PresentedDump::PresentedDump(std::filesystem::path dir, int every) : dir_(std::move(dir)), every_(every) {
    if (every_ < 1) throw std::invalid_argument("--dump-every must be a whole number from 1, e.g. 1 for every frame");
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::invalid_argument("cannot make the folder " + dir_.string() + " for --dump-presented: " +
                                    files::errno_words(errno));
    if (::access(dir_.c_str(), W_OK | X_OK) != 0)
        throw std::invalid_argument("cannot write pictures into " + dir_.string() + ": " + files::errno_words(errno));
    writer_ = std::thread([this] {
        files::name_this_thread("frame-dump");
        write_all();
    });
}

PresentedDump::~PresentedDump() {
    {
        std::lock_guard lock(lock_);
        closing_ = true;
    }
    changed_.notify_all();
    writer_.join();
}

void PresentedDump::present(const player::VideoFrame& frame, const player::FramePosition& position) {
    if (presented_++ % every_ != 0 || !frame.picture) return;
    std::unique_lock lock(lock_);
    changed_.wait(lock, [&] { return queue_.size() < kQueued || failure_; });
    if (failure_) return;
    queue_.push_back({frame.picture, position.frame_number});
    changed_.notify_all();
}

std::optional<std::string> PresentedDump::finish() {
    std::unique_lock lock(lock_);
    changed_.wait(lock, [&] { return (queue_.empty() && !writing_) || failure_; });
    return failure_;
}

void PresentedDump::write_all() {
    std::unique_lock lock(lock_);
    for (;;) {
        changed_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;  // closing, and nothing left to write
        Job job = std::move(queue_.front());
        queue_.pop_front();
        writing_ = true;
        lock.unlock();
        char name[32];
        std::snprintf(name, sizeof name, "%06lld.png", static_cast<long long>(job.frame_number));
        const std::filesystem::path file = dir_ / name;
        const RgbPicture rgb = to_rgb24(*job.picture);
        job.picture.reset();  // back to the watermark stage's pool
        std::optional<std::string> error = write_png(file, rgb);
        lock.lock();
        writing_ = false;
        if (error && !failure_) failure_ = std::move(error);
        changed_.notify_all();
    }
}

}  // namespace courtplay::kiosk
