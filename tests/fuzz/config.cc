// The configuration parser: the input is a main file and drop-ins, separated
// by a 0x00 byte. Valid files give a Config, invalid ones a ConfigError; the
// message must name the file.
#include "config.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::pair<std::string, std::string>> files;
  std::string all(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (files.size() < 8) {
    size_t end = all.find('\0', start);
    std::string name = files.empty()
                           ? "/etc/faceauth/faceauth.conf"
                           : "/etc/faceauth/faceauth.conf.d/" + std::to_string(files.size()) + ".conf";
    files.emplace_back(name, all.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  try {
    faceauth::parse_config_texts(files);
  } catch (const faceauth::ConfigError& e) {
    if (e.file().empty()) std::abort();  // every configuration error names its file
  }
  return 0;
}
