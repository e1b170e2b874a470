#include "kiosk/process_clock.h"

#include "player/clock.h"

#include <fstream>
#include <sstream>
#include <string>
#include <time.h>
#include <unistd.h>

namespace courtplay::kiosk {

player::Micros process_start_time() {
    const player::Micros now = player::monotonic_now();
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');  // the command name may hold spaces; fields follow the last ')'
    if (close == std::string::npos) return now;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    unsigned long long start_ticks = 0;
    for (int i = 3; i <= 22 && fields >> field; ++i)
        if (i == 22) start_ticks = std::stoull(field);
    timespec boot{};
    clock_gettime(CLOCK_BOOTTIME, &boot);
    const player::Micros boot_now = static_cast<player::Micros>(boot.tv_sec) * 1000000 + boot.tv_nsec / 1000;
    const player::Micros started = static_cast<player::Micros>(start_ticks) * 1000000 / sysconf(_SC_CLK_TCK);
    return now - (boot_now - started);
}

}  // namespace courtplay::kiosk
