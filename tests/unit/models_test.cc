// Model files are checked by SHA-256 before use: a damaged, truncated or
// missing file is refused with a message naming the file and both hashes.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "detector.h"
#include "embedder.h"
#include "liveness.h"
#include "models.h"
#include "test_support.h"

using namespace faceauth;
namespace fs = std::filesystem;

namespace {
bool has(const ModelError& e, const std::string& s) {
  return std::string(e.what()).find(s) != std::string::npos;
}

boost::test_tools::assertion_result need_models(boost::unit_test::test_unit_id) {
  if (fs::exists(test::model_dir() + "/" + kLandmarkModel)) return true;
  boost::test_tools::assertion_result r(false);
  r.message() << "skipped: model files absent from " << test::model_dir() << "; run scripts/setup.sh";
  return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(hash_table_comes_from_models_sha256) {
  BOOST_TEST(known_models().size() == 6u);
  BOOST_TEST(model(kEyeModel).sha256 == "fbdc2cb80eb9aa7a758672cbfdda32ba6300efe9b6e6c7a299ff7e736b11b92f");
  BOOST_TEST(model(kLivenessModel).sha256 ==
             "afa783b7e902fdfcf323a7240cac2a1c580c25314ea4161129dc1b0d100dc32d");
  BOOST_TEST(model(kMobileFaceNetModel).sha256 ==
             "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581");
  BOOST_TEST(model(kLandmarkModel).sha256 ==
             "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888");
  BOOST_CHECK_THROW(model("nonexistent.dat"), ModelError);
}

BOOST_AUTO_TEST_CASE(good_models_verify, *boost::unit_test::precondition(need_models)) {
  for (const auto& m : known_models())
    if (m.name != kEyeModel)  // from Debian's libdlib-data, below
      BOOST_TEST(verified_model_path(test::model_dir(), m.name) == test::model_dir() + "/" + m.name);
}

namespace {
boost::test_tools::assertion_result need_debian_eye_model(boost::unit_test::test_unit_id) {
  if (fs::exists(fs::path(kDebianDlibModelDir) / kEyeModel)) return true;
  boost::test_tools::assertion_result r(false);
  r.message() << "skipped: " << kDebianDlibModelDir << "/" << kEyeModel
              << " absent; apt-get install libdlib-data";
  return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(eye_model_comes_from_debian_or_the_model_dir,
                     *boost::unit_test::precondition(need_debian_eye_model)) {
  const std::string debian = (fs::path(kDebianDlibModelDir) / kEyeModel).string();
  std::string dir = test::make_temp_dir("eyes");
  BOOST_TEST(eye_model_path(dir) == debian);  // not in dir: Debian's copy, verified
  {
    std::ofstream f(dir + "/" + kEyeModel, std::ios::binary);
    f << "not the model";
  }
  // A file in the model directory is used first, and a wrong one is refused, naming both hashes.
  BOOST_CHECK_EXCEPTION(eye_model_path(dir), ModelError,
                        [&](const ModelError& e) { return has(e, kEyeModel) && has(e, "expected"); });
}

BOOST_AUTO_TEST_CASE(missing_eye_model_names_the_package) {
  std::string empty = test::make_temp_dir("eyes");
  BOOST_CHECK_EXCEPTION(eye_model_path(empty, empty + "/no-such-dir"), ModelError,
                        [&](const ModelError& e) { return has(e, "libdlib-data") && has(e, kEyeModel); });
}

BOOST_AUTO_TEST_CASE(corrupted_model_is_refused, *boost::unit_test::precondition(need_models)) {
  std::string dir = test::make_temp_dir("models");
  fs::copy_file(test::model_dir() + "/" + kLandmarkModel, dir + "/" + kLandmarkModel);
  {
    std::fstream f(dir + "/" + kLandmarkModel, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);
    f.put('\x5a');
  }
  BOOST_CHECK_EXCEPTION(FaceDetector{dir}, ModelError, [&](const ModelError& e) {
    return has(e, kLandmarkModel) && has(e, model(kLandmarkModel).sha256) && has(e, "SHA-256");
  });
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(truncated_model_is_refused, *boost::unit_test::precondition(need_models)) {
  for (EmbedderKind k : {EmbedderKind::dlib_resnet, EmbedderKind::mobilefacenet}) {
    std::string dir = test::make_temp_dir("models");
    const std::string name = embedder_model_file(k);
    std::string path = dir + "/" + name;
    fs::copy_file(test::model_dir() + "/" + name, path);
    fs::resize_file(path, 1000);
    BOOST_CHECK_EXCEPTION(make_embedder(k, dir), ModelError,
                          [&](const ModelError& e) { return has(e, name) && has(e, "expected"); });
    fs::remove_all(dir);
  }
}

BOOST_AUTO_TEST_CASE(truncated_liveness_model_is_refused, *boost::unit_test::precondition(need_models)) {
  std::string dir = test::make_temp_dir("models");
  std::string path = dir + "/" + std::string(kLivenessModel);
  fs::copy_file(test::model_dir() + "/" + kLivenessModel, path);
  fs::resize_file(path, 1000);
  BOOST_CHECK_EXCEPTION(make_liveness_net(dir), ModelError,
                        [&](const ModelError& e) { return has(e, kLivenessModel) && has(e, "expected"); });
  fs::remove_all(dir);
  BOOST_TEST(make_liveness_net(test::model_dir()) != nullptr);
}

BOOST_AUTO_TEST_CASE(each_embedder_loads_and_names_itself, *boost::unit_test::precondition(need_models)) {
  for (EmbedderKind k : {EmbedderKind::dlib_resnet, EmbedderKind::mobilefacenet}) {
    auto e = make_embedder(k, test::model_dir());
    BOOST_TEST((e->kind() == k));
    BOOST_TEST((parse_embedder(embedder_name(k)) == std::optional<EmbedderKind>(k)));
  }
  BOOST_TEST(!parse_embedder("arcface").has_value());
  BOOST_TEST(embedder_dims(EmbedderKind::mobilefacenet) == 512);
  BOOST_TEST(embedder_dims(EmbedderKind::dlib_resnet) == 128);
}

BOOST_AUTO_TEST_CASE(missing_model_names_the_fix) {
  BOOST_CHECK_EXCEPTION(FaceDetector{"/nonexistent-model-dir"}, ModelError,
                        [](const ModelError& e) { return has(e, "scripts/setup.sh"); });
}
