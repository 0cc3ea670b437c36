#include "store_files.h"

#include "store_error.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace faceauth {

namespace {
using K = StoreError::Kind;

std::string owner_fix(const std::string& path) {
  return "Fix: chown <service user> " + path + " (faceauthd runs as uid " + std::to_string(::geteuid()) + ")";
}
}  // namespace

void ensure_private_dir(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      throw StoreError(K::Io, "cannot examine the state directory " + dir + ": " + std::strerror(errno));
    }
    std::error_code ec;
    auto parent = std::filesystem::path(dir).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      throw StoreError(K::Io, "cannot create the state directory " + dir + ": " + std::strerror(errno));
    }
    if (::lstat(dir.c_str(), &st) != 0) {
      throw StoreError(K::Io, "cannot examine the state directory " + dir + ": " + std::strerror(errno));
    }
  }
  if (!S_ISDIR(st.st_mode)) {
    throw StoreError(K::Permissions, "the state directory " + dir +
                                         " is not a directory (or is a symbolic link); it must be "
                                         "a real directory owned by the service user");
  }
  if (st.st_uid != ::geteuid()) {
    throw StoreError(K::Permissions, "the state directory " + dir + " is owned by uid " +
                                         std::to_string(st.st_uid) + ", not by the service user. " +
                                         owner_fix(dir));
  }
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0) {
    throw StoreError(K::Permissions,
                     "cannot set mode 0700 on the state directory " + dir + ": " + std::strerror(errno));
  }
}

void ensure_private_file(const std::string& path, bool create) {
  if (create) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
    } else if (errno != EEXIST) {
      throw StoreError(K::Io, "cannot create the database " + path + ": " + std::strerror(errno));
    }
  }
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT && !create) return;
    throw StoreError(K::Io, "cannot examine " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw StoreError(K::Permissions,
                     path + " is not a regular file (or is a symbolic link); refusing to use it");
  }
  if (st.st_uid != ::geteuid()) {
    throw StoreError(K::Permissions, path + " is owned by uid " + std::to_string(st.st_uid) +
                                         ", not by the service user. " + owner_fix(path));
  }
  if ((st.st_mode & 077) != 0 && ::chmod(path.c_str(), st.st_mode & 0600) != 0) {
    throw StoreError(K::Permissions, "cannot set mode 0600 on " + path + ": " + std::strerror(errno));
  }
}

}  // namespace faceauth
