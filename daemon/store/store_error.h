// The one exception type of the template store. Every message says what is
// wrong, which file or row it concerns and, where a person can fix it, how.
#pragma once

#include <stdexcept>
#include <string>

namespace faceauth {

class StoreError : public std::runtime_error {
 public:
  enum class Kind {
    KeyMissing,       // no key, but the database holds templates encrypted under one
    KeyPermissions,   // key file readable by others, owned by someone else, or not a file
    KeyInvalid,       // key file/credential has the wrong length or content
    WrongKey,         // the key does not match the database's key-check value
    Permissions,      // state directory or database file owned by another user
    Tampered,         // a template failed authentication, or has a foreign format
    Corrupted,        // SQLite reports corruption, or the schema is not ours
    SchemaTooNew,     // the database was written by a newer faceauth
    Io,               // file system or SQLite I/O error
    NotFound,         // no such template / user record
    Excluded,         // the account is excluded from face verification
    ConsentRequired,  // no active consent for this user
    FaceAuthRefused,  // face auth disabled for this user after tampering (admin must reset)
    InvalidArgument,  // bad input from the caller
  };

  StoreError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

// Stable lower-case name of a kind ("wrong-key", "tampered", ...), for logs and D-Bus mapping.
const char* to_string(StoreError::Kind kind) noexcept;

}  // namespace faceauth
