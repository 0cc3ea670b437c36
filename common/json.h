// The JSON value shared by faceauthd (ExportPersonalData) and faceauthctl
// (parses the daemon's export and writes every --json answer). Objects keep
// their key order.
//
// A thin wrapper: nlohmann::ordered_json (Debian's nlohmann-json3-dev) holds
// the value, parses and writes. The wrapper adds lookups that never throw (a
// missing member is null), errors as std::runtime_error, and keeps the text
// faceauthctl has always printed (see dump). The library's header is included by json.cc only
// (json.cc relies on that): each of the seven files that include json.h would
// take about 1.4 s longer to compile with it (measured on verbs.cc and
// service.cc), so a Json holds the library's value through a pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace faceauth {

class Json {
 public:
  Json();  // null
  Json(std::nullptr_t);
  Json(bool b);
  Json(int v);
  Json(unsigned v);
  Json(int64_t v);
  Json(uint64_t v);
  Json(double v);
  Json(const char* s);
  Json(std::string s);
  Json(const Json& other);
  Json(Json&& other) noexcept;
  Json& operator=(const Json& other);
  Json& operator=(Json&& other) noexcept;
  ~Json();

  static Json object();
  static Json array();

  bool is_null() const;
  bool is_object() const;
  bool is_array() const;
  bool is_string() const;

  // Object: appends (or replaces in place) a member; returns *this for chaining.
  Json& set(const std::string& key, Json value);
  // Array: appends.
  Json& push(Json value);

  // Lookups that never throw: a missing member is null. They return copies.
  Json operator[](const std::string& key) const;
  std::vector<Json> items() const;  // empty unless an array
  std::string str(const std::string& fallback = "") const;
  int64_t num(int64_t fallback = 0) const;
  double real(double fallback = 0) const;
  bool boolean(bool fallback = false) const;

  // indent > 0: one member or element per line; otherwise compact. Strings keep
  // their UTF-8 (invalid bytes become U+FFFD; control characters and DEL are
  // escaped); floating-point numbers keep six significant digits (0.412346,
  // 5.68e-06, 3.0); NaN and infinity are null.
  std::string dump(int indent = 2) const;
  // Throws std::runtime_error saying where the text is wrong.
  static Json parse(const std::string& text);

  struct Node;  // holds the nlohmann::ordered_json; defined in json.cc

 private:
  explicit Json(std::unique_ptr<Node> node);
  std::unique_ptr<Node> node_;  // null: a JSON null
};

}  // namespace faceauth
