#include "json.h"

#include <charconv>
#include <stdexcept>

#include <nlohmann/json.hpp>

// Floating-point numbers keep the text faceauthctl has always written: six
// significant digits, as printf's %.6g in the C locale gives them, with ".0"
// added when that looks like an integer (0.412346, 5.68e-06, 3.0). nlohmann
// offers no setting for this (nlohmann/json#677, #768), and rounding the value
// first is not enough: its shortest-text search writes 0.944355 as
// 0.9443550000000001. Specialising its to_chars for double is the workaround
// given in nlohmann/json#1109: the serializer calls it for every finite double
// (NaN and infinity are written as null before), and json_test pins the text.
// It is declared before anything can use the general template, and json.cc is
// the only file of the project that includes nlohmann/json.hpp.
NLOHMANN_JSON_NAMESPACE_BEGIN
namespace detail {
template <>
__attribute__((nonnull(1, 2), returns_nonnull)) char* to_chars<double>(char* first, const char* last,
                                                                       double value) {
  char* end = first + (last - first);
  const auto [ptr, ec] = std::to_chars(first, end, value, std::chars_format::general, 6);
  if (ec != std::errc() || end - ptr < 2) return first;  // the serializer's 64-byte buffer never gets here
  for (const char* c = first; c != ptr; ++c)
    if (*c == '.' || *c == 'e') return ptr;
  ptr[0] = '.';
  ptr[1] = '0';
  return ptr + 2;
}
}  // namespace detail
NLOHMANN_JSON_NAMESPACE_END

namespace faceauth {

using nlohmann::ordered_json;

struct Json::Node {
  ordered_json v;
};

namespace {
const ordered_json kNull;
constexpr int kMaxDepth = 64;  // parse: deeper nesting is refused

const ordered_json& value_of(const std::unique_ptr<Json::Node>& n) { return n ? n->v : kNull; }
std::unique_ptr<Json::Node> node(ordered_json v) {
  return std::unique_ptr<Json::Node>(new Json::Node{std::move(v)});
}

// nlohmann writes backspace and form feed as \b and \f and leaves DEL as it
// is; faceauthctl has always written \u0008, \u000c and \u007f. Outside
// strings the writer emits no backslash and no DEL, so a scan of its text is
// enough.
std::string keep_escapes(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\x7f') {
      out += "\\u007f";
    } else if (c == '\\' && i + 1 < s.size()) {
      const char e = s[++i];
      out += e == 'b' ? "\\u0008" : e == 'f' ? "\\u000c" : std::string{'\\', e};
    } else {
      out += c;
    }
  }
  return out;
}

// nlohmann's parser takes any depth, but copying, writing and comparing a
// value recurse once per level, so deeper nesting is refused first. A scan is
// enough: in valid JSON a bracket outside a string opens or closes a level
// (nlohmann's depth callback would do the same at five times the parse time).
void check_depth(const std::string& text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth)
        throw std::runtime_error("invalid JSON: nested deeper than " + std::to_string(kMaxDepth) + " levels");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}
}  // namespace

Json::Json() = default;
Json::Json(std::nullptr_t) {}
Json::Json(std::unique_ptr<Node> n) : node_(std::move(n)) {}
Json::Json(bool b) : node_(node(b)) {}
Json::Json(int v) : node_(node(static_cast<int64_t>(v))) {}
Json::Json(unsigned v) : node_(node(static_cast<uint64_t>(v))) {}
Json::Json(int64_t v) : node_(node(v)) {}
Json::Json(uint64_t v) : node_(node(v)) {}
Json::Json(double v) : node_(node(v)) {}
Json::Json(const char* s) : node_(node(std::string(s))) {}
Json::Json(std::string s) : node_(node(std::move(s))) {}
Json::Json(const Json& other) : node_(other.node_ ? node(other.node_->v) : nullptr) {}
Json::Json(Json&& other) noexcept = default;
Json& Json::operator=(const Json& other) {
  if (this != &other) node_ = other.node_ ? node(other.node_->v) : nullptr;
  return *this;
}
Json& Json::operator=(Json&& other) noexcept = default;
Json::~Json() = default;

Json Json::object() { return Json(node(ordered_json::object())); }
Json Json::array() { return Json(node(ordered_json::array())); }

bool Json::is_null() const { return value_of(node_).is_null(); }
bool Json::is_object() const { return value_of(node_).is_object(); }
bool Json::is_array() const { return value_of(node_).is_array(); }
bool Json::is_string() const { return value_of(node_).is_string(); }

Json& Json::set(const std::string& key, Json value) {
  if (!is_object()) node_ = node(ordered_json::object());
  node_->v[key] = value.node_ ? std::move(value.node_->v) : ordered_json();
  return *this;
}

Json& Json::push(Json value) {
  if (!is_array()) node_ = node(ordered_json::array());
  node_->v.push_back(value.node_ ? std::move(value.node_->v) : ordered_json());
  return *this;
}

Json Json::operator[](const std::string& key) const {
  const ordered_json& v = value_of(node_);
  if (!v.is_object()) return Json();
  auto it = v.find(key);
  return it == v.end() ? Json() : Json(node(*it));
}

std::vector<Json> Json::items() const {
  std::vector<Json> out;
  const ordered_json& v = value_of(node_);
  if (!v.is_array()) return out;
  out.reserve(v.size());
  for (const auto& x : v) out.push_back(Json(node(x)));
  return out;
}

std::string Json::str(const std::string& fallback) const {
  const ordered_json& v = value_of(node_);
  return v.is_string() ? v.get_ref<const std::string&>() : fallback;
}
int64_t Json::num(int64_t fallback) const {
  const ordered_json& v = value_of(node_);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // Outside int64_t's range (or NaN) the conversion would be undefined.
    return d > -9.2e18 && d < 9.2e18 ? static_cast<int64_t>(d) : fallback;
  }
  return fallback;
}
double Json::real(double fallback) const {
  const ordered_json& v = value_of(node_);
  return v.is_number() ? v.get<double>() : fallback;
}
bool Json::boolean(bool fallback) const {
  const ordered_json& v = value_of(node_);
  return v.is_boolean() ? v.get<bool>() : fallback;
}

std::string Json::dump(int indent) const {
  const int width = indent > 0 ? indent : -1;  // nlohmann: -1 is compact, 0 is one item per line
  return keep_escapes(value_of(node_).dump(width, ' ', false, ordered_json::error_handler_t::replace));
}

Json Json::parse(const std::string& text) {
  check_depth(text);
  try {
    return Json(node(ordered_json::parse(text)));
  } catch (const ordered_json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1,
    // column 3: syntax error while parsing value - invalid literal; last read:
    // 'nul'". The bracketed id says nothing to a person, and what was last read
    // is raw input (any bytes, any length) that the CLI would print.
    std::string what = e.what();
    const size_t id_end = what.find("] ");
    if (what.rfind("[json.exception.", 0) == 0 && id_end != std::string::npos) what.erase(0, id_end + 2);
    const size_t last_read = what.find("; last read: ");
    if (last_read != std::string::npos) what.erase(last_read);
    throw std::runtime_error("invalid JSON: " + what);
  }
}

}  // namespace faceauth
