// Logging: to the journal with structured fields when journald is there,
// else to stderr (build machines, tests, runs by hand). Never log images,
// templates, embeddings or distances.
#pragma once

#include <string>

namespace faceauth::log {

enum class Level { crit = 2, err = 3, warning = 4, notice = 5, info = 6, debug = 7 };

// `fields` are extra journal fields, "KEY=value" each (FACEAUTH_USER=..., ...).
void write(Level level, const std::string& message, std::initializer_list<std::string> fields = {});

inline void info(const std::string& m, std::initializer_list<std::string> f = {}) {
  write(Level::info, m, f);
}
inline void warn(const std::string& m, std::initializer_list<std::string> f = {}) {
  write(Level::warning, m, f);
}
inline void error(const std::string& m, std::initializer_list<std::string> f = {}) {
  write(Level::err, m, f);
}
inline void crit(const std::string& m, std::initializer_list<std::string> f = {}) {
  write(Level::crit, m, f);
}

}  // namespace faceauth::log
