// faceauthctl: translations, exit codes, errors and human-readable output.
#pragma once

#include <libintl.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#define _(s) gettext(s)
#define N_(s) s

namespace faceauthctl {

// Documented in docs/faceauthctl.md and faceauthctl(1).
enum Exit : int {
  kOk = 0,
  kFailed = 1,       // the operation failed (daemon internal error, no answer, ...)
  kUsage = 2,        // bad command line or argument
  kNoDaemon = 3,     // faceauthd (or the system bus) is not running
  kPermission = 4,   // permission denied (the message names the polkit action)
  kNotFound = 5,     // no such template / not enrolled
  kNoConsent = 6,    // consent or age confirmation not given, or the account is excluded
  kCamera = 7,       // camera busy or unavailable
  kIntegrity = 8,    // the store or the audit chain failed a check
  kNotVerified = 9,  // enroll did not complete / test did not match
};

// An error for the person at the terminal: printed on stderr, then exit(code).
class Error : public std::runtime_error {
 public:
  Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// Binds the text domain (FACEAUTH_LOCALEDIR, overridable with the environment
// variable FACEAUTH_LOCALEDIR for uninstalled builds and tests).
void init_i18n();
// The language of the catalogue in use ("en" when untranslated), so the
// privacy notice is fetched in the language of the rest of the output.
std::string ui_language();
// printf-style formatting of an already translated format string.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Translations of the daemon's fixed hints and results (English on the bus).
std::string hint_text(const std::string& hint);

// Columns on a terminal (CJK characters are two wide).
size_t display_width(const std::string& s);
std::string pad(const std::string& s, size_t width);

// Local time "2024-05-01 14:03", or "-" for 0.
std::string local_time(int64_t unix_seconds);

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string render() const;  // columns separated by two spaces, header underlined
};

// A "key: value" block with aligned values.
std::string key_values(const std::vector<std::pair<std::string, std::string>>& items);

}  // namespace faceauthctl
