// Thin RAII over the SQLite C API: a connection and prepared statements, nothing more.
// Every query goes through a prepared statement with bound parameters: no SQL is ever built from
// input. Errors throw DbError with SQLite's own message and the statement that failed.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace courtplay::server::sqlite {

struct DbError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ConnectionCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);

    // Parameters are 1-based, as in SQLite. A nullopt binds NULL.
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::optional<std::string>& value);
    Statement& bind(int index, const std::optional<int64_t>& value);

    // Runs to the next row: true while there is one, false when done.
    bool step();
    // For statements without rows (INSERT, UPDATE ...).
    void run() {
        while (step()) {
        }
    }

    int64_t int64(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
    std::string text(int column) const;
    bool is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }
    std::optional<std::string> optional_text(int column) const;
    std::optional<int64_t> optional_int64(int column) const;

private:
    void check(int rc, const char* what) const;

    sqlite3* db_;
    std::unique_ptr<sqlite3_stmt, StatementFinalizer> stmt_;
};

class Connection {
public:
    // Opens (creating only if `create`) the database file. Sets WAL, foreign keys and a busy timeout
    // so the command line and a running service can share the file.
    Connection(const std::filesystem::path& file, bool create);

    Statement prepare(std::string_view sql) { return Statement(db_.get(), sql); }
    // For fixed schema text only (several statements, no parameters).
    void exec_script(const char* sql);
    sqlite3* handle() const { return db_.get(); }

private:
    std::unique_ptr<sqlite3, ConnectionCloser> db_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed (an exception on the way out).
class Transaction {
public:
    explicit Transaction(Connection& db);
    ~Transaction();
    void commit();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

private:
    Connection& db_;
    bool done_ = false;
};

}  // namespace courtplay::server::sqlite
