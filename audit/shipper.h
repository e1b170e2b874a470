// Delivers the journal to the audit service (POST /v1/audit/batches, docs/audit.md): in order, in
// batches that end with a seal, marking each acknowledged batch delivered. A retry after a lost
// answer is harmless: the service counts records it already holds as duplicates.
//
// ship() is one pass for `courtplay audit flush`; start() runs passes on a thread of its own
// while a session goes on, backing off while the service is down.
#pragma once

#include "audit/journal.h"
#include "auth/https_client.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace courtplay::audit {

struct ShipperOptions {
    std::string url;         // the service's base URL, "https://host:port"
    auth::TlsPolicy tls;     // exactly as for redemption
    size_t batch_records = 1000;
    int keep_delivered_days = 90;  // delivered segments older than this are removed after a pass
};

struct ShipResult {
    int64_t delivered = 0;   // the delivered mark after the pass
    int64_t left = 0;        // records still undelivered
    std::optional<std::string> problem;  // why the pass stopped early, in words
    bool refused = false;    // the service refused a batch: trying again will not help
};

// The request body for `lines` (docs/audit.md, "Shipping").
nlohmann::json batch_request(const std::string& kiosk_id, const std::vector<Line>& lines, bool gap_acknowledged);

class Shipper {
public:
    Shipper(Journal& journal, ShipperOptions options);
    ~Shipper();  // stops the thread

    // Sends everything undelivered, batch by batch, until nothing is left or a batch fails.
    ShipResult ship();

    // The background thread: a pass now, then a second after each nudge (so a burst of events
    // goes in one batch), and every minute; while passes fail, again after 1, 2, 4 ... 60 s.
    void start();
    void nudge();
    void stop();
    std::optional<ShipResult> last() const;  // the newest pass's result

    Shipper(const Shipper&) = delete;
    Shipper& operator=(const Shipper&) = delete;

private:
    void run();

    Journal& journal_;
    const ShipperOptions options_;
    auth::HttpsClient http_;           // used by one pass at a time: ship() holds pass_mutex_
    std::mutex pass_mutex_;            // one pass at a time
    mutable std::mutex state_mutex_;   // guards the members below
    std::condition_variable wake_;
    bool stopping_ = false, nudged_ = false;
    std::optional<ShipResult> last_;
    std::thread thread_;
};

}  // namespace courtplay::audit
