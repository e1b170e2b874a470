// The kiosk's audit journal: append-only segments of hash-chained records, each append one batch
// sealed with the kiosk's Ed25519 key and made durable (fdatasync) before it returns. Opening it
// checks the whole chain and cuts back a tail torn by a crash (and records that it did).
// docs/audit.md describes the files.
//
// Several courtplay processes may use one journal (a session, `cache prefetch`, `audit flush`):
// every append and every change to the delivered mark holds an flock on `lock`, and catches up
// with what the others appended first. Within a process, one mutex serialises the threads.
#pragma once

#include "audit/chain.h"
#include "audit/event.h"
#include "files/posix_file.h"

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace courtplay::audit {

// The journal cannot be opened, read or written. what() says why and what to do, for court IT.
struct JournalError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct JournalOptions {
    std::filesystem::path dir;        // segments, the delivered mark, the lock (made 0700)
    std::filesystem::path key_file;   // the kiosk's Ed25519 key, PKCS#8 PEM, 0600 (made on first run)
    std::string kiosk_id;
    size_t segment_bytes = 4u << 20;  // a new segment starts once the current one is this big
};

struct Backlog {
    int64_t events = 0;                    // not yet acknowledged by the service
    std::optional<std::string> oldest_utc; // the oldest of them
};

// A file of the journal, named by the sequence number of its first record.
struct JournalSegment {
    int64_t first_seq = 0;
    std::filesystem::path path;
};

class Journal {
public:
    // Throws JournalError (damaged journal, folder or key that cannot be made or read).
    explicit Journal(JournalOptions options);
    ~Journal();

    // One sealed batch, durable when this returns. Throws JournalError, and then nothing of the
    // batch is left in the journal.
    std::vector<Record> append(std::span<const Event> events);
    Record append(const Event& event);

    int64_t last_seq();   // the newest durable record, this process's or another's
    int64_t delivered();  // the highest sequence number the service has acknowledged
    void mark_delivered(int64_t seq);  // never moves backwards; written atomically
    // Where a reader got to, so that the next read_after goes on from there instead of reading
    // the segment from its start (a shipper working through a day's backlog).
    struct ReadCursor {
        std::filesystem::path segment;
        size_t offset = 0;  // just after the last seal read
        ChainHead head;     // the record that seal covers
    };
    // Records after `after_seq` with their seals, in order, ending with a seal: about
    // `max_records` records (a batch is never split). `cursor` (optional) is used when it is at
    // `after_seq`, and moved on.
    std::vector<Line> read_after(int64_t after_seq, size_t max_records, ReadCursor* cursor = nullptr);
    Backlog backlog();
    // Removes whole segments whose records are all delivered and that were last written before
    // `before_unix`. Returns how many it removed.
    int remove_delivered(int64_t before_unix);

    const std::string& kiosk_id() const { return options_.kiosk_id; }

    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

private:
    class Lock;
    std::vector<Record> append_locked(std::span<const Event> events);
    // Each returns what it cut back, as a journal.recovered event's details, when it cut.
    std::optional<nlohmann::json> recover_locked();  // the whole journal, at open
    std::optional<nlohmann::json> scan_locked(const std::vector<JournalSegment>& segments);
    std::optional<nlohmann::json> catch_up_locked();  // what others appended since
    void start_segment_locked();
    int64_t read_delivered_locked() const;

    const JournalOptions options_;
    std::mutex mutex_;                // guards everything below, and the flock's use
    files::Fd lock_fd_;
    std::optional<auth::SigningKey> key_;
    files::Fd segment_fd_;            // the newest segment, O_APPEND
    std::filesystem::path segment_path_;
    size_t segment_end_ = 0;          // bytes of it that check
    ChainHead segment_start_;         // the chain head its first record continues
    ChainHead head_;
};

// `audit list`: everything that checks, read without writing anything or taking the lock.
struct JournalEntry {
    Record record;
    bool delivered = false;
};
struct JournalListing {
    std::vector<JournalEntry> entries;
    std::optional<std::string> fault;  // damage found (the entries stop before it)
};
JournalListing list_journal(const std::filesystem::path& dir);

}  // namespace courtplay::audit
