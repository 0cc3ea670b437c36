#include "trusted_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

namespace faceauth {
namespace {

std::optional<std::string> check_one(const std::string& path, bool is_dir_expected) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  const uid_t me = ::geteuid();
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  const bool dir = S_ISDIR(st.st_mode);
  if (st.st_uid != 0 && st.st_uid != me)
    return path + " is owned by uid " + std::to_string(st.st_uid) + " (mode " + mode +
           "); it must belong to root: chown root:root " + path;
  if (st.st_mode & (S_IWGRP | S_IWOTH))
    return path + " is writable by " + ((st.st_mode & S_IWOTH) ? "others" : "its group") + " (mode " + mode +
           "); only root may write it: chmod go-w " + path;
  (void)is_dir_expected;
  (void)dir;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> untrusted_reason(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  if (auto r = check_one(path, S_ISDIR(st.st_mode))) return r;
  if (!S_ISDIR(st.st_mode)) {
    std::string parent = std::filesystem::path(path).parent_path().string();
    if (parent.empty()) parent = ".";
    if (auto r = check_one(parent, true)) return r;
  }
  return std::nullopt;
}

}  // namespace faceauth
