#include "player/source.h"

namespace courtplay::player {
namespace {

class BorrowedSource final : public Source {
public:
    explicit BorrowedSource(Source& s) : s_(s) {}
    int read(uint8_t* buf, int size) override { return s_.read(buf, size); }
    int64_t seek_to(int64_t offset) override { return s_.seek_to(offset); }
    int64_t size() const override { return s_.size(); }
    std::string name() const override { return s_.name(); }
    void interrupt() override { s_.interrupt(); }

private:
    Source& s_;
};

}  // namespace

std::unique_ptr<Source> borrow_source(Source& source) { return std::make_unique<BorrowedSource>(source); }

}  // namespace courtplay::player
