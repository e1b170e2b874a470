// libFuzzer target: the --commands script parser.
#include "kiosk/command_script.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        auto commands = courtplay::kiosk::parse_script(std::string(reinterpret_cast<const char*>(data), size));
        for (const auto& c : commands)
            if (c.at < 0) __builtin_trap();  // the parser promises non-negative times
    } catch (const courtplay::kiosk::ScriptError&) {
    }
    return 0;
}
