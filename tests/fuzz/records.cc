// Stored-record decoding: a template row as read from the database (format,
// bound columns, nonce, ciphertext) and a key file's contents. A forged row
// must fail authentication, never decrypt or crash; the input drives every
// field, with one fixed key.
#include "store_error.h"
#include "store_key.h"
#include "template_crypto.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <exception>
#include <string>
#include <vector>

namespace {
struct Reader {
  const uint8_t* p;
  size_t n;
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4 && n; ++i, ++p, --n) v = (v << 8) | *p;
    return v;
  }
  std::string str(size_t max) {
    size_t len = n ? std::min<size_t>(*p % (max + 1), n - 1) : 0;
    if (n) ++p, --n;
    std::string s(reinterpret_cast<const char*>(p), len);
    p += len, n -= len;
    return s;
  }
  std::vector<unsigned char> rest() { return std::vector<unsigned char>(p, p + n); }
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool ready = sodium_init() >= 0;
  if (!ready) return 0;
  static const std::vector<unsigned char> key_bytes(32, 0x5a);
  static const faceauth::StoreKey key = faceauth::StoreKey::from_bytes(key_bytes, "fuzz key");
  Reader r{data, size};
  faceauth::TemplateBinding b;
  b.format = r.u32() % 5;
  b.id = r.u32();
  b.dims = r.u32() % (faceauth::kMaxDims + 2);
  b.created = r.u32();
  b.expires = r.u32();
  b.uid = r.u32();
  b.user = r.str(64);
  b.label = r.str(64);
  b.embedder = r.str(32);
  std::vector<unsigned char> nonce(faceauth::kNonceBytes);
  const size_t nonce_len = std::min(nonce.size(), r.n);
  std::memcpy(nonce.data(), r.p, nonce_len);
  r.p += nonce_len, r.n -= nonce_len;
  const std::vector<unsigned char> ct = r.rest();
  faceauth::template_associated_data(b);
  faceauth::SecureEmbedding out;
  if (faceauth::open_template(key, b, nonce, ct, out)) std::abort();  // forging needs the key
  // The same bytes as a key file: parsed or refused with a StoreError.
  static std::string dir = [] {
    char tmpl[] = "/tmp/faceauth-fuzz-key-XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (d) chmod(d, 0700);
    return std::string(d ? d : "/nonexistent");
  }();
  const std::string path = dir + "/store.key";
  unlink(path.c_str());
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0400);
  if (fd >= 0) {
    const bool written = write(fd, data, size) == static_cast<ssize_t>(size);
    close(fd);
    if (written) {
      faceauth::KeyOptions o;
      o.state_dir = dir;
      o.credentials_dir = "/nonexistent";
      try {
        faceauth::load_key(o);
      } catch (const faceauth::StoreError&) {
      }
    }
  }
  return 0;
}
