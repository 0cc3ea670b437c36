#include "log.h"

#include <systemd/sd-journal.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <vector>

namespace faceauth::log {

namespace {
bool journal_present() {
  static const bool present =
      access("/run/systemd/journal/socket", W_OK) == 0 && getenv("FACEAUTH_LOG_STDERR") == nullptr;
  return present;
}
const char* level_name(Level l) {
  switch (l) {
    case Level::crit: return "CRITICAL";
    case Level::err: return "error";
    case Level::warning: return "warning";
    case Level::notice: return "notice";
    case Level::info: return "info";
    case Level::debug: return "debug";
  }
  return "";
}
}  // namespace

void write(Level level, const std::string& message, std::initializer_list<std::string> fields) {
  if (journal_present()) {
    std::vector<std::string> items = {"MESSAGE=" + message,
                                      "PRIORITY=" + std::to_string(static_cast<int>(level)),
                                      "SYSLOG_IDENTIFIER=faceauthd"};
    items.insert(items.end(), fields.begin(), fields.end());
    std::vector<iovec> iov;
    for (auto& s : items) iov.push_back({s.data(), s.size()});
    if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0) return;
  }
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::fprintf(stderr, "faceauthd[%d] %s: %s", static_cast<int>(getpid()), level_name(level),
               message.c_str());
  for (const auto& f : fields) std::fprintf(stderr, " %s", f.c_str());
  std::fputc('\n', stderr);
}

}  // namespace faceauth::log
