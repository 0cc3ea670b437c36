#include "text_safety.h"

#include <cstdio>

namespace faceauth {
namespace {

// Decodes one code point at s[i]; advances i. Invalid or overlong sequences
// give U+FFFD and advance by one byte.
char32_t next(std::string_view s, size_t& i) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  const int n = (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
  if (n < 0 || i + static_cast<size_t>(n) >= s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = c & (0x3F >> n);
  for (int k = 1; k <= n; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((cc >> 6) != 2) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  static const char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  i += static_cast<size_t>(n) + 1;
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  return cp;
}

bool unsafe(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) ||           // C0, DEL, C1
         c == 0x061C || c == 0x200E || c == 0x200F ||                   // bidi marks
         (c >= 0x202A && c <= 0x202E) ||                                // bidi embeddings and overrides
         (c >= 0x2066 && c <= 0x2069) ||                                // bidi isolates
         (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF ||  // invisible joiners and spaces
         c == 0x2028 || c == 0x2029 || c == 0xFFFD;                     // line/paragraph separators, invalid
}

}  // namespace

std::optional<char32_t> first_unsafe_char(std::string_view utf8) {
  for (size_t i = 0; i < utf8.size();) {
    char32_t c = next(utf8, i);
    if (unsafe(c)) return c;
  }
  return std::nullopt;
}

std::string describe_char(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  const char* what = c < 0x20 || c == 0x7F    ? "a control character"
                     : c >= 0x80 && c <= 0x9F ? "a C1 control character"
                     : c == 0xFFFD            ? "invalid UTF-8"
                     : (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x061C ||
                             c == 0x200E || c == 0x200F
                         ? "a bidirectional control"
                         : "an invisible formatting character";
  return std::string(buf) + " (" + what + ")";
}

std::string terminal_safe(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    const size_t start = i;
    char32_t c = next(utf8, i);
    if (unsafe(c))
      out += "\xEF\xBF\xBD";
    else
      out.append(utf8.substr(start, i - start));
  }
  return out;
}

}  // namespace faceauth
