// A small JSON value shared by faceauthd (ExportPersonalData) and faceauthctl
// (parses the daemon's export and writes every --json answer). Objects keep
// their key order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace faceauth {

class Json {
 public:
  using Array = std::vector<Json>;
  using Object = std::vector<std::pair<std::string, Json>>;

  Json() = default;                                   // null
  Json(std::nullptr_t) {}
  Json(bool b) : v_(b) {}
  Json(int v) : v_(static_cast<int64_t>(v)) {}
  Json(unsigned v) : v_(static_cast<int64_t>(v)) {}
  Json(int64_t v) : v_(v) {}
  Json(uint64_t v) : v_(static_cast<int64_t>(v)) {}
  Json(double v) : v_(v) {}
  Json(const char* s) : v_(std::string(s)) {}
  Json(std::string s) : v_(std::move(s)) {}
  Json(Array a) : v_(std::move(a)) {}
  Json(Object o) : v_(std::move(o)) {}

  static Json object() { return Json(Object{}); }
  static Json array() { return Json(Array{}); }

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_object() const { return std::holds_alternative<Object>(v_); }
  bool is_array() const { return std::holds_alternative<Array>(v_); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }

  // Object: appends (or replaces) a member; returns *this for chaining.
  Json& set(const std::string& key, Json value);
  // Array: appends.
  Json& push(Json value);

  // Lookups that never throw: a missing member is null.
  const Json& operator[](const std::string& key) const;
  const Array& items() const;    // empty unless an array
  const Object& members() const; // empty unless an object
  std::string str(const std::string& fallback = "") const;
  int64_t num(int64_t fallback = 0) const;
  double real(double fallback = 0) const;
  bool boolean(bool fallback = false) const;

  std::string dump(int indent = 2) const;
  // Throws std::runtime_error with the offset of the problem.
  static Json parse(const std::string& text);

 private:
  void write(std::string& out, int indent, int depth) const;
  std::variant<std::monostate, bool, int64_t, double, std::string, Array, Object> v_;
};

std::string json_quote(const std::string& s);

}  // namespace faceauth
