#include "config.h"
#include "trusted_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "config_keys.h"

namespace fs = std::filesystem;

namespace faceauth {
namespace {

// A configuration file is a few hundred bytes; refuse anything absurd.
constexpr size_t kMaxConfigBytes = 1 << 20;

std::string format_message(const std::string& file, int line, const std::string& key,
                           const std::string& problem) {
  std::string m = file;
  if (line > 0) m += ":" + std::to_string(line);
  m += ": ";
  if (!key.empty()) m += "key '" + key + "': ";
  return m + problem;
}

// Reads the whole file. Returns false when it does not exist and !required.
bool read_file(const std::string& path, bool required, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT && !required) return false;
    if (err == ENOENT) throw ConfigError(path, 0, "", "the file does not exist");
    if (err == EACCES) {
      throw ConfigError(path, 0, "",
                        "cannot read the file: permission denied; it must be readable by the "
                        "user faceauthd runs as");
    }
    throw ConfigError(path, 0, "", std::string("cannot open the file: ") + std::strerror(err));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw ConfigError(path, 0, "", "is not a regular file; it must be a plain text file");
  }
  // The configuration chooses the camera and the threshold: only root may write it.
  if (auto why = untrusted_reason(path)) {
    ::close(fd);
    throw ConfigError(path, 0, "", "not trusted: " + *why);
  }
  out.clear();
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw ConfigError(path, 0, "", std::string("cannot read the file: ") + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxConfigBytes) {
      ::close(fd);
      throw ConfigError(path, 0, "", "is larger than 1 MiB; this is not a faceauth configuration");
    }
  }
  ::close(fd);
  return true;
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

struct Location {
  std::string file;
  int line = 0;
};

class Loader {
 public:
  explicit Loader(Config& config) : config_(config) {}

  void apply_text(const std::string& file, const std::string& text) {
    std::map<std::string, int> seen_here;  // key -> line, for duplicates within this file
    size_t pos = 0;
    int line_no = 0;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string raw = text.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (line_no == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);  // UTF-8 BOM
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      apply_line(file, line_no, trim(raw), seen_here);
    }
    config_.files.push_back(file);
  }

  // Checks that need several keys, once every file has been applied.
  void check_combination() const {
    if (config_.frames_needed <= config_.frames_window) return;
    const bool needed_set = where_.count("frames_needed") != 0;
    const Location at = needed_set ? where_.at("frames_needed") : where_.at("frames_window");
    const std::string other_key = needed_set ? "frames_window" : "frames_needed";
    std::string other_place = "the default";
    if (auto it = where_.find(other_key); it != where_.end()) {
      other_place = it->second.file + ":" + std::to_string(it->second.line);
    }
    throw ConfigError(at.file, at.line, needed_set ? "frames_needed" : "frames_window",
                      "frames_needed (" + std::to_string(config_.frames_needed) +
                          ") is larger than frames_window (" + std::to_string(config_.frames_window) +
                          ", from " + other_place +
                          "); a match cannot need more frames than are examined, so use "
                          "frames_needed from 1 to frames_window");
  }

 private:
  void apply_line(const std::string& file, int line_no, const std::string& line,
                  std::map<std::string, int>& seen_here) {
    if (line.empty() || line.front() == '#') return;
    if (line.front() == '[') {
      throw ConfigError(file, line_no, "",
                        "sections such as '" + line +
                            "' are not used; write only 'key = value' lines and '#' comments");
    }
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      throw ConfigError(file, line_no, "",
                        "'" + line + "' is not a 'key = value' line; comments start with #");
    }
    const std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (key.empty()) {
      throw ConfigError(file, line_no, "", "the line has no key before '='; write 'key = value'");
    }
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    const detail::KeySpec* spec = detail::find_key(key);
    if (spec == nullptr) {
      std::string problem = "unknown key";
      if (auto near = detail::closest_key(key); !near.empty()) {
        problem += "; did you mean '" + near + "'?";
      } else {
        problem += "; see docs/configuration.md or the example faceauth.conf for the valid keys";
      }
      throw ConfigError(file, line_no, key, problem);
    }
    if (auto it = seen_here.find(key); it != seen_here.end()) {
      throw ConfigError(file, line_no, key,
                        "is already set on line " + std::to_string(it->second) +
                            " of this file; keep one of the two (override settings in a "
                            "drop-in file instead)");
    }
    seen_here[key] = line_no;
    try {
      spec->apply(config_, value);
    } catch (const detail::ValueError& e) {
      throw ConfigError(file, line_no, key, e.what());
    }
    where_[key] = Location{file, line_no};
  }

  Config& config_;
  std::map<std::string, Location> where_;
};

std::vector<std::string> list_dropins(const std::string& dir) {
  std::error_code ec;
  const auto status = fs::status(dir, ec);
  if (ec || !fs::exists(status)) {
    if (ec && ec != std::errc::no_such_file_or_directory) {
      throw ConfigError(dir, 0, "", "cannot look at the drop-in directory: " + ec.message());
    }
    return {};
  }
  if (!fs::is_directory(status)) {
    throw ConfigError(dir, 0, "", "is not a directory; drop-in files go in a directory of that name");
  }
  if (auto why = untrusted_reason(dir)) throw ConfigError(dir, 0, "", "not trusted: " + *why);
  std::vector<std::string> files;
  fs::directory_iterator it(dir, ec);
  if (ec) throw ConfigError(dir, 0, "", "cannot list the drop-in directory: " + ec.message());
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) throw ConfigError(dir, 0, "", "cannot list the drop-in directory: " + ec.message());
    const std::string name = it->path().filename().string();
    if (name.empty() || name.front() == '.') continue;
    if (name.size() <= 5 || name.compare(name.size() - 5, 5, ".conf") != 0) continue;
    files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

const char* liveness_name(LivenessMode mode) {
  switch (mode) {
    case LivenessMode::required: return "required";
    case LivenessMode::blink: return "blink";
    case LivenessMode::off: return "off";
  }
  return "required";
}

std::string to_string(SecurityLevel level) {
  switch (level) {
    case SecurityLevel::strict: return "strict";
    case SecurityLevel::balanced: return "balanced";
    case SecurityLevel::convenient: return "convenient";
  }
  return "balanced";
}

ConfigError::ConfigError(std::string file, int line, std::string key, const std::string& problem)
    : std::runtime_error(format_message(file, line, key, problem)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)),
      problem_(problem) {}

Config load_config(const std::string& main_path, bool main_required) {
  std::vector<std::pair<std::string, std::string>> files;
  std::string text;
  if (read_file(main_path, main_required, text)) files.emplace_back(main_path, text);
  for (const auto& file : list_dropins(main_path + ".d")) {
    read_file(file, true, text);
    files.emplace_back(file, text);
  }
  return parse_config_texts(files);
}

Config parse_config_texts(const std::vector<std::pair<std::string, std::string>>& files) {
  Config config;
  Loader loader(config);
  for (const auto& [name, text] : files) loader.apply_text(name, text);
  loader.check_combination();
  return config;
}

}  // namespace faceauth
