#include "store_error.h"

namespace faceauth {

const char* to_string(StoreError::Kind kind) noexcept {
  using K = StoreError::Kind;
  switch (kind) {
    case K::KeyMissing: return "key-missing";
    case K::KeyPermissions: return "key-permissions";
    case K::KeyInvalid: return "key-invalid";
    case K::WrongKey: return "wrong-key";
    case K::Permissions: return "permissions";
    case K::Tampered: return "tampered";
    case K::Corrupted: return "corrupted";
    case K::SchemaTooNew: return "schema-too-new";
    case K::Io: return "io";
    case K::NotFound: return "not-found";
    case K::Excluded: return "excluded";
    case K::ConsentRequired: return "consent-required";
    case K::FaceAuthRefused: return "face-auth-refused";
    case K::InvalidArgument: return "invalid-argument";
  }
  return "unknown";
}

}  // namespace faceauth
