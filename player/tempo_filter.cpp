#include "player/tempo_filter.h"

extern "C" {
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
}

#include <cstring>
#include <dlfcn.h>
#include <string>

namespace courtplay::player {
namespace {

// The libavfilter functions the filter uses, resolved once from the shared library that matches
// the headers this was built against.
struct Avfilter {
    decltype(&avfilter_graph_alloc) graph_alloc = nullptr;
    decltype(&avfilter_graph_free) graph_free = nullptr;
    decltype(&avfilter_get_by_name) get_by_name = nullptr;
    decltype(&avfilter_graph_create_filter) create_filter = nullptr;
    decltype(&avfilter_inout_alloc) inout_alloc = nullptr;
    decltype(&avfilter_inout_free) inout_free = nullptr;
    decltype(&avfilter_graph_parse_ptr) parse = nullptr;
    decltype(&avfilter_graph_config) config = nullptr;
    decltype(&av_buffersrc_add_frame) add_frame = nullptr;
    decltype(&av_buffersink_get_frame) get_frame = nullptr;
    bool loaded = false;
};

const Avfilter& avfilter() {
    static const Avfilter lib = [] {
        Avfilter a;
        const std::string name = "libavfilter.so." + std::to_string(LIBAVFILTER_VERSION_MAJOR);
        void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);  // kept for the process's life
        if (!handle) return a;
        auto get = [&](auto& fn, const char* symbol) {
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(handle, symbol));
            return fn != nullptr;
        };
        a.loaded = get(a.graph_alloc, "avfilter_graph_alloc") && get(a.graph_free, "avfilter_graph_free") &&
                   get(a.get_by_name, "avfilter_get_by_name") &&
                   get(a.create_filter, "avfilter_graph_create_filter") &&
                   get(a.inout_alloc, "avfilter_inout_alloc") && get(a.inout_free, "avfilter_inout_free") &&
                   get(a.parse, "avfilter_graph_parse_ptr") && get(a.config, "avfilter_graph_config") &&
                   get(a.add_frame, "av_buffersrc_add_frame") && get(a.get_frame, "av_buffersink_get_frame");
        return a;
    }();
    return lib;
}

}  // namespace

struct TempoFilter::Graph {
    AVFilterGraph* graph = nullptr;
    AVFilterContext* in = nullptr;
    AVFilterContext* out = nullptr;
    ~Graph() {
        if (graph) avfilter().graph_free(&graph);
    }
};

TempoFilter::TempoFilter(std::unique_ptr<Graph> graph, AudioFormat format) : graph_(std::move(graph)), format_(format) {}
TempoFilter::~TempoFilter() = default;

std::unique_ptr<TempoFilter> TempoFilter::create(AudioFormat format, double rate) {
    const Avfilter& lib = avfilter();
    if (!lib.loaded) return nullptr;
    auto g = std::make_unique<Graph>();
    g->graph = lib.graph_alloc();
    if (!g->graph) return nullptr;

    char layout[64];
    AVChannelLayout cl{};
    av_channel_layout_default(&cl, format.channels);
    av_channel_layout_describe(&cl, layout, sizeof layout);
    av_channel_layout_uninit(&cl);
    const std::string args =
        "sample_rate=" + std::to_string(format.rate) + ":sample_fmt=flt:channel_layout=" + layout;
    if (lib.create_filter(&g->in, lib.get_by_name("abuffer"), "in", args.c_str(), nullptr, g->graph) < 0 ||
        lib.create_filter(&g->out, lib.get_by_name("abuffersink"), "out", nullptr, nullptr, g->graph) < 0)
        return nullptr;
    // atempo takes 0.5..100 per instance; slower rates chain instances (0.25 = 0.5 x 0.5).
    std::string chain;
    double left = rate;
    while (left < 0.5) {
        chain += "atempo=0.5,";
        left /= 0.5;
    }
    chain += "atempo=" + std::to_string(left) + ",aformat=sample_fmts=flt";
    AVFilterInOut* outputs = lib.inout_alloc();
    AVFilterInOut* inputs = lib.inout_alloc();
    if (!outputs || !inputs) {
        lib.inout_free(&outputs);
        lib.inout_free(&inputs);
        return nullptr;
    }
    outputs->name = av_strdup("in");
    outputs->filter_ctx = g->in;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = g->out;
    int err = lib.parse(g->graph, chain.c_str(), &inputs, &outputs, nullptr);
    lib.inout_free(&inputs);
    lib.inout_free(&outputs);
    if (err < 0 || lib.config(g->graph, nullptr) < 0) return nullptr;
    return std::unique_ptr<TempoFilter>(new TempoFilter(std::move(g), format));
}

bool TempoFilter::push(const float* samples, int frames) {
    if (!samples) return avfilter().add_frame(graph_->in, nullptr) >= 0;
    FramePtr in = make_frame();
    in->format = AV_SAMPLE_FMT_FLT;
    in->sample_rate = format_.rate;
    av_channel_layout_default(&in->ch_layout, format_.channels);
    in->nb_samples = frames;
    if (av_frame_get_buffer(in.get(), 0) < 0) return false;
    std::memcpy(in->data[0], samples, sizeof(float) * static_cast<size_t>(frames) * format_.channels);
    return avfilter().add_frame(graph_->in, in.get()) >= 0;
}

bool TempoFilter::pull(const std::function<bool(const float*, int)>& sink) {
    FramePtr out = make_frame();
    while (avfilter().get_frame(graph_->out, out.get()) >= 0) {
        bool more = sink(reinterpret_cast<const float*>(out->data[0]), out->nb_samples);
        av_frame_unref(out.get());
        if (!more) return false;
    }
    return true;
}

}  // namespace courtplay::player
