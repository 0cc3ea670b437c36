// Fusion arithmetic (daemon/recognition/fusion.h) on hand-made embeddings:
// the template is the mean of the kept views, outliers are dropped worst first,
// an enrollment mixing two faces is refused, and an attempt is decided on the
// mean of its frames against the closest stored template.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <stdexcept>

#include "fusion.h"

using namespace faceauth;

namespace {

// An embedding that is `x` along axis `axis` (and 0 elsewhere), plus a small
// offset `y` along axis 100 to make views differ.
Embedding at(int axis, float x, float y = 0) {
  Embedding e;
  e.v[axis] = x;
  e.v[100] += y;
  return e;
}

}  // namespace

BOOST_AUTO_TEST_CASE(template_is_the_mean_and_spread_is_leave_one_out) {
  std::vector<Embedding> views = {at(0, 1, 0.0f), at(0, 1, 0.3f), at(0, 1, 0.6f)};
  EnrollmentReport r = assess_enrollment(views, {});
  BOOST_TEST(r.consistent);
  BOOST_TEST(r.kept_count == 3u);
  BOOST_TEST(r.mean.v[0] == 1.0f, boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(r.mean.v[100] == 0.3f, boost::test_tools::tolerance(1e-6f));
  // View 0 against the mean of views 1 and 2 (0.45 along axis 100): 0.45.
  BOOST_TEST(r.loo_distance[0] == 0.45f, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(r.loo_distance[1] == 0.0f, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(r.spread == 0.45f, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(r.median_spread == 0.45f, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(r.summary() == "consistent, 3 of 3 frames used");
  BOOST_TEST(r.summary().find('.') == std::string::npos, "no distance in what the person is told");
}

BOOST_AUTO_TEST_CASE(one_view_is_its_own_template) {
  EnrollmentReport r =
      assess_enrollment({at(3, 2)}, {.outlier_distance = 0.1f, .inconsistent_distance = 0.1f});
  BOOST_TEST(r.consistent);
  BOOST_TEST(r.spread == 0.0f);
  BOOST_TEST(r.mean.v[3] == 2.0f);
  BOOST_CHECK_THROW(assess_enrollment({}, {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(outlier_is_dropped_worst_first_and_at_most_max_outliers) {
  // Four views of one face and one far away (another axis).
  std::vector<Embedding> views = {at(0, 1, 0.0f), at(0, 1, 0.05f), at(0, 1, 0.1f), at(0, 1, 0.15f), at(1, 1)};
  EnrollPolicy p;
  p.outlier_distance = 0.5f;
  EnrollmentReport r = assess_enrollment(views, p);
  BOOST_TEST(r.kept_count == 4u);
  BOOST_TEST(!r.kept[4]);
  BOOST_TEST(r.mean.v[1] == 0.0f);  // the outlier is not in the template
  BOOST_TEST(r.spread < 0.2f);
  // Without rejection the same set has a large spread.
  EnrollmentReport all = assess_enrollment(views, {});
  BOOST_TEST(all.kept_count == 5u);
  BOOST_TEST(all.spread > 1.0f);
  // Two far views, one allowed to go: the other stays and the spread shows it.
  views.push_back(at(2, 1));
  EnrollmentReport two = assess_enrollment(views, p);
  BOOST_TEST(two.kept_count == 5u);
  BOOST_TEST(two.spread > 1.0f);
}

BOOST_AUTO_TEST_CASE(two_faces_are_refused_one_face_is_not) {
  EnrollPolicy p;
  p.inconsistent_distance = 0.5f;
  std::vector<Embedding> same = {at(0, 1, 0.0f), at(0, 1, 0.1f), at(0, 1, 0.2f), at(0, 1, 0.3f)};
  BOOST_TEST(assess_enrollment(same, p).consistent);
  std::vector<Embedding> mixed = {at(0, 1, 0.0f), at(0, 1, 0.1f), at(0, 1, 0.2f), at(1, 1), at(1, 1, 0.1f)};
  EnrollmentReport r = assess_enrollment(mixed, p);
  BOOST_TEST(!r.consistent);
  // Rejecting one outlier cannot hide a second face shown twice.
  p.outlier_distance = 0.4f;
  BOOST_TEST(!assess_enrollment(mixed, p).consistent);
}

BOOST_AUTO_TEST_CASE(fused_distance_mean_versus_min) {
  std::vector<Embedding> enrolled = {at(0, 1), at(1, 1)};
  Embedding probe = at(0, 1);
  BOOST_TEST(fused_distance(enrolled, probe, TemplateFusion::min) == 0.0f);
  // Mean is (0.5, 0.5): distance sqrt(0.25 + 0.25).
  BOOST_TEST(fused_distance(enrolled, probe, TemplateFusion::mean) == std::sqrt(0.5f),
             boost::test_tools::tolerance(1e-6f));
  BOOST_CHECK_THROW(fused_distance({}, probe, TemplateFusion::mean), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(attempt_is_decided_on_the_mean_of_its_frames) {
  std::vector<Embedding> templates = {at(0, 1), at(5, 1)};
  // Frames scattered around the second template: each alone lies 0.4 away,
  // their mean lies on it.
  std::vector<Embedding> frames = {at(5, 1, 0.4f), at(5, 1, -0.4f)};
  BOOST_TEST(!attempt_matches(templates, {frames[0]}, 0.3));
  BOOST_TEST(attempt_matches(templates, frames, 0.3));
  BOOST_TEST(attempt_embedding(frames).v[100] == 0.0f);
  // The threshold is strict: exactly at it does not match.
  BOOST_TEST(!attempt_matches(templates, {at(0, 1, 0.25f)}, 0.25));
  BOOST_TEST(attempt_matches(templates, {at(0, 1, 0.25f)}, 0.2501));
  BOOST_TEST(!attempt_matches({}, frames, 1.0));
  BOOST_TEST(!attempt_matches(templates, {}, 1.0));
}
