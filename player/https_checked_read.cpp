// HttpsSource's reader once the clip is proven (https_source.h, "After the proof"): every byte
// handed out comes from a whole chunk copied out of the window and checked against the digest the
// proof recorded for it. The window and the reader before the proof are in https_source.cpp.
#include "player/https_source.h"


extern "C" {
#include <libavutil/error.h>
}

#include <algorithm>
#include <cstring>
#include <string>

namespace courtplay::player {

int HttpsSource::read_checked(std::unique_lock<std::mutex>& lock, uint8_t* buf, int size) {
    if (interrupted_) return AVERROR_EXIT;
    if (link_ == Link::failed) return read_error_;
    if (pos_ >= total_) return 0;
    if (pos_ < checked_from_ || pos_ >= checked_from_ + checked_len_)
        if (const int error = load_checked_chunk(lock); error < 0) return error;
    const int n = static_cast<int>(std::min<int64_t>(size, checked_from_ + checked_len_ - pos_));
    const int64_t from = pos_;
    lock.unlock();
    // checked_ is this thread's alone, and pos_ moves only on it.
    std::memcpy(buf, checked_.get() + (from - checked_from_), static_cast<size_t>(n));
    lock.lock();
    return consumed_locked(lock, n);
}

// Waits for the whole chunk around the reader, copies it out of the window and checks it against
// the proof's digest. Returns 0, or the AVERROR every read fails with from then on.
int HttpsSource::load_checked_chunk(std::unique_lock<std::mutex>& lock) {
    const ChunkDigests& proven = *proven_;
    const int64_t chunk = proven.chunk_of(pos_);
    const int64_t from = proven.start_of(chunk);
    const int64_t len = proven.length_of(chunk);
    bool wake = false;
    if (from < win_start_ || from > win_end_) {
        restart_window_locked(lock, from);
        wake = true;
    }
    pinned_from_ = from;  // the fetch thread keeps the chunk's bytes until they are copied out ...
    chunk_wanted_to_ = from + len;  // ... and brings all of them, past the read-ahead if need be
    if (!fetcher_stream_active_ || (stream_paused_ && room_locked())) wake = true;
    if (wake) {
        lock.unlock();
        wake_fetcher();
        lock.lock();
    }
    reader_wants_ = from + len;
    reader_waiting_ = reader_needs_chunk_ = true;
    // A lost connection waits here (reconnecting) like any read; a failure or interrupt does not.
    bytes_arrived_.wait(lock, [&] { return interrupted_ || link_ == Link::failed || win_end_ >= from + len; });
    reader_waiting_ = reader_needs_chunk_ = false;
    auto unpin = [&] {
        pinned_from_ = INT64_MAX;
        chunk_wanted_to_ = 0;
    };
    if (interrupted_ || link_ == Link::failed) {
        unpin();
        return interrupted_ ? AVERROR_EXIT : read_error_;
    }
    lock.unlock();
    if (!checked_) checked_ = std::make_unique_for_overwrite<uint8_t[]>(static_cast<size_t>(proven.chunk_bytes()));
    const auto at = static_cast<size_t>(from % static_cast<int64_t>(ring_size_));
    const size_t first = std::min(static_cast<size_t>(len), ring_size_ - at);
    std::memcpy(checked_.get(), ring_.get() + at, first);
    std::memcpy(checked_.get() + first, ring_.get(), static_cast<size_t>(len) - first);
    const ChunkDigests::Check verdict = proven.check(chunk, checked_.get(), static_cast<size_t>(len));
    lock.lock();
    unpin();
    if (verdict != ChunkDigests::Check::matches) {
        checked_len_ = 0;
        if (link_ != Link::failed) altered_chunk_ = chunk;  // else another failure came first, and stands
        fail_locked("the share service sent different bytes for part " + std::to_string(chunk + 1) + " of " +
                        std::to_string(proven.count()) + " of the clip than were checked: this is NOT the original evidence",
                    AVERROR_INVALIDDATA, true);
        return AVERROR_INVALIDDATA;
    }
    checked_from_ = from;
    checked_len_ = len;
    return 0;
}

}  // namespace courtplay::player
