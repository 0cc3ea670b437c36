// The recognition core on real photos: the default threshold separates every
// impostor pair of ../shared/faces/identities, accepts at least the documented
// share of genuine pairs, and each quality gate names why a frame does not count.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>

#include "calibration.h"
#include "decode.h"
#include "face_engine.h"
#include "frame_source.h"
#include "models.h"
#include "operating_point.h"
#include "test_support.h"

using namespace faceauth;
using faceauth::test::need_faces;

namespace {

// docs/recognition.md states this figure for ../shared/faces/identities,
// one photo against one photo at the default threshold.
constexpr double kDocumentedGenuineAcceptShare = 0.94;

FaceEngine& engine() {
  static FaceEngine e(test::model_dir());
  return e;
}

std::string scene(const std::string& name) { return test::faces_dir() + "/scenes/" + name; }
std::string photo(const std::string& who, int i) {
  return list_image_files(test::faces_dir() + "/identities/" + who).at(i);
}

// Box blur of the given radius, applied `passes` times (approximates a Gaussian).
Image blurred(const Image& in, int radius, int passes) {
  Image cur = in.clone();
  for (int p = 0; p < passes; ++p) {
    Image out(cur.width(), cur.height());
    for (int y = 0; y < cur.height(); ++y)
      for (int x = 0; x < cur.width(); ++x)
        for (int c = 0; c < 3; ++c) {
          int sum = 0, n = 0;
          for (int dy = -radius; dy <= radius; ++dy)
            for (int dx = -radius; dx <= radius; ++dx) {
              int yy = std::clamp(y + dy, 0, cur.height() - 1), xx = std::clamp(x + dx, 0, cur.width() - 1);
              sum += cur.row(yy)[3 * xx + c];
              ++n;
            }
          out.row(y)[3 * x + c] = static_cast<uint8_t>(sum / n);
        }
    cur = std::move(out);
  }
  return cur;
}

Image scaled(const Image& in, double f) {
  Image out(std::max(1, static_cast<int>(in.width() * f)), std::max(1, static_cast<int>(in.height() * f)));
  for (int y = 0; y < out.height(); ++y)
    for (int x = 0; x < out.width(); ++x)
      for (int c = 0; c < 3; ++c)
        out.row(y)[3 * x + c] = in.row(std::min(in.height() - 1, static_cast<int>(y / f)))
                                    [3 * std::min(in.width() - 1, static_cast<int>(x / f)) + c];
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recognition, *boost::unit_test::precondition(need_faces))

BOOST_AUTO_TEST_CASE(default_threshold_separates_identities) {
  EmbedOptions opt;
  opt.model_dir = test::model_dir();
  auto set = embed_dataset(load_dataset(test::faces_dir() + "/identities"), opt);
  BOOST_TEST(set.usable() >= 50u);
  PairDistances d = pair_distances(set);
  BOOST_TEST_REQUIRE(d.impostor.size() >= 1000u);
  BOOST_TEST_REQUIRE(d.genuine.size() >= 200u);
  const double t = default_threshold();
  BOOST_TEST_MESSAGE("default threshold " << t << ", closest impostor pair " << d.impostor.front());
  BOOST_TEST(d.impostor.front() >= t, "every impostor pair must lie over the default threshold");
  RatePoint r = rate_at(d, t);
  BOOST_TEST_MESSAGE("genuine pairs accepted: " << 1 - r.frr << " of " << d.genuine.size());
  BOOST_TEST(1 - r.frr >= kDocumentedGenuineAcceptShare);
}

BOOST_AUTO_TEST_CASE(same_person_is_closer_than_another) {
  auto a1 = engine().analyze(load_image_file(photo("John_Salley", 0)));
  auto a2 = engine().analyze(load_image_file(photo("John_Salley", 5)));
  auto b = engine().analyze(load_image_file(photo("John_Simm", 0)));
  BOOST_REQUIRE(a1.verdict == FrameVerdict::ok);
  BOOST_REQUIRE(a2.verdict == FrameVerdict::ok);
  BOOST_REQUIRE(b.verdict == FrameVerdict::ok);
  BOOST_TEST(distance(a1.embedding, a2.embedding) < default_threshold());
  BOOST_TEST(distance(a1.embedding, b.embedding) > default_threshold());
  BOOST_TEST(a1.times.embed_ms > 0);
}

BOOST_AUTO_TEST_CASE(dogs_give_no_face) {
  auto a = engine().analyze(load_image_file(scene("dogs.jpg")));
  BOOST_TEST(verdict_name(a.verdict) == std::string("no-face"));
  BOOST_TEST(a.reason().find("no face") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bald_guys_give_more_than_one_face) {
  auto a = engine().analyze(load_image_file(scene("bald_guys.jpg")));
  BOOST_TEST(verdict_name(a.verdict) == std::string("multiple-faces"));
  BOOST_TEST(a.faces >= 2);
  BOOST_TEST(verdict_hint(a.verdict) == std::string("only one face please"));
}

BOOST_AUTO_TEST_CASE(one_face_in_a_scene_is_ok) {
  auto a = engine().analyze(load_image_file(scene("Tom_Cruise_avp_2014_4.jpg")));
  BOOST_TEST(verdict_name(a.verdict) == std::string("ok"));
  BOOST_TEST(a.faces == 1);
}

BOOST_AUTO_TEST_CASE(dark_frame_is_too_dark) {
  Image img = load_image_file(photo("John_Salley", 0));
  for (size_t i = 0; i < img.size_bytes(); ++i) img.data()[i] /= 12;
  auto a = engine().analyze(img);
  BOOST_TEST(verdict_name(a.verdict) == std::string("too-dark"));
  BOOST_TEST(verdict_hint(a.verdict) == std::string("more light"));
}

BOOST_AUTO_TEST_CASE(blurred_face_is_too_blurred) {
  Image img = load_image_file(test::faces_dir() + "/lfw-dev/Abdullah_Gul/Abdullah_Gul_0001.jpg");
  BOOST_REQUIRE(engine().analyze(img).verdict == FrameVerdict::ok);
  auto a = engine().analyze(blurred(img, 2, 3));
  BOOST_TEST_MESSAGE("sharpness of the blurred face: " << a.sharpness);
  BOOST_TEST(verdict_name(a.verdict) == std::string("too-blurred"));
}

BOOST_AUTO_TEST_CASE(small_face_is_too_small) {
  Image img = load_image_file(test::faces_dir() + "/lfw-dev/Abdullah_Gul/Abdullah_Gul_0001.jpg");
  auto a = engine().analyze(scaled(img, 0.45));
  BOOST_TEST_MESSAGE("face width after scaling: " << a.face.width);
  BOOST_TEST(verdict_name(a.verdict) == std::string("face-too-small"));
  BOOST_TEST(verdict_hint(a.verdict) == std::string("move closer"));
}

BOOST_AUTO_TEST_SUITE_END()
