// A minimal JSON writer for ExportPersonalData: objects, arrays, strings
// (escaped), numbers and booleans. No parsing.
#pragma once

#include <cstdint>
#include <string>

namespace faceauth {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& k);
  JsonWriter& value(const std::string& s);
  JsonWriter& value(const char* s) { return value(std::string(s)); }
  JsonWriter& value(int64_t n);
  JsonWriter& value(bool b);
  JsonWriter& null();
  const std::string& str() const { return out_; }

 private:
  void comma();
  std::string out_;
  bool need_comma_ = false;
};

std::string json_escape(const std::string& s);

}  // namespace faceauth
