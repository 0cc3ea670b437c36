// The privacy notice a person accepts before enrollment. Its id names the
// version and the SHA-256 of the exact text, so a consent record identifies
// precisely what was shown. Each shipped language is its own text with its
// own id; a consent records the id and hash of the variant that was shown.
#pragma once

#include <string>
#include <vector>

namespace faceauth {

struct Notice {
  std::string id;  // "v1-<first 16 hex digits of the text's SHA-256>"
  std::string text;
  std::string language;  // "en", "zh_CN", ...; "" when unknown (an administrator's file)
  // On the default notice only: the other languages shipped beside it.
  std::vector<Notice> translations;

  // The variant for a locale name such as "zh_CN", "zh_CN.UTF-8", "zh" or ""
  // (exact language_TERRITORY, then the bare language, then "zh" -> the
  // first "zh_*"); the default when none fits.
  const Notice& for_language(const std::string& locale) const;
  // The variant (default or translation) whose id is `id`; nullptr if none.
  const Notice* find(const std::string& id) const;
};

// Reads the default notice from `path`; when the file does not exist, the
// built-in English notice. Translations are the files `<path minus .txt>.<lang>.txt`
// beside it (lang like "zh_CN" or "de"); when `path` does not exist the
// built-in Simplified Chinese notice is one too (unless a zh_CN file overrides it).
// Throws std::runtime_error for an unreadable or empty file.
Notice load_notice(const std::string& path, int retention_days);

// The built-in texts (for tests and documentation).
std::string builtin_notice_text(const std::string& language, int retention_days);

}  // namespace faceauth
