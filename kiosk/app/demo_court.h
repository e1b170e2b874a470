// The demo's court, made on the spot: the reference share service on loopback with a fresh data
// folder, three demo clips made by our own code (assets/demo_clips.h), one CPS share and one
// defence share of them, and a kiosk config pointing at it all. Everything goes when it does.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace courtplay::kiosk::app {

struct DemoShares {
    std::string cps, defence;  // share codes, as printed on a share notice
    std::string withdrawn;     // a code whose share was revoked: the demo shows the refusal
};

class DemoCourt {
public:
    // Throws std::runtime_error saying which step failed.
    DemoCourt();
    ~DemoCourt();  // stops the service, removes the folder
    DemoCourt(const DemoCourt&) = delete;
    DemoCourt& operator=(const DemoCourt&) = delete;

    const std::filesystem::path& config() const { return config_; }
    const std::filesystem::path& service_data() const { return data_; }
    const DemoShares& shares() const { return shares_; }
    static constexpr const char* kAdminPin = "246810";
    // `courtplay-server ARGS...`: its standard output, or throws with its standard error.
    std::string server(const std::vector<std::string>& args) const;

private:
    void stop_and_remove();

    std::filesystem::path root_, data_, config_;
    std::string server_bin_;
    DemoShares shares_;
    pid_t serve_ = -1;
};

}  // namespace courtplay::kiosk::app
