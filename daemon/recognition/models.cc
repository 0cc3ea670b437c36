#include "models.h"

#include <sodium.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "model_hashes.h"

namespace faceauth {

const std::vector<ModelFile>& known_models() {
  static const std::vector<ModelFile> models = {FACEAUTH_MODEL_TABLE};
  return models;
}

const ModelFile& model(const std::string& name) {
  for (const auto& m : known_models())
    if (m.name == name) return m;
  throw ModelError("unknown model file '" + name + "'");
}

std::string sha256_file(const std::string& path) {
  if (sodium_init() < 0) throw ModelError("libsodium failed to initialise");
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw ModelError("cannot read model file " + path + ": missing or unreadable");
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::array<unsigned char, 1 << 16> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0)
    crypto_hash_sha256_update(&st, buf.data(), n);
  if (std::ferror(f.get())) throw ModelError("read error on model file " + path);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest;
  crypto_hash_sha256_final(&st, digest.data());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex;
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data());
}

std::string verified_model_path(const std::string& dir, const std::string& name) {
  const ModelFile& m = model(name);
  std::string path = dir + "/" + name;
  std::string got;
  try {
    got = sha256_file(path);
  } catch (const ModelError& e) {
    throw ModelError(std::string(e.what()) +
                     "; run scripts/setup.sh (or set FACEAUTH_MODEL_DIR) to fetch the models");
  }
  if (got != m.sha256)
    throw ModelError("model file " + path + " is damaged or not the expected one: SHA-256 " + got +
                     ", expected " + m.sha256 +
                     "; delete it and run scripts/setup.sh to fetch a verified copy");
  return path;
}

std::string eye_model_path(const std::string& dir, const std::string& debian_dir) {
  const std::string local = dir + "/" + kEyeModel;
  if (std::FILE* f = std::fopen(local.c_str(), "rb")) {
    std::fclose(f);
    return verified_model_path(dir, kEyeModel);
  }
  const std::string debian = debian_dir + "/" + kEyeModel;
  if (std::FILE* f = std::fopen(debian.c_str(), "rb")) {
    std::fclose(f);
    return verified_model_path(debian_dir, kEyeModel);
  }
  throw ModelError("the blink check needs " + std::string(kEyeModel) + ", found neither in " + dir +
                   " nor in " + debian_dir +
                   ": install Debian's libdlib-data (apt-get install libdlib-data)");
}

}  // namespace faceauth
