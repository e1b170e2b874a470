// Included before everything else in each C++ file (the top CMakeLists.txt passes -include): makes
// nlohmann/json's precondition checks hold in every build, where assert() would vanish under
// NDEBUG. A const `j["key"]` on an object without that key is then a std::logic_error naming the
// check, not a read of the memory past the object. (A check inside one of the library's noexcept
// functions ends the program instead: still no read of what is not there.)
#pragma once
#include <stdexcept>
#include <string>

namespace courtplay::files {
[[noreturn]] inline void json_precondition_failed(const char* check) {
    throw std::logic_error(std::string("JSON precondition failed: ") + check);
}
}  // namespace courtplay::files

#define JSON_ASSERT(x) ((x) ? static_cast<void>(0) : ::courtplay::files::json_precondition_failed(#x))
