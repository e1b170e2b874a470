#include "support/presented_frames.h"

#include "support/testing.h"

#include <algorithm>
#include <stdexcept>

namespace courtplay::testing {

std::vector<player::FramePtr> decode_video_frames(const std::string& path) {
    AVFormatContext* raw = nullptr;
    if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) throw std::runtime_error("cannot open " + path);
    player::InputPtr input(raw);
    avformat_find_stream_info(input.get(), nullptr);
    const int stream = av_find_best_stream(input.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (stream < 0) throw std::runtime_error("no video in " + path);
    const AVCodecParameters* par = input->streams[stream]->codecpar;
    player::CodecPtr codec(avcodec_alloc_context3(avcodec_find_decoder(par->codec_id)));
    avcodec_parameters_to_context(codec.get(), par);
    if (avcodec_open2(codec.get(), nullptr, nullptr) < 0) throw std::runtime_error("cannot decode " + path);
    std::vector<player::FramePtr> frames;
    player::PacketPtr packet = player::make_packet();
    auto drain = [&] {
        for (player::FramePtr f = player::make_frame(); avcodec_receive_frame(codec.get(), f.get()) == 0;
             f = player::make_frame())
            frames.push_back(std::move(f));
    };
    while (av_read_frame(input.get(), packet.get()) >= 0) {
        if (packet->stream_index == stream) avcodec_send_packet(codec.get(), packet.get());
        av_packet_unref(packet.get());
        drain();
    }
    avcodec_send_packet(codec.get(), nullptr);
    drain();
    return frames;
}

PictureDifference difference(const kiosk::RgbPicture& a, const kiosk::RgbPicture& b, int tolerance) {
    if (a.width != b.width || a.height != b.height) throw std::runtime_error("pictures of different sizes");
    PictureDifference d;
    int x0 = a.width, y0 = a.height, x1 = -1, y1 = -1;
    for (int y = 0; y < a.height; ++y)
        for (int x = 0; x < a.width; ++x) {
            const size_t i = (static_cast<size_t>(y) * a.width + x) * 3;
            bool differs = false;
            for (int c = 0; c < 3; ++c) differs = differs || std::abs(a.pixels[i + c] - b.pixels[i + c]) > tolerance;
            if (!differs) continue;
            ++d.count;
            x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
        }
    if (d.count) d.box = {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    return d;
}

std::string read_text(const std::string& png, int width, int height, const watermark::Box& box) {
    // The box alone, on a plain border: what a person does to read a photograph of a screen.
    const std::string crop = png + ".crop.png";
    const int w = std::min(width - box.x, box.width), h = std::min(height - box.y, box.height);
    const std::string filter = "crop=" + std::to_string(w) + ":" + std::to_string(h) + ":" + std::to_string(box.x) + ":" +
                               std::to_string(box.y) + ",pad=iw+24:ih+24:12:12:black";
    RunResult cut = run({"ffmpeg", "-v", "error", "-y", "-i", png, "-vf", filter, crop});
    if (cut.exit_code != 0) throw std::runtime_error("ffmpeg crop failed: " + cut.err);
    RunResult ocr = run({"tesseract", crop, "-", "--psm", "6"}, {"OMP_THREAD_LIMIT=1"});  // OpenMP spins on 2 cores
    if (ocr.exit_code != 0) throw std::runtime_error("tesseract failed: " + ocr.err);
    return ocr.out;
}

}  // namespace courtplay::testing
