// A thin RAII layer over SQLite: one connection, prepared statements, and
// transactions that roll back unless committed. Errors become StoreError.
// Not thread-safe: one Db is used by one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace faceauth {

class Db;

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Binding is 1-based, as in SQLite. Returns *this for chaining.
  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, std::span<const unsigned char> v);
  Stmt& bind_null(int i);

  // Steps once: true when a row is available, false when done.
  bool step();
  // Steps to completion; throws if a row is returned.
  void run();
  void reset();

  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  std::string text(int col) const;
  std::vector<unsigned char> blob(int col) const;
  // Blob view valid until the next step/reset.
  std::span<const unsigned char> blob_view(int col) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Db {
 public:
  // Opens (creating if needed) the database at `path` read-write.
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

  void exec(std::string_view sql);
  std::int64_t last_insert_id();
  int changes();
  // Runs a single-value query (e.g. a PRAGMA) and returns the first column as text.
  std::string query_text(std::string_view sql);
  std::int64_t query_int(std::string_view sql);

  // Throws StoreError for SQLite result code `rc`, with context.
  [[noreturn]] void fail(int rc, std::string_view what);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() ran.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool nested_ = false;
  bool done_ = false;
};

}  // namespace faceauth
