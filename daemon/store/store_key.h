// The store's 32-byte encryption key: where it comes from, how it is created,
// and where it lives in memory (locked pages, wiped on destruction).
//
// Sources, in order:
//  1. $CREDENTIALS_DIRECTORY/<credential_name> when the service manager provides
//     that file (systemd LoadCredential=/LoadCredentialEncrypted=). systemd owns
//     that directory's permissions, so only the content is checked.
//  2. <state_dir>/<key_file_name>: must be a regular file (not a symlink), owned
//     by the user the process runs as, with no group/other permission bits.
// Either holds exactly 32 raw bytes, or 64 hex digits (optionally newline-ended).
#pragma once

#include "secure_buffer.h"

#include <optional>
#include <span>
#include <string>

namespace faceauth {

struct KeyOptions {
  std::string state_dir;  // holds the key file
  std::string key_file_name = "store.key";
  std::string credential_name = "faceauth-store-key";
  // Where systemd credentials are; unset: $CREDENTIALS_DIRECTORY (if set).
  std::optional<std::string> credentials_dir;
};

class StoreKey {
 public:
  static constexpr std::size_t kSize = 32;

  // For tests and tools: a key from given bytes (must be kSize long).
  static StoreKey from_bytes(std::span<const unsigned char> bytes, std::string source);

  const unsigned char* data() const noexcept { return bytes_.data(); }
  // Where the key came from (a path), for messages.
  const std::string& source() const noexcept { return source_; }
  bool locked() const noexcept { return bytes_.locked(); }

 private:
  StoreKey(SecureBytes bytes, std::string source) : bytes_(std::move(bytes)), source_(std::move(source)) {}
  friend std::optional<StoreKey> load_key(const KeyOptions&);
  friend StoreKey create_key_file(const KeyOptions&);

  SecureBytes bytes_;
  std::string source_;
};

// Path of the key file in the state directory.
std::string key_file_path(const KeyOptions& opts);
// Path of the credential file, if a credentials directory is known.
std::optional<std::string> credential_path(const KeyOptions& opts);

// Loads the key from the credential or the key file. Returns nullopt when
// neither exists. Throws StoreError KeyPermissions / KeyInvalid / Io.
std::optional<StoreKey> load_key(const KeyOptions& opts);

// Creates a fresh random key file atomically with mode 0400: written under a
// temporary name, fsynced, then hard-linked to the final name, so the final
// name never exists half-written and an existing key is never replaced (if
// one appeared meanwhile, that one is loaded and returned instead).
StoreKey create_key_file(const KeyOptions& opts);

}  // namespace faceauth
