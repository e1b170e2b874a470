#include "config/watermark_template.h"

#include <array>
#include <string_view>

namespace courtplay::config {
namespace {

constexpr std::array<std::string_view, 9> kPlaceholders = {"party", "share_id", "case_ref", "kiosk_id", "session_id",
                                                           "label", "court", "room", "utc"};
constexpr std::array<std::string_view, 3> kRequired = {"party", "share_id", "session_id"};
constexpr size_t kMaxLength = 400;

bool known(std::string_view name) {
    for (auto p : kPlaceholders)
        if (p == name) return true;
    return false;
}

std::string list(auto names) {
    std::string out;
    for (auto n : names) out += (out.empty() ? "{" : ", {") + std::string(n) + "}";
    return out;
}

}  // namespace

std::optional<std::string> watermark_template_problem(const std::string& text) {
    if (text.size() > kMaxLength) return "is " + std::to_string(text.size()) + " characters long, more than " + std::to_string(kMaxLength);
    for (size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
        const size_t close = text.find('}', open);
        if (close == std::string::npos) return "has a '{' with no '}' after it";
        const std::string_view name(text.data() + open + 1, close - open - 1);
        if (!known(name)) return "has an unknown placeholder {" + std::string(name) + "}; the known ones are " + list(kPlaceholders);
    }
    for (auto r : kRequired)
        if (text.find("{" + std::string(r) + "}") == std::string::npos)
            return "lacks {" + std::string(r) + "}; it must name " + list(kRequired) + " so that a leaked picture says whose it was";
    return std::nullopt;
}

std::string fill_watermark_template(const std::string& text, const std::map<std::string, std::string>& values) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
        const size_t close = text[i] == '{' ? text.find('}', i) : std::string::npos;
        const std::string name = close == std::string::npos ? "" : text.substr(i + 1, close - i - 1);
        if (close != std::string::npos && name != "utc" && known(name)) {
            if (auto v = values.find(name); v != values.end()) out += v->second;
            i = close + 1;
        } else {
            out += text[i++];
        }
    }
    const auto label = values.find("label");
    if (label != values.end() && !label->second.empty() && text.find("{label}") == std::string::npos)
        out = label->second + "\n" + out;
    return out;
}

}  // namespace courtplay::config
