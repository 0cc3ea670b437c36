// Accuracy regression (issue 8): re-runs the login protocol on
// ../shared/faces/lfw-dev with the daemon's fusion (operating_point.h and the
// configuration defaults k = frames_needed, n = frames_window) and fails when
// the false accepts or false rejects at any security level move away from the
// figures documented in operating_point.h / docs/recognition.md by more than
// the margins below, or when the protocol would now choose another threshold.
//
// Embeddings are cached ($FACEAUTH_CACHE or ~/.cache/faceauth/calibration,
// lfw-dev.views10.cache, keyed by photo SHA-256 and model hash): with a warm
// cache the test takes about a second; a cold cache costs one embedding pass
// of 790 photos x (1 + 2 x 10) ResNet runs, measured 6.3 min wall on this
// 2-core machine under load from other builds (3 min CPU per thread).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "calibration.h"
#include "config.h"
#include "operating_point.h"
#include "test_support.h"

using namespace faceauth;

namespace {

// Margins. Embeddings are deterministic for one dlib/BLAS build; another
// build may move a few distances near a threshold. False accepts may differ
// by 2 attempts (2 of 117 000 = 1.7e-5), false rejects by 1.5 percentage
// points (11 of 710 attempts); either direction fails, so an improvement also
// forces the documentation to be updated.
constexpr long kFalseAcceptMargin = 2;
constexpr double kFrrMargin = 0.015;
constexpr double kThresholdMargin = 0.005;  // one step of the threshold grid

constexpr int kViews = 10;  // jittered views per photo in the cache (the documented run's --views)

std::string lfw_dir() { return test::faces_dir() + "/lfw-dev"; }

boost::test_tools::assertion_result need_lfw(boost::unit_test::test_unit_id) {
  if (std::filesystem::is_directory(lfw_dir())) return true;
  boost::test_tools::assertion_result r(false);
  r.message() << "skipped: " << lfw_dir()
              << " is absent; set FACEAUTH_SHARED_DIR to the folder holding faces/lfw-dev";
  return r;
}

const EmbeddedSet& lfw() {
  static const EmbeddedSet set = [] {
    EmbedOptions opt;
    opt.model_dir = test::model_dir();
    opt.threads = 2;
    opt.cache_path = default_views_cache(lfw_dir(), kViews);
    EmbeddedSet s = embed_views(load_dataset(lfw_dir()), opt, kViews);
    BOOST_TEST_MESSAGE("lfw-dev: " << s.usable() << " usable of " << s.photos.size() << " photos, "
                                    << s.cache_hits << " from cache " << opt.cache_path << ", embedding took "
                                    << s.seconds << " s");
    return s;
  }();
  return set;
}

// The daemon's fusion as a protocol variant.
LoginVariant daemon_variant() {
  const Config defaults;
  LoginVariant v;
  v.name = "daemon";
  v.fusion = TemplateFusion::mean;
  v.enroll_views = kEnrollJitters + 1;
  v.attempt_views = defaults.frames_needed * (kAttemptJitters + 1);
  v.attempt_windows = defaults.frames_window - defaults.frames_needed + 1;
  v.policy.outlier_distance = kEnrollOutlierDistance;
  v.policy.max_outliers = kEnrollMaxOutliers;
  return v;
}

struct Level {
  const char* name;
  double max_far, threshold, far, frr;
  long false_accepts, false_rejects;
};

const Level kLevels[] = {
    {"strict", 1e-5, kStrictThreshold, kStrictFar, kStrictFrr, kStrictFalseAccepts, kStrictFalseRejects},
    {"balanced", 1e-4, kDefaultThreshold, kDefaultFar, kDefaultFrr, kDefaultFalseAccepts, kDefaultFalseRejects},
    {"convenient", 1e-3, kConvenientThreshold, kConvenientFar, kConvenientFrr, kConvenientFalseAccepts,
     kConvenientFalseRejects},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(accuracy, *boost::unit_test::precondition(need_lfw))

BOOST_AUTO_TEST_CASE(documented_figures_are_consistent) {
  // The constants the daemon reports must agree with each other.
  for (const auto& l : kLevels) {
    BOOST_TEST_CONTEXT(l.name) {
      BOOST_TEST(l.far <= l.max_far);
      BOOST_TEST(std::abs(l.far - double(l.false_accepts) / kProtocolImpostorAttempts) < 0.05 * l.far + 1e-7);
      BOOST_TEST(std::abs(l.frr - double(l.false_rejects) / kProtocolGenuineAttempts) < 5e-4);
    }
  }
  BOOST_TEST(kStrictThreshold < kDefaultThreshold);
  BOOST_TEST(kDefaultThreshold < kConvenientThreshold);
}

BOOST_AUTO_TEST_CASE(login_protocol_matches_documented_operating_points) {
  const EmbeddedSet& set = lfw();
  BOOST_TEST_REQUIRE(set.usable() >= 700u);
  LoginScores s = login_scores(set, daemon_variant());
  BOOST_TEST(long(s.d.impostor.size()) == kProtocolImpostorAttempts);
  BOOST_TEST(long(s.d.genuine.size()) == kProtocolGenuineAttempts);
  for (const auto& l : kLevels) {
    BOOST_TEST_CONTEXT(l.name) {
      RatePoint r = rate_at(s.d, l.threshold);
      BOOST_TEST_MESSAGE(l.name << " threshold " << l.threshold << ": FAR " << r.far << " (" << r.false_accepts
                                << " of " << s.d.impostor.size() << "), FRR " << r.frr << " (" << r.false_rejects
                                << " of " << s.d.genuine.size() << "); documented " << l.false_accepts << " and "
                                << l.false_rejects);
      BOOST_TEST(std::labs(long(r.false_accepts) - l.false_accepts) <= kFalseAcceptMargin);
      BOOST_TEST(std::abs(r.frr - l.frr) <= kFrrMargin);
      // The level's promise itself, with the margin.
      BOOST_TEST(long(r.false_accepts) <= long(std::floor(l.max_far * double(s.d.impostor.size()))) + kFalseAcceptMargin);
      // The protocol would still choose (about) this threshold.
      BOOST_TEST(std::abs(choose_threshold(s.d, l.max_far) - l.threshold) <= kThresholdMargin + 1e-9);
    }
  }
  // The goal at the default level.
  BOOST_TEST(rate_at(s.d, kDefaultThreshold).frr <= 0.05);
}

BOOST_AUTO_TEST_CASE(mean_fusion_beats_minimum_over_templates) {
  // The reason for TemplateFusion::mean: at the same FAR bound, the minimum
  // over the five enrolled photos rejects far more genuine attempts.
  LoginVariant mean = daemon_variant(), min = daemon_variant();
  min.fusion = TemplateFusion::min;
  RatePoint a = best_at_far(login_scores(lfw(), mean).d, 1e-4);
  RatePoint b = best_at_far(login_scores(lfw(), min).d, 1e-4);
  BOOST_TEST_MESSAGE("FRR at FAR <= 1e-4: mean " << a.frr << ", min " << b.frr);
  BOOST_TEST(a.frr * 2 < b.frr);
}

BOOST_AUTO_TEST_CASE(enrollment_refuses_two_people) {
  LoginVariant v = daemon_variant();
  v.policy.inconsistent_distance = kEnrollConsistencyLimit;
  ConsistencyFigures f = consistency_figures(lfw(), v);
  BOOST_TEST_MESSAGE("refused: genuine " << f.genuine_refused << " of " << f.genuine << ", 4+1 " << f.mixed_1_refused
                                         << " of " << f.mixed_1 << ", 3+2 " << f.mixed_2_refused << " of "
                                         << f.mixed_2);
  // Documented in operating_point.h: 7 of 158, 6154 of 6162, 6029 of 6162.
  BOOST_TEST(f.genuine_refused <= 7u + 3u);
  BOOST_TEST(double(f.mixed_1_refused) >= 0.995 * double(f.mixed_1));
  BOOST_TEST(double(f.mixed_2_refused) >= 0.97 * double(f.mixed_2));
}

BOOST_AUTO_TEST_SUITE_END()
