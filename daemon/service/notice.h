// The privacy notice a person accepts before enrollment. Its id names the
// version and the SHA-256 of the exact text, so a consent record identifies
// precisely what was shown.
#pragma once

#include <string>

namespace faceauth {

struct Notice {
  std::string id;    // "v1-<first 16 hex digits of the text's SHA-256>"
  std::string text;
};

// Reads the notice from `path`; when the file does not exist, the built-in
// English notice. Throws std::runtime_error for an unreadable or empty file.
Notice load_notice(const std::string& path, int retention_days);

}  // namespace faceauth
