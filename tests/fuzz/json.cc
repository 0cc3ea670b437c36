// The JSON parser: nlohmann-json through common/json.cc, whose parse
// turns the library's exceptions into std::runtime_error (the client reads the
// daemon's JSON; tools read reports).
// A value that parses must dump to text that parses to the same dump.
#include "json.h"

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  faceauth::Json j;
  try {
    j = faceauth::Json::parse(text);
  } catch (const std::runtime_error&) {
    return 0;
  }
  const std::string once = j.dump(0);
  if (faceauth::Json::parse(once).dump(0) != once) std::abort();
  return 0;
}
