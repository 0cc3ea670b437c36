// Encryption of templates at rest: XChaCha20-Poly1305 (libsodium IETF AEAD),
// a fresh random 24-byte nonce per write, and associated data that binds
// every cleartext column of the row, so a row moved to another user or id,
// or with its expiry edited, fails to decrypt.
//
// Associated data (all integers big-endian):
//   "faceauth-template\0"            18 bytes, domain separation
//   u32 format (1, 2 or 3)
//   i64 template id
//   u32 dims (number of floats)
//   i64 created, i64 expires       (Unix seconds)
//   u32 len(user)  || user bytes
//   u32 len(label) || label bytes
//   from format 2: u32 len(embedder) || embedder bytes ("mobilefacenet", ...)
//   from format 3: i64 uid of the account the template belongs to
// faceauth writes only format 3. Rows of formats 1 and 2 are opened only once,
// when the store binds them to their account (schema 3) and seals them again
// as format 3; format 1 rows were all made by "dlib-resnet".
// Plaintext: dims IEEE-754 binary32 values, little-endian.
#pragma once

#include "secure_buffer.h"
#include "store_key.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace faceauth {

inline constexpr std::uint32_t kTemplateFormat = 3;         // written and used
inline constexpr std::uint32_t kLegacyTemplateFormat = 1;   // converted: implies "dlib-resnet"
inline constexpr std::uint32_t kUnboundTemplateFormat = 2;  // converted: no uid bound
inline constexpr const char* kLegacyEmbedder = "dlib-resnet";
inline constexpr std::size_t kNonceBytes = 24;  // crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
inline constexpr std::size_t kTagBytes = 16;    // crypto_aead_xchacha20poly1305_ietf_ABYTES
inline constexpr std::uint32_t kMaxDims = 4096;

struct TemplateBinding {
  std::int64_t id = 0;
  std::string user;
  std::string label;
  std::int64_t created = 0;
  std::int64_t expires = 0;
  std::uint32_t format = kTemplateFormat;
  std::uint32_t dims = 0;
  std::string embedder;   // bound from format 2 on
  std::int64_t uid = -1;  // bound from format 3 on
};

std::vector<unsigned char> template_associated_data(const TemplateBinding& b);

struct SealedTemplate {
  std::vector<unsigned char> nonce;
  std::vector<unsigned char> ciphertext;  // includes the 16-byte tag
};

// Encrypts `embedding` (b.dims must equal its size) under `key`.
SealedTemplate seal_template(const StoreKey& key, const TemplateBinding& b, std::span<const float> embedding);

// Decrypts straight into locked memory. Returns false when authentication
// fails (wrong key, edited ciphertext, nonce or any bound column).
bool open_template(const StoreKey& key, const TemplateBinding& b, std::span<const unsigned char> nonce,
                   std::span<const unsigned char> ciphertext, SecureEmbedding& out);

// Key-check value kept in the meta table: nonce || AEAD(known constant).
std::vector<unsigned char> make_key_check(const StoreKey& key);
bool key_check_matches(const StoreKey& key, std::span<const unsigned char> check);

}  // namespace faceauth
