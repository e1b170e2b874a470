#include "kiosk/command_script.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace courtplay::kiosk {
namespace {

std::optional<double> number(const std::string& word) {
    double v = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
    if (ec != std::errc() || end != word.data() + word.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

struct Spec {
    const char* name;
    ScriptCommand::Kind kind;
    int args;
};

constexpr Spec kSpecs[] = {
    {"pause", ScriptCommand::Kind::Pause, 0},   {"play", ScriptCommand::Kind::Play, 0},
    {"seek", ScriptCommand::Kind::Seek, 1},     {"step", ScriptCommand::Kind::Step, 0},
    {"back", ScriptCommand::Kind::Back, 0},     {"rate", ScriptCommand::Kind::Rate, 1},
    {"volume", ScriptCommand::Kind::Volume, 1}, {"mute", ScriptCommand::Kind::Mute, 0},
    {"unmute", ScriptCommand::Kind::Unmute, 0}, {"jump", ScriptCommand::Kind::Jump, 1},
    {"loop", ScriptCommand::Kind::Loop, 2},     {"quit", ScriptCommand::Kind::Quit, 0},
    {"blank", ScriptCommand::Kind::Blank, 0},   {"show", ScriptCommand::Kind::Show, 0},
};

ScriptCommand parse_line(const std::vector<std::string>& words, int line) {
    auto fail = [&](const std::string& why) -> ScriptError {
        return ScriptError("line " + std::to_string(line) + ": " + why);
    };
    auto at = number(words[0]);
    if (!at || *at < 0) throw fail("'" + words[0] + "' is not a time in seconds (expected e.g. 1.5)");
    if (words.size() < 2) throw fail("a time with no command after it");
    const std::string& name = words[1];
    const Spec* spec = nullptr;
    for (const Spec& s : kSpecs)
        if (name == s.name) spec = &s;
    if (!spec)
        throw fail("unknown command '" + name +
                   "' (known: pause, play, seek, step, back, rate, volume, mute, unmute, jump, loop, quit)");

    ScriptCommand cmd{*at, spec->kind, 0, 0, line};
    const size_t given = words.size() - 2;
    if (spec->kind == ScriptCommand::Kind::Loop && given == 1 && words[2] == "off") {
        cmd.kind = ScriptCommand::Kind::LoopOff;
        return cmd;
    }
    if (given != static_cast<size_t>(spec->args))
        throw fail("'" + name + "' takes " + std::to_string(spec->args) + " argument(s), got " + std::to_string(given));
    double args[2] = {0, 0};
    for (size_t i = 0; i < given; ++i) {
        auto v = number(words[2 + i]);
        if (!v) throw fail("'" + words[2 + i] + "' is not a number");
        args[i] = *v;
    }
    cmd.a = args[0];
    cmd.b = args[1];
    switch (cmd.kind) {
    case ScriptCommand::Kind::Seek:
        if (cmd.a < 0) throw fail("seek needs a position of 0 seconds or more");
        break;
    case ScriptCommand::Kind::Rate:
        if (cmd.a < 0.25 || cmd.a > 4) throw fail("rate must be between 0.25 and 4");
        break;
    case ScriptCommand::Kind::Volume:
        if (cmd.a < 0 || cmd.a > 1) throw fail("volume must be between 0 and 1");
        break;
    case ScriptCommand::Kind::Loop:
        if (cmd.a < 0 || cmd.b <= cmd.a) throw fail("loop needs A then B with 0 <= A < B, or 'loop off'");
        break;
    default: break;
    }
    return cmd;
}

}  // namespace

std::vector<ScriptCommand> parse_script(const std::string& text) {
    std::vector<ScriptCommand> out;
    std::istringstream in(text);
    std::string raw;
    int line = 0;
    while (std::getline(in, raw)) {
        ++line;
        if (auto hash = raw.find('#'); hash != std::string::npos) raw.erase(hash);
        std::istringstream words_in(raw);
        std::vector<std::string> words;
        for (std::string w; words_in >> w;) words.push_back(w);
        if (words.empty()) continue;
        out.push_back(parse_line(words, line));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.at < y.at; });
    return out;
}

}  // namespace courtplay::kiosk
