// The demo's scripted session, for a machine with no display (or `--demo --headless`): it drives
// the real kiosk with the input a clerk would give (keys and typed codes, as a keyboard or a
// barcode scanner sends them), waits for each screen to show what it should, and saves a
// screenshot of each. The same screenshots are the pictures in docs/.
#pragma once

#include "kiosk/app/demo_court.h"
#include "kiosk/app/kiosk_app.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace courtplay::kiosk::app {

class DemoTour {
public:
    DemoTour(const DemoShares& shares, const std::string& admin_pin, std::filesystem::path screens);
    // The app's driver: one call a turn of its loop. False when the tour is over (or failed).
    bool operator()(KioskApp& app);
    const std::vector<std::filesystem::path>& screenshots() const { return shots_; }
    const std::string& failure() const { return failure_; }  // empty when it went as scripted

private:
    struct Step {
        std::string what;                              // for the failure message
        std::function<bool(const KioskApp&)> ready;    // true when the step may act
        std::function<void(KioskApp&)> act;
        double timeout_s = 30;
    };
    void shot(const std::string& name);
    void add(std::string what, std::function<bool(const KioskApp&)> ready, std::function<void(KioskApp&)> act,
             double timeout_s = 30);

    std::filesystem::path screens_;
    std::vector<Step> steps_;
    size_t next_ = 0;
    int64_t step_started_ms_ = -1;
    int64_t ready_since_ms_ = -1;
    std::vector<std::filesystem::path> shots_;
    std::string failure_;
};

}  // namespace courtplay::kiosk::app
