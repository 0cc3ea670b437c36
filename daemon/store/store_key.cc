#include "store_key.h"

#include "store_error.h"

#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace faceauth {

namespace {

using K = StoreError::Kind;

std::string errno_text(int e) { return std::strerror(e); }

std::string user_name(uid_t uid) {
  struct passwd pw {};
  struct passwd* res = nullptr;
  char buf[1024];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) {
    return std::string(res->pw_name) + " (uid " + std::to_string(uid) + ")";
  }
  return "uid " + std::to_string(uid);
}

std::string owner_arg(uid_t uid) {
  struct passwd pw {};
  struct passwd* res = nullptr;
  char buf[1024];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res) return res->pw_name;
  return std::to_string(uid);
}

std::string mode_text(mode_t m) {
  char b[8];
  std::snprintf(b, sizeof b, "%04o", static_cast<unsigned>(m & 07777));
  return b;
}

// Reads at most `max` bytes of the open file into locked memory.
SecureBytes read_secret(int fd, const std::string& path, std::size_t max, std::size_t& got) {
  SecureBytes buf(max + 1);
  got = 0;
  while (got < buf.size()) {
    ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw StoreError(K::Io, "cannot read the store key " + path + ": " + errno_text(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return buf;
}

// Parses 32 raw bytes or 64 hex digits (+ optional newline) into a key.
SecureBytes parse_key(const SecureBytes& raw, std::size_t len, const std::string& path) {
  SecureBytes key(StoreKey::kSize);
  if (len == StoreKey::kSize) {
    std::memcpy(key.data(), raw.data(), StoreKey::kSize);
    return key;
  }
  std::size_t hex_len = len;
  if (hex_len == 2 * StoreKey::kSize + 1 && raw[hex_len - 1] == '\n') --hex_len;
  if (hex_len == 2 * StoreKey::kSize) {
    std::size_t bin_len = 0;
    if (sodium_hex2bin(key.data(), key.size(), reinterpret_cast<const char*>(raw.data()), hex_len, nullptr,
                       &bin_len, nullptr) == 0 &&
        bin_len == StoreKey::kSize) {
      return key;
    }
  }
  throw StoreError(K::KeyInvalid, "the store key " + path + " is " + std::to_string(len) +
                                      " bytes long; it must hold exactly 32 random bytes (or 64 hex digits). "
                                      "If it was damaged, restore it from a backup; a new key cannot decrypt "
                                      "existing enrollments");
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

StoreKey StoreKey::from_bytes(std::span<const unsigned char> bytes, std::string source) {
  if (bytes.size() != kSize) {
    throw StoreError(K::KeyInvalid,
                     "a store key must be 32 bytes, got " + std::to_string(bytes.size()) + " from " + source);
  }
  SecureBytes b(kSize);
  std::memcpy(b.data(), bytes.data(), kSize);
  return StoreKey(std::move(b), std::move(source));
}

std::string key_file_path(const KeyOptions& opts) { return opts.state_dir + "/" + opts.key_file_name; }

std::optional<std::string> credential_path(const KeyOptions& opts) {
  std::string dir;
  if (opts.credentials_dir) {
    dir = *opts.credentials_dir;
  } else if (const char* env = std::getenv("CREDENTIALS_DIRECTORY"); env && *env) {
    dir = env;
  }
  if (dir.empty()) return std::nullopt;
  return dir + "/" + opts.credential_name;
}

std::optional<StoreKey> load_key(const KeyOptions& opts) {
  if (sodium_init() < 0) throw StoreError(K::Io, "libsodium failed to initialise");

  if (auto cred = credential_path(opts)) {
    Fd f{::open(cred->c_str(), O_RDONLY | O_CLOEXEC)};
    if (f.fd >= 0) {
      struct stat st {};
      if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        throw StoreError(K::KeyInvalid, "the credential " + *cred + " is not a regular file");
      }
      std::size_t got = 0;
      SecureBytes raw = read_secret(f.fd, *cred, 2 * StoreKey::kSize + 1, got);
      return StoreKey(parse_key(raw, got, *cred), *cred);
    }
    if (errno != ENOENT) {
      throw StoreError(K::Io, "cannot open the credential " + *cred + ": " + errno_text(errno));
    }
  }

  const std::string path = key_file_path(opts);
  Fd f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)};
  if (f.fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    if (errno == ELOOP) {
      throw StoreError(K::KeyPermissions,
                       "the store key " + path +
                           " is a symbolic link, which is refused. Replace "
                           "it with the key file itself (mode 0400, owned by the service user)");
    }
    throw StoreError(K::Io, "cannot open the store key " + path + ": " + errno_text(errno) +
                                ". It must be readable by the user faceauthd runs as");
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) {
    throw StoreError(K::Io, "cannot stat the store key " + path + ": " + errno_text(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw StoreError(K::KeyPermissions, "the store key " + path + " is not a regular file");
  }
  const uid_t me = ::geteuid();
  if (st.st_uid != me) {
    throw StoreError(K::KeyPermissions, "the store key " + path + " is owned by " + user_name(st.st_uid) +
                                            " but faceauthd runs as " + user_name(me) +
                                            "; refusing a key others could have written. Fix: chown " +
                                            owner_arg(me) + " " + path + " && chmod 0400 " + path);
  }
  if ((st.st_mode & 077) != 0) {
    throw StoreError(K::KeyPermissions,
                     "the store key " + path + " has mode " + mode_text(st.st_mode) +
                         ", which lets other users read or change it; it must be readable by "
                         "its owner only. Fix: chmod 0400 " +
                         path + " (and consider the key exposed: re-enroll if others could read it)");
  }
  std::size_t got = 0;
  SecureBytes raw = read_secret(f.fd, path, 2 * StoreKey::kSize + 1, got);
  return StoreKey(parse_key(raw, got, path), path);
}

StoreKey create_key_file(const KeyOptions& opts) {
  if (sodium_init() < 0) throw StoreError(K::Io, "libsodium failed to initialise");
  const std::string path = key_file_path(opts);

  unsigned char rnd[8];
  randombytes_buf(rnd, sizeof rnd);
  char hex[2 * sizeof rnd + 1];
  sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
  const std::string tmp = path + ".new-" + hex;

  SecureBytes key(StoreKey::kSize);
  randombytes_buf(key.data(), key.size());
  {
    Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400)};
    if (f.fd < 0) {
      throw StoreError(K::Io, "cannot create the store key " + tmp + ": " + errno_text(errno) +
                                  ". The state directory " + opts.state_dir +
                                  " must be writable by the user faceauthd runs as");
    }
    if (::fchmod(f.fd, 0400) != 0) {  // in case a umask or ACL widened it
      int e = errno;
      ::unlink(tmp.c_str());
      throw StoreError(K::Io, "cannot set mode 0400 on " + tmp + ": " + errno_text(e));
    }
    std::size_t off = 0;
    while (off < key.size()) {
      ssize_t n = ::write(f.fd, key.data() + off, key.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw StoreError(K::Io, "cannot write the store key " + tmp + ": " + errno_text(e));
      }
      off += static_cast<std::size_t>(n);
    }
    if (::fsync(f.fd) != 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      throw StoreError(K::Io, "cannot fsync the store key " + tmp + ": " + errno_text(e));
    }
  }
  // link() fails with EEXIST instead of replacing: an existing key is never overwritten.
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    if (e == EEXIST) {
      auto existing = load_key(opts);
      if (existing) return std::move(*existing);
    }
    throw StoreError(K::Io, "cannot create the store key " + path + ": " + errno_text(e));
  }
  ::unlink(tmp.c_str());
  fsync_dir(opts.state_dir);
  return StoreKey(std::move(key), path);
}

}  // namespace faceauth
