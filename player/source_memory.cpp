#include "player/source.h"

extern "C" {
#include <libavutil/error.h>
}

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace courtplay::player {
namespace {

class MemorySource final : public Source {
public:
    MemorySource(std::string name, std::vector<uint8_t> bytes) : name_(std::move(name)), bytes_(std::move(bytes)) {}

    int read(uint8_t* buf, int size) override {
        const auto left = static_cast<int64_t>(bytes_.size()) - pos_;
        const int n = static_cast<int>(std::clamp<int64_t>(left, 0, size));
        if (n > 0) std::memcpy(buf, bytes_.data() + pos_, static_cast<size_t>(n));
        pos_ += n;
        return n;
    }
    int64_t seek_to(int64_t offset) override {
        if (offset < 0) return AVERROR(EINVAL);
        pos_ = offset;
        return pos_;
    }
    int64_t size() const override { return static_cast<int64_t>(bytes_.size()); }
    std::string name() const override { return name_; }

private:
    std::string name_;
    std::vector<uint8_t> bytes_;
    int64_t pos_ = 0;
};

}  // namespace

std::unique_ptr<Source> open_memory_source(std::string name, std::vector<uint8_t> bytes) {
    return std::make_unique<MemorySource>(std::move(name), std::move(bytes));
}

}  // namespace courtplay::player
