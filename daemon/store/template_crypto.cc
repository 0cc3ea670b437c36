#include "template_crypto.h"

#include "store_error.h"

#include <sodium.h>

#include <bit>
#include <cstring>

namespace faceauth {

static_assert(std::endian::native == std::endian::little, "templates are stored as little-endian floats");
static_assert(kNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(StoreKey::kSize == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

namespace {

void put_u32(std::vector<unsigned char>& v, std::uint32_t x) {
  for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<unsigned char>(x >> s));
}
void put_i64(std::vector<unsigned char>& v, std::int64_t x) {
  auto u = static_cast<std::uint64_t>(x);
  for (int s = 56; s >= 0; s -= 8) v.push_back(static_cast<unsigned char>(u >> s));
}
void put_str(std::vector<unsigned char>& v, const std::string& s) {
  put_u32(v, static_cast<std::uint32_t>(s.size()));
  v.insert(v.end(), s.begin(), s.end());
}

constexpr char kCheckPlain[] = "faceauth store key check v1";
constexpr char kCheckAd[] = "faceauth-key-check";

}  // namespace

std::vector<unsigned char> template_associated_data(const TemplateBinding& b) {
  static constexpr unsigned char kDomain[18] = {'f', 'a', 'c', 'e', 'a', 'u', 't', 'h', '-',
                                                't', 'e', 'm', 'p', 'l', 'a', 't', 'e', 0};
  std::vector<unsigned char> ad(kDomain, kDomain + sizeof kDomain);
  put_u32(ad, b.format);
  put_i64(ad, b.id);
  put_u32(ad, b.dims);
  put_i64(ad, b.created);
  put_i64(ad, b.expires);
  put_str(ad, b.user);
  put_str(ad, b.label);
  if (b.format >= 2) put_str(ad, b.embedder);
  if (b.format >= 3) put_i64(ad, b.uid);
  return ad;
}

SealedTemplate seal_template(const StoreKey& key, const TemplateBinding& b,
                             std::span<const float> embedding) {
  if (b.format != kTemplateFormat || embedding.size() != b.dims) {
    throw StoreError(StoreError::Kind::InvalidArgument, "internal error: template binding mismatch");
  }
  auto ad = template_associated_data(b);
  SealedTemplate out;
  out.nonce.resize(kNonceBytes);
  randombytes_buf(out.nonce.data(), out.nonce.size());
  out.ciphertext.resize(embedding.size_bytes() + kTagBytes);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.ciphertext.data(), &clen,
                                             reinterpret_cast<const unsigned char*>(embedding.data()),
                                             embedding.size_bytes(), ad.data(), ad.size(), nullptr,
                                             out.nonce.data(), key.data());
  out.ciphertext.resize(clen);
  return out;
}

bool open_template(const StoreKey& key, const TemplateBinding& b, std::span<const unsigned char> nonce,
                   std::span<const unsigned char> ciphertext, SecureEmbedding& out) {
  if (nonce.size() != kNonceBytes) return false;
  if (ciphertext.size() != std::size_t{b.dims} * sizeof(float) + kTagBytes) return false;
  auto ad = template_associated_data(b);
  SecureEmbedding plain(b.dims);
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.bytes(), &mlen, nullptr, ciphertext.data(),
                                                 ciphertext.size(), ad.data(), ad.size(), nonce.data(),
                                                 key.data()) != 0) {
    return false;
  }
  if (mlen != plain.size_bytes()) return false;
  out = std::move(plain);
  return true;
}

std::vector<unsigned char> make_key_check(const StoreKey& key) {
  std::vector<unsigned char> out(kNonceBytes + sizeof kCheckPlain - 1 + kTagBytes);
  randombytes_buf(out.data(), kNonceBytes);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kNonceBytes, &clen,
                                             reinterpret_cast<const unsigned char*>(kCheckPlain),
                                             sizeof kCheckPlain - 1,
                                             reinterpret_cast<const unsigned char*>(kCheckAd),
                                             sizeof kCheckAd - 1, nullptr, out.data(), key.data());
  out.resize(kNonceBytes + clen);
  return out;
}

bool key_check_matches(const StoreKey& key, std::span<const unsigned char> check) {
  if (check.size() != kNonceBytes + sizeof kCheckPlain - 1 + kTagBytes) return false;
  unsigned char plain[sizeof kCheckPlain - 1];
  unsigned long long mlen = 0;
  int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &mlen, nullptr, check.data() + kNonceBytes,
                                                      check.size() - kNonceBytes,
                                                      reinterpret_cast<const unsigned char*>(kCheckAd),
                                                      sizeof kCheckAd - 1, check.data(), key.data());
  return rc == 0 && mlen == sizeof plain && std::memcmp(plain, kCheckPlain, sizeof plain) == 0;
}

}  // namespace faceauth
