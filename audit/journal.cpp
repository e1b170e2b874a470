#include "audit/journal.h"

#include "audit/journal_scan.h"
#include "auth/base64url.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace courtplay::audit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSuffix = ".jsonl";
constexpr const char* kDeliveredFile = "delivered";
constexpr size_t kSegmentReadLimit = size_t{1} << 30;

// Segments by their first sequence number; other files in the folder are not the journal's.
std::vector<JournalSegment> list_segments(const fs::path& dir) {
    std::vector<JournalSegment> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.size() != 20 + 6 || !name.ends_with(kSuffix)) continue;
        int64_t first = 0;
        const auto [end, err] = std::from_chars(name.data(), name.data() + 20, first);
        if (err != std::errc() || end != name.data() + 20 || first < 1) continue;
        out.push_back({first, e.path()});
    }
    if (ec) throw JournalError("the audit journal folder " + dir.string() + " cannot be read (" + ec.message() + ")");
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first_seq < b.first_seq; });
    return out;
}

fs::path segment_path(const fs::path& dir, int64_t first_seq) {
    char name[32];
    std::snprintf(name, sizeof name, "%020lld%s", static_cast<long long>(first_seq), kSuffix);
    return dir / name;
}

// nullopt when the file is gone: readers that do not take the lock can meet a delivered segment
// just as another process removes it.
std::optional<std::string> try_read_segment(const fs::path& file) {
    const std::vector<uint8_t> bytes = files::read_small(file, kSegmentReadLimit);
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) return std::nullopt;
    if (bytes.empty() && size != 0) throw JournalError("the audit journal file " + file.string() + " cannot be read");
    return std::string(bytes.begin(), bytes.end());
}

std::string read_segment(const fs::path& file) {
    std::optional<std::string> bytes = try_read_segment(file);
    if (!bytes) throw JournalError("the audit journal file " + file.string() + " is missing");
    return std::move(*bytes);
}

// The chain head a segment continues: for the first segment still kept, what its first record says
// (the segments before it were delivered and removed); kGenesis at the very start.
ChainHead head_before(const JournalSegment& seg, std::string_view bytes) {
    if (seg.first_seq == 1) return {};
    const auto line = parse_line(bytes.substr(0, bytes.find('\n')));
    if (const auto* r = line ? std::get_if<Record>(&*line) : nullptr) return {seg.first_seq - 1, r->prev};
    return {seg.first_seq - 1, std::string(kGenesis)};
}

// The delivered mark in `dir`; 0 when there is none yet.
int64_t read_delivered_mark(const fs::path& dir) {
    const std::vector<uint8_t> bytes = files::read_small(dir / kDeliveredFile, 64);
    const auto* text = reinterpret_cast<const char*>(bytes.data());
    int64_t seq = 0;
    std::from_chars(text, text + bytes.size(), seq);
    return std::max<int64_t>(seq, 0);
}

std::string utc_now() {
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char text[80];  // room for any int the compiler can imagine in tm
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return text;
}

int64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

json event_json(const Event& ev, const std::string& kiosk_id, int64_t seq) {
    const auto id = auth::random_bytes(16);
    json e = {{"id", auth::hex(id)}, {"seq", seq},          {"type", ev.type},
              {"kiosk_id", kiosk_id}, {"utc", utc_now()}, {"mono_ns", monotonic_ns()}};
    const EventSubject& s = ev.subject;
    for (const auto& [name, value] : {std::pair{"session_id", &s.session_id}, {"share_id", &s.share_id},
                                      {"party", &s.party}, {"clip_id", &s.clip_id}, {"sha256", &s.sha256}}) {
        if (!value->empty()) e[name] = *value;
    }
    if (ev.position_ms) e["position_ms"] = *ev.position_ms;
    if (!ev.details.empty()) e["details"] = ev.details;
    return e;
}

std::string damaged_words(const fs::path& file, const std::string& fault) {
    return "the audit journal is damaged (" + file.filename().string() + ": " + fault +
           "). Evidence cannot be played until court IT have examined it; the file is left as it is, in " +
           file.parent_path().string();
}

void make_private_dir(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    struct stat st{};
    const bool is_private = !ec && ::stat(dir.c_str(), &st) == 0 && (st.st_mode & 0777) == 0700;
    if (ec || (!is_private && ::chmod(dir.c_str(), 0700) != 0))
        throw JournalError("the audit journal folder " + dir.string() + " cannot be made (" +
                           (ec ? ec.message() : files::errno_words(errno)) + ")");
}

}  // namespace

// The flock on `lock`: held around anything that writes, so processes take turns.
class Journal::Lock {
public:
    explicit Lock(int fd) : fd_(fd) {
        while (::flock(fd_, LOCK_EX) != 0) {
            if (errno != EINTR) throw JournalError("the audit journal cannot be locked (" + files::errno_words(errno) + ")");
        }
    }
    ~Lock() { ::flock(fd_, LOCK_UN); }
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

private:
    int fd_;
};

Journal::Journal(JournalOptions options) : options_(std::move(options)) {
    if (options_.kiosk_id.empty()) throw JournalError("the kiosk has no id (kiosk_id in the config)");
    make_private_dir(options_.dir);
    lock_fd_ = files::Fd(::open((options_.dir / "lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!lock_fd_)
        throw JournalError("the audit journal in " + options_.dir.string() + " cannot be written (" +
                           files::errno_words(errno) + ")");
    try {
        if (fs::exists(options_.key_file)) {
            key_ = auth::SigningKey::load_pem(options_.key_file);
        } else {
            make_private_dir(options_.key_file.parent_path());
            key_ = auth::SigningKey::generate();
            key_->save_pem(options_.key_file);
        }
    } catch (const std::exception& e) {  // auth::KeyError, or the key file cannot be written
        throw JournalError(std::string("the kiosk's audit key cannot be used: ") + e.what());
    }
    std::lock_guard guard(mutex_);
    Lock lock(lock_fd_.get());
    if (auto cut = recover_locked()) {
        const Event recovered{event_type::journal_recovered, {}, std::nullopt, std::move(*cut)};
        append_locked(std::span(&recovered, 1));
    }
}

Journal::~Journal() = default;

std::optional<json> Journal::recover_locked() {
    head_ = {};
    segment_start_ = {};
    segment_fd_ = {};
    segment_path_.clear();
    segment_end_ = 0;
    return scan_locked(list_segments(options_.dir));
}

// Scans `segments` from the current one (all of them when there is none yet) onwards, continuing
// the chain from where the current one starts; the newest becomes the one appended to.
std::optional<json> Journal::scan_locked(const std::vector<JournalSegment>& segments) {
    size_t first = 0;
    while (first < segments.size() && segments[first].path != segment_path_) ++first;
    const bool whole = first == segments.size();  // nothing scanned yet, or the current one is gone
    if (whole) first = 0;
    std::optional<json> cut;
    ChainHead head = whole ? ChainHead{} : segment_start_;
    for (size_t i = first; i < segments.size(); ++i) {
        const bool newest = i + 1 == segments.size();
        const std::string bytes = read_segment(segments[i].path);
        const ChainHead start = whole && i == 0 ? head_before(segments[i], bytes) : head;
        if (segments[i].first_seq != start.seq + 1)
            throw JournalError(damaged_words(segments[i].path, "it does not start where the one before ends"));
        // Signatures cost; hashes and links already show damage, so only the newest segment's
        // seals (where a torn append could be) are checked.
        const SegmentScan scan = scan_segment(bytes, start, {.check_signatures = newest});
        if (scan.tail == SegmentTail::damaged || (scan.tail == SegmentTail::torn && !newest))
            throw JournalError(damaged_words(segments[i].path, scan.fault));
        if (scan.tail == SegmentTail::torn) {
            files::Fd fd(::open(segments[i].path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
            if (!fd || ::ftruncate(fd.get(), static_cast<off_t>(scan.good_end)) != 0 || ::fdatasync(fd.get()) != 0)
                throw JournalError("the audit journal's torn end cannot be cut back (" + files::errno_words(errno) + ")");
            cut = json{{"cut_bytes", static_cast<int64_t>(bytes.size() - scan.good_end)},
                       {"last_good_seq", scan.head.seq},
                       {"reason", scan.fault},
                       {"segment", segments[i].path.filename().string()}};
        }
        if (newest) {
            segment_start_ = start;
            segment_path_ = segments[i].path;
            segment_end_ = scan.good_end;
        }
        head = scan.head;
    }
    head_ = head;
    if (segments.empty()) return cut;
    segment_fd_ = files::Fd(::open(segment_path_.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
    if (!segment_fd_)
        throw JournalError("the audit journal file " + segment_path_.string() + " cannot be written (" +
                           files::errno_words(errno) + ")");
    return cut;
}

// Another process may have appended (or started a segment) since this one last looked; so may a
// process that died mid-append. Scan what is new; cut a torn end as at opening.
std::optional<json> Journal::catch_up_locked() {
    const std::vector<JournalSegment> segments = list_segments(options_.dir);
    struct stat st{};
    const bool unchanged = segment_fd_ && ::fstat(segment_fd_.get(), &st) == 0 && !segments.empty() &&
                           segments.back().path == segment_path_ && static_cast<size_t>(st.st_size) == segment_end_;
    if (unchanged) return std::nullopt;
    if (!segment_fd_) return recover_locked();
    return scan_locked(segments);
}

void Journal::start_segment_locked() {
    segment_path_ = segment_path(options_.dir, head_.seq + 1);
    segment_fd_ = files::Fd(::open(segment_path_.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!segment_fd_)
        throw JournalError("the audit journal cannot start a new file in " + options_.dir.string() + " (" +
                           files::errno_words(errno) + ")");
    files::fsync_dir(options_.dir);
    segment_end_ = 0;
    segment_start_ = head_;
}

std::vector<Record> Journal::append(std::span<const Event> events) {
    std::lock_guard guard(mutex_);
    Lock lock(lock_fd_.get());
    std::vector<Event> batch;
    if (auto cut = catch_up_locked()) batch.push_back({event_type::journal_recovered, {}, std::nullopt, std::move(*cut)});
    batch.insert(batch.end(), events.begin(), events.end());
    std::vector<Record> records = append_locked(batch);
    records.erase(records.begin(), records.begin() + static_cast<std::ptrdiff_t>(batch.size() - events.size()));
    return records;
}

Record Journal::append(const Event& event) { return append(std::span(&event, 1)).front(); }

std::vector<Record> Journal::append_locked(std::span<const Event> events) {
    if (events.empty()) return {};
    if (!segment_fd_ || segment_end_ >= options_.segment_bytes) start_segment_locked();
    std::vector<Record> records;
    std::string text;
    ChainHead head = head_;
    for (const Event& ev : events) {
        Record r{event_json(ev, options_.kiosk_id, head.seq + 1), head.hash, {}};
        r.hash = record_hash(r.prev, r.event.dump());
        head = {head.seq + 1, r.hash};
        text += to_text(r) + '\n';
        records.push_back(std::move(r));
    }
    text += to_text(make_seal(*key_, options_.kiosk_id, head.seq, head.hash)) + '\n';

    // One write, then fdatasync: only then is the batch durable. On any failure the file is cut
    // back to where it was, so no partial record is left for a reader to trip over.
    const auto fail = [&](int err) {
        const bool cut = ::ftruncate(segment_fd_.get(), static_cast<off_t>(segment_end_)) == 0;
        if (cut) ::fdatasync(segment_fd_.get());
        throw JournalError("the audit journal cannot be written (" + files::errno_words(err) + ")" +
                           (cut ? "" : "; what was half written will be cut back when courtplay next starts"));
    };
    const auto* data = reinterpret_cast<const uint8_t*>(text.data());
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(segment_fd_.get(), data + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail(n < 0 ? errno : ENOSPC);
        done += static_cast<size_t>(n);
    }
    if (::fdatasync(segment_fd_.get()) != 0) fail(errno);
    segment_end_ += text.size();
    head_ = head;
    return records;
}

int64_t Journal::last_seq() {
    std::lock_guard guard(mutex_);
    Lock lock(lock_fd_.get());
    if (auto cut = catch_up_locked()) {
        const Event recovered{event_type::journal_recovered, {}, std::nullopt, std::move(*cut)};
        append_locked(std::span(&recovered, 1));
    }
    return head_.seq;
}

int64_t Journal::read_delivered_locked() const { return read_delivered_mark(options_.dir); }

int64_t Journal::delivered() {
    std::lock_guard guard(mutex_);
    return read_delivered_locked();
}

void Journal::mark_delivered(int64_t seq) {
    std::lock_guard guard(mutex_);
    Lock lock(lock_fd_.get());
    if (seq <= read_delivered_locked()) return;
    try {
        auth::write_file_atomic(options_.dir / kDeliveredFile, std::to_string(seq) + "\n", 0600);
    } catch (const std::exception& e) {
        throw JournalError(std::string("the audit journal's delivered mark cannot be written: ") + e.what());
    }
}

std::vector<Line> Journal::read_after(int64_t after_seq, size_t max_records, ReadCursor* cursor) {
    std::vector<Line> out;
    size_t records = 0;
    const std::vector<JournalSegment> segments = list_segments(options_.dir);
    size_t first = 0;
    const bool resume = cursor && cursor->head.seq == after_seq;
    if (resume) {
        while (first < segments.size() && segments[first].path != cursor->segment) ++first;
    }
    const bool resumed = resume && first < segments.size();
    if (!resumed) {
        first = 0;  // the segment that holds after_seq + 1
        while (first + 1 < segments.size() && segments[first + 1].first_seq <= after_seq + 1) ++first;
    }
    ChainHead head;
    for (size_t i = first; i < segments.size() && records < max_records; ++i) {
        const std::optional<std::string> read = try_read_segment(segments[i].path);
        if (!read) break;  // removed as delivered meanwhile: the next pass starts again from the mark
        const std::string& bytes = *read;
        const size_t offset = resumed && i == first ? std::min(cursor->offset, bytes.size()) : 0;
        const std::string_view rest = std::string_view(bytes).substr(offset);
        if (resumed && i == first) head = cursor->head;
        else if (i == first) head = head_before(segments[i], bytes);
        const ScanOptions options{.check_signatures = false, .keep_lines = true, .keep_after_seq = after_seq,
                                  .stop_after = max_records - records};
        const SegmentScan scan = scan_segment(rest, head, options);
        out.insert(out.end(), scan.lines.begin(), scan.lines.end());
        records += scan.kept_records;
        head = scan.head;
        if (cursor) *cursor = {segments[i].path, offset + scan.good_end, scan.head};
        if (!scan.stopped && scan.tail != SegmentTail::clean) break;  // nothing after damage or a torn end is read
    }
    return out;
}

Backlog Journal::backlog() {
    const int64_t delivered_seq = delivered();
    const int64_t last = last_seq();
    Backlog b{std::max<int64_t>(0, last - delivered_seq), std::nullopt};
    if (b.events > 0) {
        for (const Line& line : read_after(delivered_seq, 1)) {
            if (const auto* r = std::get_if<Record>(&line)) {
                b.oldest_utc = r->event.value("utc", std::string());
                break;
            }
        }
    }
    return b;
}

int Journal::remove_delivered(int64_t before_unix) {
    std::lock_guard guard(mutex_);
    Lock lock(lock_fd_.get());
    const int64_t delivered_seq = read_delivered_locked();
    const std::vector<JournalSegment> segments = list_segments(options_.dir);
    int removed = 0;
    // Never the newest segment: it is the one appended to.
    for (size_t i = 0; i + 1 < segments.size(); ++i) {
        const int64_t last_in_segment = segments[i + 1].first_seq - 1;
        struct stat st{};
        if (last_in_segment > delivered_seq || ::stat(segments[i].path.c_str(), &st) != 0 || st.st_mtime >= before_unix)
            break;
        if (::unlink(segments[i].path.c_str()) != 0) break;
        ++removed;
    }
    if (removed) files::fsync_dir(options_.dir);
    return removed;
}

JournalListing list_journal(const fs::path& dir) {
    JournalListing listing;
    if (!fs::exists(dir)) return listing;
    const int64_t delivered_seq = read_delivered_mark(dir);
    const std::vector<JournalSegment> segments = list_segments(dir);
    ChainHead head;
    bool after_gone = true;  // the segment before this one was not read (none, or removed meanwhile)
    for (size_t i = 0; i < segments.size(); ++i) {
        const std::optional<std::string> read = try_read_segment(segments[i].path);
        if (!read) {
            after_gone = true;
            continue;
        }
        const std::string& bytes = *read;
        const ChainHead start = after_gone ? head_before(segments[i], bytes) : head;
        after_gone = false;
        const SegmentScan scan = scan_segment(bytes, start, {.check_signatures = false, .keep_lines = true});
        for (const Line& line : scan.lines) {
            if (const auto* r = std::get_if<Record>(&line)) listing.entries.push_back({*r, r->seq() <= delivered_seq});
        }
        head = scan.head;
        // A torn end of the newest segment is an append in progress, or one a crash cut short.
        if (scan.tail == SegmentTail::damaged || (scan.tail == SegmentTail::torn && i + 1 < segments.size())) {
            listing.fault = damaged_words(segments[i].path, scan.fault);
            break;
        }
    }
    return listing;
}

}  // namespace courtplay::audit
