#include "test_support.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

namespace faceauth::test {

static std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? v : fallback;
}

std::string shared_dir() { return env_or("FACEAUTH_SHARED_DIR", FACEAUTH_SHARED_DIR); }
std::string faces_dir() { return shared_dir() + "/faces"; }
std::string model_dir() { return env_or("FACEAUTH_MODEL_DIR", FACEAUTH_TEST_MODEL_DIR); }
std::string source_dir() { return FACEAUTH_SOURCE_DIR; }
std::string binary_dir() { return FACEAUTH_BINARY_DIR; }

std::string make_temp_dir(const std::string& tag) {
  std::string templ = binary_dir() + "/test-tmp";
  fs::create_directories(templ);
  templ += "/" + tag + "-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + templ);
  return templ;
}

boost::test_tools::assertion_result need_faces(boost::unit_test::test_unit_id) {
  if (fs::is_directory(faces_dir() + "/identities")) return true;
  boost::test_tools::assertion_result r(false);
  r.message() << "skipped: the shared face photos are absent (" << faces_dir()
              << "); set FACEAUTH_SHARED_DIR to the folder holding faces/";
  return r;
}

}  // namespace faceauth::test
