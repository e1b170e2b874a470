#include "server/sqlite.h"

namespace courtplay::server::sqlite {

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    stmt_.reset(raw);
    if (rc != SQLITE_OK) throw DbError("database: cannot prepare `" + std::string(sql) + "`: " + sqlite3_errmsg(db));
}

void Statement::check(int rc, const char* what) const {
    if (rc == SQLITE_OK) return;
    throw DbError(std::string("database: ") + what + " failed for `" + sqlite3_sql(stmt_.get()) +
                  "`: " + sqlite3_errmsg(db_));
}

Statement& Statement::bind(int index, int64_t value) {
    check(sqlite3_bind_int64(stmt_.get(), index, value), "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    check(sqlite3_bind_text(stmt_.get(), index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT),
          "bind");
    return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
    if (!value) {
        check(sqlite3_bind_null(stmt_.get(), index), "bind");
        return *this;
    }
    return bind(index, std::string_view(*value));
}

Statement& Statement::bind(int index, const std::optional<int64_t>& value) {
    if (!value) {
        check(sqlite3_bind_null(stmt_.get(), index), "bind");
        return *this;
    }
    return bind(index, *value);
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw DbError(std::string("database: `") + sqlite3_sql(stmt_.get()) + "` failed: " + sqlite3_errmsg(db_));
}

std::string Statement::text(int column) const {
    const auto* p = sqlite3_column_text(stmt_.get(), column);
    const int n = sqlite3_column_bytes(stmt_.get(), column);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

std::optional<std::string> Statement::optional_text(int column) const {
    if (is_null(column)) return std::nullopt;
    return text(column);
}

std::optional<int64_t> Statement::optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
}

Connection::Connection(const std::filesystem::path& file, bool create) {
    sqlite3* raw = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) {
        throw DbError("cannot open the database " + file.string() + ": " +
                      (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    // The service and the command line use the file at the same time: WAL lets readers go on while
    // one writes, and the busy timeout makes a writer wait its turn instead of failing.
    sqlite3_busy_timeout(raw, 5000);
    exec_script("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
}

void Connection::exec_script(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw DbError("database: " + message);
    }
}

Transaction::Transaction(Connection& db) : db_(db) { db_.prepare("BEGIN IMMEDIATE").run(); }

Transaction::~Transaction() {
    if (done_) return;
    try {
        db_.prepare("ROLLBACK").run();
    } catch (...) {
        // Nothing more to do: SQLite rolls back an unfinished transaction when the connection closes.
    }
}

void Transaction::commit() {
    db_.prepare("COMMIT").run();
    done_ = true;
}

}  // namespace courtplay::server::sqlite
