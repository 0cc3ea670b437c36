// Helpers for the template-store tests: a temporary state directory with a
// controllable clock, sample embeddings, and raw SQLite access for tampering.
#pragma once

#include "store.h"
#include "test_support.h"

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace faceauth::test {

inline std::vector<float> sample_embedding(int seed, std::size_t dims = 128) {
  std::vector<float> v(dims);
  for (std::size_t i = 0; i < dims; ++i) {
    v[i] = static_cast<float>(seed) * 0.01f + static_cast<float>(i) * 0.001f - 0.05f;
  }
  return v;
}

struct StoreFixture {
  std::string root = make_temp_dir("store");
  std::string state = root + "/state";
  TimePoint now = TimePoint(std::chrono::seconds(1'700'000'000));
  // The accounts of this "machine": a name seen first gets the next uid from
  // 10000; set a name's uid to another value to give it to a new account, or
  // to -1 to delete the account.
  std::map<std::string, std::int64_t> uids;
  std::int64_t next_uid = 10000;
  std::int64_t uid(const std::string& name) {
    auto it = uids.find(name);
    if (it == uids.end()) it = uids.emplace(name, next_uid++).first;
    return it->second;
  }

  ~StoreFixture() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }

  StoreOptions options() {
    StoreOptions o;
    o.state_dir = state;
    o.key.credentials_dir = root + "/no-credentials";  // ignore the environment
    o.clock = [this] { return now; };
    o.uid_of = [this](const std::string& name) -> std::optional<std::int64_t> {
      const std::int64_t u = uid(name);
      if (u < 0) return std::nullopt;
      return u;
    };
    return o;
  }
  std::string db() const { return state + "/store.db"; }
  std::string key_file() const { return state + "/store.key"; }
};

// A raw connection to the database, bypassing the store (as an attacker would).
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      throw std::runtime_error("raw open failed: " + path);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close_v2(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Returns the SQLite result code (SQLITE_OK on success).
  int exec(const std::string& sql) { return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr); }
  void must(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string m = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("raw SQL failed: " + sql + ": " + m);
    }
  }
  std::int64_t integer(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr);
    std::int64_t v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }
  std::string text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr);
    std::string v;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
      v = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return v;
  }
  std::vector<unsigned char> blob(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr);
    std::vector<unsigned char> v;
    if (st && sqlite3_step(st) == SQLITE_ROW) {
      auto p = static_cast<const unsigned char*>(sqlite3_column_blob(st, 0));
      v.assign(p, p + sqlite3_column_bytes(st, 0));
    }
    sqlite3_finalize(st);
    return v;
  }
  void set_blob(const std::string& sql, const std::vector<unsigned char>& b) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      throw std::runtime_error("raw prepare failed: " + sql);
    }
    sqlite3_bind_blob(st, 1, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) throw std::runtime_error("raw update failed: " + sql);
  }

 private:
  sqlite3* db_ = nullptr;
};

inline std::vector<unsigned char> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs `f`, expecting a StoreError of `kind`; returns its message.
template <typename F>
std::string expect_store_error(StoreError::Kind kind, F&& f) {
  try {
    f();
  } catch (const StoreError& e) {
    BOOST_TEST(std::string(to_string(e.kind())) == std::string(to_string(kind)), "message: " << e.what());
    return e.what();
  }
  BOOST_ERROR("expected StoreError " << to_string(kind) << ", nothing was thrown");
  return {};
}

}  // namespace faceauth::test
