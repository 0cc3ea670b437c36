#include "sqlite_db.h"

#include "store_error.h"

namespace faceauth {

namespace {
StoreError::Kind kind_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT: return StoreError::Kind::Corrupted;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG: return StoreError::Kind::InvalidArgument;
    default: return StoreError::Kind::Io;
  }
}
}  // namespace

void Db::fail(int rc, std::string_view what) {
  std::string msg = "template store " + path_ + ": " + std::string(what) + ": " +
                    (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
  auto kind = kind_for(rc);
  if (kind == StoreError::Kind::Corrupted) {
    msg +=
        " (the database file is damaged; restore it from a backup, or move it away to "
        "start an empty store — all enrollments will then have to be redone)";
  } else if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN || (rc & 0xff) == SQLITE_PERM) {
    msg +=
        " (check that the directory and the database file exist and belong to the "
        "service user, e.g. `chown -R faceauth: /var/lib/faceauth`)";
  } else if ((rc & 0xff) == SQLITE_FULL) {
    msg += " (the disk is full; the change could not be written and was rolled back)";
  } else if ((rc & 0xff) == SQLITE_IOERR) {
    msg +=
        " (the change could not be written and was rolled back: the disk may be full or "
        "failing, or a file-size or quota limit reached; see the kernel log)";
  }
  throw StoreError(kind, msg);
}

Db::Db(const std::string& path) : path_(path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
                               SQLITE_OPEN_EXRESCODE,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw StoreError(kind_for(rc), "cannot open template store " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
}

Db::~Db() { sqlite3_close_v2(db_); }

void Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    fail(rc, "executing SQL (" + msg + ")");
  }
}

std::int64_t Db::last_insert_id() { return sqlite3_last_insert_rowid(db_); }
int Db::changes() { return sqlite3_changes(db_); }

std::string Db::query_text(std::string_view sql) {
  Stmt st(*this, sql);
  if (!st.step()) return {};
  return st.is_null(0) ? std::string() : st.text(0);
}

std::int64_t Db::query_int(std::string_view sql) {
  Stmt st(*this, sql);
  if (!st.step()) return 0;
  return st.int64(0);
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) db.fail(rc, "preparing \"" + std::string(sql) + "\"");
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::bind(int i, std::int64_t v) {
  int rc = sqlite3_bind_int64(stmt_, i, v);
  if (rc != SQLITE_OK) db_.fail(rc, "binding");
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_.fail(rc, "binding");
  return *this;
}
Stmt& Stmt::bind(int i, std::span<const unsigned char> v) {
  static const unsigned char empty = 0;
  int rc = sqlite3_bind_blob64(stmt_, i, v.empty() ? &empty : v.data(), v.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) db_.fail(rc, "binding");
  return *this;
}
Stmt& Stmt::bind_null(int i) {
  int rc = sqlite3_bind_null(stmt_, i);
  if (rc != SQLITE_OK) db_.fail(rc, "binding");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail(rc, "running \"" + std::string(sqlite3_sql(stmt_)) + "\"");
}

void Stmt::run() {
  if (step()) {
    throw StoreError(StoreError::Kind::Io,
                     "internal error: statement returned rows: " + std::string(sqlite3_sql(stmt_)));
  }
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t Stmt::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string Stmt::text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}
std::vector<unsigned char> Stmt::blob(int col) const {
  auto v = blob_view(col);
  return {v.begin(), v.end()};
}
std::span<const unsigned char> Stmt::blob_view(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  if (!p || n <= 0) return {};
  return {static_cast<const unsigned char*>(p), static_cast<std::size_t>(n)};
}

// Inside another transaction a Transaction is a savepoint, so store calls
// compose into one atomic change (e.g. consent and template together).
Transaction::Transaction(Db& db) : db_(db), nested_(sqlite3_get_autocommit(db.handle()) == 0) {
  db_.exec(nested_ ? "SAVEPOINT faceauth_nested" : "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (done_) return;
  if (nested_)
    sqlite3_exec(db_.handle(), "ROLLBACK TO faceauth_nested; RELEASE faceauth_nested", nullptr, nullptr,
                 nullptr);
  else
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec(nested_ ? "RELEASE faceauth_nested" : "COMMIT");
  done_ = true;
}

}  // namespace faceauth
