#include "json_writer.h"

#include <cstdio>

namespace faceauth {

std::string json_escape(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  return o + "\"";
}

void JsonWriter::comma() {
  if (need_comma_) out_ += ',';
}
JsonWriter& JsonWriter::begin_object() { comma(); out_ += '{'; need_comma_ = false; return *this; }
JsonWriter& JsonWriter::end_object() { out_ += '}'; need_comma_ = true; return *this; }
JsonWriter& JsonWriter::begin_array() { comma(); out_ += '['; need_comma_ = false; return *this; }
JsonWriter& JsonWriter::end_array() { out_ += ']'; need_comma_ = true; return *this; }
JsonWriter& JsonWriter::key(const std::string& k) { comma(); out_ += json_escape(k) + ':'; need_comma_ = false; return *this; }
JsonWriter& JsonWriter::value(const std::string& s) { comma(); out_ += json_escape(s); need_comma_ = true; return *this; }
JsonWriter& JsonWriter::value(int64_t n) { comma(); out_ += std::to_string(n); need_comma_ = true; return *this; }
JsonWriter& JsonWriter::value(bool b) { comma(); out_ += b ? "true" : "false"; need_comma_ = true; return *this; }
JsonWriter& JsonWriter::null() { comma(); out_ += "null"; need_comma_ = true; return *this; }

}  // namespace faceauth
