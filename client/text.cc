#include "text.h"

#include "faceauth-dbus.h"
#include "text_safety.h"

#include <algorithm>
#include <clocale>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <cwchar>

namespace faceauthctl {

void init_i18n() {
  std::setlocale(LC_ALL, "");
  const char* dir = std::getenv("FACEAUTH_LOCALEDIR");
  bindtextdomain("faceauth", dir && *dir ? dir : FACEAUTH_LOCALEDIR);
  bind_textdomain_codeset("faceauth", "UTF-8");
  textdomain("faceauth");
}

std::string ui_language() {
  // TRANSLATORS: the locale code of this translation, e.g. zh_CN. It selects
  // the privacy notice in the same language as the rest of faceauthctl.
  return _("en");
}

std::string format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char* out = nullptr;
  int n = vasprintf(&out, fmt, ap);
  va_end(ap);
  if (n < 0) return fmt;
  std::string s(out, static_cast<size_t>(n));
  std::free(out);
  return s;
}

std::string hint_text(const std::string& hint) {
  // The daemon's hint codes (EnrollProgress, Verify details, TestVerify
  // frames), shown through the catalogue; an unknown code as it is.
  if (const char* text = faceauth_hint_text(hint.c_str())) return _(text);
  return hint;
}

size_t display_width(const std::string& s) {
  size_t width = 0;
  std::mbstate_t st{};
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    wchar_t wc;
    size_t n = std::mbrtowc(&wc, p, static_cast<size_t>(end - p), &st);
    if (n == 0 || n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2)) {
      // Not decodable in this locale: count UTF-8 lead bytes, CJK ranges as two.
      unsigned char c = static_cast<unsigned char>(*p);
      size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
      width += len == 3 ? 2 : 1;
      p += std::min(len, static_cast<size_t>(end - p));
      st = std::mbstate_t{};
      continue;
    }
    int w = wcwidth(wc);
    width += w < 0 ? 1 : static_cast<size_t>(w);
    p += n;
  }
  return width;
}

std::string pad(const std::string& s, size_t width) {
  size_t w = display_width(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

std::string local_time(int64_t t) {
  if (t <= 0) return "-";
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  localtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string Table::render() const {
  std::vector<size_t> w(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) w[i] = display_width(header[i]);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < w.size(); ++i)
      w[i] = std::max(w[i], display_width(faceauth::terminal_safe(r[i])));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < w.size(); ++i) {
      const std::string cell = i < cells.size() ? faceauth::terminal_safe(cells[i]) : "";
      out += i + 1 < w.size() ? pad(cell, w[i]) + "  " : cell;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  std::vector<std::string> rule;
  for (size_t x : w) rule.push_back(std::string(x, '-'));
  out += line(rule);
  for (const auto& r : rows) out += line(r);
  return out;
}

std::string key_values(const std::vector<std::pair<std::string, std::string>>& items) {
  size_t w = 0;
  for (const auto& [k, v] : items) w = std::max(w, display_width(k));
  std::string out;
  for (const auto& [k, v] : items) out += pad(k + ":", w + 1) + "  " + faceauth::terminal_safe(v) + "\n";
  return out;
}

}  // namespace faceauthctl
