#include "json.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace faceauth {

namespace {
const Json kNull;
const Json::Array kNoItems;
const Json::Object kNoMembers;

class Parser {
 public:
  explicit Parser(const std::string& t) : t_(t) {}
  Json document() {
    Json v = value();
    ws();
    if (i_ != t_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("invalid JSON at offset " + std::to_string(i_) + ": " + what);
  }
  void ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\n' || t_[i_] == '\t' || t_[i_] == '\r')) ++i_;
  }
  bool eat(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (t_.compare(i_, n, word) != 0) return false;
    i_ += n;
    return true;
  }
  Json value() {
    if (++depth_ > 64) fail("nested too deeply");
    ws();
    if (i_ >= t_.size()) fail("unexpected end");
    Json out;
    char c = t_[i_];
    if (c == '{') {
      ++i_;
      out = Json::object();
      ws();
      if (i_ < t_.size() && t_[i_] == '}') {
        ++i_;
      } else {
        for (;;) {
          ws();
          if (i_ >= t_.size() || t_[i_] != '"') fail("expected a key");
          std::string k = string();
          ws();
          if (i_ >= t_.size() || t_[i_] != ':') fail("expected ':'");
          ++i_;
          out.set(k, value());
          ws();
          if (i_ < t_.size() && t_[i_] == ',') { ++i_; continue; }
          if (i_ < t_.size() && t_[i_] == '}') { ++i_; break; }
          fail("expected ',' or '}'");
        }
      }
    } else if (c == '[') {
      ++i_;
      out = Json::array();
      ws();
      if (i_ < t_.size() && t_[i_] == ']') {
        ++i_;
      } else {
        for (;;) {
          out.push(value());
          ws();
          if (i_ < t_.size() && t_[i_] == ',') { ++i_; continue; }
          if (i_ < t_.size() && t_[i_] == ']') { ++i_; break; }
          fail("expected ',' or ']'");
        }
      }
    } else if (c == '"') {
      out = Json(string());
    } else if (eat("true")) {
      out = Json(true);
    } else if (eat("false")) {
      out = Json(false);
    } else if (eat("null")) {
      out = Json();
    } else {
      out = number();
    }
    --depth_;
    return out;
  }
  Json number() {
    size_t start = i_;
    bool real = false;
    if (i_ < t_.size() && t_[i_] == '-') ++i_;
    while (i_ < t_.size() && ((t_[i_] >= '0' && t_[i_] <= '9') || t_[i_] == '.' || t_[i_] == 'e' ||
                              t_[i_] == 'E' || t_[i_] == '+' || t_[i_] == '-')) {
      if (t_[i_] == '.' || t_[i_] == 'e' || t_[i_] == 'E') real = true;
      ++i_;
    }
    std::string s = t_.substr(start, i_ - start);
    if (s.empty() || s == "-") fail("expected a value");
    try {
      size_t used = 0;
      if (!real) {
        int64_t v = std::stoll(s, &used);
        if (used == s.size()) return Json(v);
      } else {
        double d = std::stod(s, &used);
        if (used == s.size()) return Json(d);
      }
    } catch (const std::exception&) {
    }
    fail("bad number '" + s + "'");
  }
  static void utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  uint32_t hex4() {
    if (i_ + 4 > t_.size()) fail("short \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char h = t_[i_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<uint32_t>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<uint32_t>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<uint32_t>(h - 'A' + 10);
      else fail("bad \\u escape");
    }
    return v;
  }
  std::string string() {
    ++i_;  // opening quote
    std::string out;
    for (;;) {
      if (i_ >= t_.size()) fail("unterminated string");
      char c = t_[i_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= t_.size()) fail("unterminated escape");
      char e = t_[i_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xd800 && cp < 0xdc00 && t_.compare(i_, 2, "\\u") == 0) {
            i_ += 2;
            uint32_t lo = hex4();
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          utf8(out, cp);
          break;
        }
        default: fail("bad escape");
      }
    }
  }

  const std::string& t_;
  size_t i_ = 0;
  int depth_ = 0;
};
}  // namespace

std::string json_quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

Json& Json::set(const std::string& key, Json value) {
  if (!is_object()) v_ = Object{};
  auto& o = std::get<Object>(v_);
  for (auto& [k, v] : o)
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  o.emplace_back(key, std::move(value));
  return *this;
}

Json& Json::push(Json value) {
  if (!is_array()) v_ = Array{};
  std::get<Array>(v_).push_back(std::move(value));
  return *this;
}

const Json& Json::operator[](const std::string& key) const {
  if (!is_object()) return kNull;
  for (const auto& [k, v] : std::get<Object>(v_))
    if (k == key) return v;
  return kNull;
}

const Json::Array& Json::items() const { return is_array() ? std::get<Array>(v_) : kNoItems; }
const Json::Object& Json::members() const { return is_object() ? std::get<Object>(v_) : kNoMembers; }

std::string Json::str(const std::string& fallback) const {
  return is_string() ? std::get<std::string>(v_) : fallback;
}
int64_t Json::num(int64_t fallback) const {
  if (auto* i = std::get_if<int64_t>(&v_)) return *i;
  if (auto* d = std::get_if<double>(&v_)) return static_cast<int64_t>(*d);
  return fallback;
}
double Json::real(double fallback) const {
  if (auto* d = std::get_if<double>(&v_)) return *d;
  if (auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  return fallback;
}
bool Json::boolean(bool fallback) const {
  if (auto* b = std::get_if<bool>(&v_)) return *b;
  return fallback;
}

void Json::write(std::string& out, int indent, int depth) const {
  auto newline = [&](int d) {
    if (indent <= 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  if (std::holds_alternative<std::monostate>(v_)) {
    out += "null";
  } else if (auto* b = std::get_if<bool>(&v_)) {
    out += *b ? "true" : "false";
  } else if (auto* i = std::get_if<int64_t>(&v_)) {
    out += std::to_string(*i);
  } else if (auto* d = std::get_if<double>(&v_)) {
    if (!std::isfinite(*d)) {
      out += "null";
    } else {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.6g", *d);
      std::string s = buf;
      if (s.find_first_of(".eE") == std::string::npos) s += ".0";
      out += s;
    }
  } else if (auto* s = std::get_if<std::string>(&v_)) {
    out += json_quote(*s);
  } else if (auto* a = std::get_if<Array>(&v_)) {
    if (a->empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (size_t k = 0; k < a->size(); ++k) {
      if (k) out += ',';
      newline(depth + 1);
      (*a)[k].write(out, indent, depth + 1);
    }
    newline(depth);
    out += ']';
  } else if (auto* o = std::get_if<Object>(&v_)) {
    if (o->empty()) {
      out += "{}";
      return;
    }
    out += '{';
    for (size_t k = 0; k < o->size(); ++k) {
      if (k) out += ',';
      newline(depth + 1);
      out += json_quote((*o)[k].first);
      out += indent > 0 ? ": " : ":";
      (*o)[k].second.write(out, indent, depth + 1);
    }
    newline(depth);
    out += '}';
  }
}

std::string Json::dump(int indent) const {
  std::string out;
  write(out, indent, 0);
  return out;
}

Json Json::parse(const std::string& text) { return Parser(text).document(); }

}  // namespace faceauth
