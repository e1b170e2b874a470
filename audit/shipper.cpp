#include "audit/shipper.h"

#include "files/thread_name.h"
#include "files/wipe_stack.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>
#include <ctime>

namespace courtplay::audit {
namespace {

using nlohmann::json;

std::string service_words(const json& body, long status) {
    const std::string message = body.is_object() ? body.value("message", std::string()) : std::string();
    return "the audit service refused the events (HTTP " + std::to_string(status) +
           (message.empty() ? "" : ": " + message) + ")";
}

// A whole-number member of the service's answer.
std::optional<int64_t> int_member(const json& body, const char* name) {
    if (!body.is_object() || !body.contains(name) || !body[name].is_number_integer()) return std::nullopt;
    return body[name].get<int64_t>();
}

}  // namespace

json batch_request(const std::string& kiosk_id, const std::vector<Line>& lines, bool gap_acknowledged) {
    json body = {{"kiosk_id", kiosk_id}, {"lines", json::array()}, {"gap_acknowledged", gap_acknowledged}};
    for (const Line& line : lines) body["lines"].push_back(to_json(line));
    return body;
}

Shipper::Shipper(Journal& journal, ShipperOptions options)
    : journal_(journal), options_(std::move(options)), http_(options_.tls) {}

Shipper::~Shipper() { stop(); }

ShipResult Shipper::ship() {
    std::lock_guard pass(pass_mutex_);
    ShipResult result;
    const std::string url = options_.url + "/v1/audit/batches";
    int64_t from = journal_.delivered();  // send records after this
    bool acknowledge_gap = false;
    Journal::ReadCursor cursor;
    try {
        for (;;) {
            const std::vector<Line> lines = journal_.read_after(from, options_.batch_records, &cursor);
            if (lines.empty()) break;
            const json body = batch_request(journal_.kiosk_id(), lines, acknowledge_gap);
            int64_t first = 0, last = 0;
            for (const Line& line : lines) {
                if (const auto* r = std::get_if<Record>(&line)) {
                    if (!first) first = r->seq();
                    last = r->seq();
                }
            }
            const auth::HttpResponse res = http_.post_json(url, body.dump());
            const json answer = json::parse(res.body, nullptr, false);
            if (const auto last_seq = int_member(answer, "last_seq"); res.status == 200 && last_seq) {
                const int64_t acked = std::min<int64_t>(*last_seq, last);
                if (acked < last) {
                    result.problem = "the audit service acknowledged only up to event " + std::to_string(acked);
                    break;
                }
                journal_.mark_delivered(acked);
                from = acked;
                acknowledge_gap = false;
                continue;
            }
            const std::string error = answer.is_object() ? answer.value("error", std::string()) : std::string();
            const auto expected_seq = int_member(answer, "expected_seq");
            if (res.status == 409 && error == "gap" && expected_seq) {
                // The service is missing records before this batch (its database was restored from
                // an older copy, say). Send them again if this kiosk still has them; if it does not,
                // say so, and the service records the gap as a fault.
                const int64_t expected = *expected_seq;
                if (expected < first && !acknowledge_gap) {
                    const auto again = journal_.read_after(expected - 1, 1);
                    const auto* r = again.empty() ? nullptr : std::get_if<Record>(&again.front());
                    if (r && r->seq() == expected) {
                        from = expected - 1;
                    } else {
                        acknowledge_gap = true;
                    }
                    continue;
                }
            }
            result.problem = service_words(answer, res.status);
            result.refused = res.status >= 400 && res.status < 500 && res.status != 429;
            break;
        }
    } catch (const auth::NetworkError& e) {
        result.problem = std::string("the audit service cannot be reached: ") + e.what();
    } catch (const JournalError& e) {
        result.problem = e.what();
    }
    result.delivered = journal_.delivered();
    result.left = std::max<int64_t>(0, journal_.last_seq() - result.delivered);
    if (!result.problem) {
        try {
            journal_.remove_delivered(std::time(nullptr) - int64_t{options_.keep_delivered_days} * 86400);
        } catch (const JournalError&) {
            // Old delivered segments stay until the next pass: nothing is lost by keeping them.
        }
    }
    std::lock_guard lock(state_mutex_);
    last_ = result;
    return result;
}

void Shipper::start() {
    std::lock_guard lock(state_mutex_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] {
        files::name_this_thread("audit-shipper");
        run();
    });
}

void Shipper::nudge() {
    {
        std::lock_guard lock(state_mutex_);
        nudged_ = true;
    }
    wake_.notify_all();
}

void Shipper::stop() {
    {
        std::lock_guard lock(state_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::optional<ShipResult> Shipper::last() const {
    std::lock_guard lock(state_mutex_);
    return last_;
}

void Shipper::run() {
    std::chrono::seconds backoff{1};
    for (;;) {
        const ShipResult r = ship();
        // A batch's frames hold the events' share and clip ids until a deeper call overwrites them.
        files::wipe_stack_below();
        const auto wait = r.problem ? backoff : std::chrono::seconds(60);
        backoff = r.problem ? std::min(backoff * 2, std::chrono::seconds(60)) : std::chrono::seconds(1);
        std::unique_lock lock(state_mutex_);
        wake_.wait_for(lock, wait, [&] { return stopping_ || nudged_; });
        // Events come in bursts (a session's start is five of them): gather a second's worth.
        if (nudged_) wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
        if (stopping_) return;
        nudged_ = false;
    }
}

}  // namespace courtplay::audit
