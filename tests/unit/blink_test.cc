// The blink check's arithmetic (blink.h): the eye aspect ratio and the
// open -> closed -> open rule over an attempt's frames.
#include <boost/test/unit_test.hpp>

#include <limits>
#include <vector>

#include "blink.h"
#include "operating_point.h"

using namespace faceauth;

namespace {
// One eye 30 px wide whose lids are `gap` px apart, at x0.
void eye(EyeOutline& e, size_t at, float x0, float gap) {
  e.eyes[at + 0] = {x0, 50};
  e.eyes[at + 1] = {x0 + 10, 50 - gap / 2};
  e.eyes[at + 2] = {x0 + 20, 50 - gap / 2};
  e.eyes[at + 3] = {x0 + 30, 50};
  e.eyes[at + 4] = {x0 + 20, 50 + gap / 2};
  e.eyes[at + 5] = {x0 + 10, 50 + gap / 2};
}

// Eyes from x 10 to 40 and 60 to 90 on y 50 (outer corners 80 apart), mouth on y 50 + drop.
EyeOutline face(float gap, float drop = 80) {
  EyeOutline e{};
  eye(e, 0, 10, gap);
  eye(e, 6, 60, gap);
  e.mouth_left = {30, 50 + drop};
  e.mouth_right = {70, 50 + drop};
  return e;
}

constexpr double kShape = 1.0;  // a face whose proportions do not change

bool blinks_in(const std::vector<double>& openness) {
  BlinkTracker t(kBlinkClosedRatio, kBlinkReopenRatio, kBlinkShapeTolerance);
  for (double v : openness) t.add(v, kShape);
  return t.blinked();
}
}  // namespace

BOOST_AUTO_TEST_CASE(eye_aspect_ratio_is_lid_gap_over_width) {
  BOOST_TEST(eye_openness(face(10)) == 10.0 / 30.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(eye_openness(face(2)) == 2.0 / 30.0, boost::test_tools::tolerance(1e-9));
  EyeOutline flat{};  // every point at one place: no width
  BOOST_TEST(eye_openness(flat) == 0.0);
  BOOST_TEST(face_shape(flat) == 0.0);
}

BOOST_AUTO_TEST_CASE(face_shape_is_eyes_to_mouth_over_eye_span) {
  BOOST_TEST(face_shape(face(10, 80)) == 1.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(face_shape(face(2, 80)) == 1.0, boost::test_tools::tolerance(1e-9));    // closing the eyes: same
  BOOST_TEST(face_shape(face(10, 60)) == 0.75, boost::test_tools::tolerance(1e-9));  // squashed face
}

BOOST_AUTO_TEST_CASE(a_squashed_face_is_not_a_blink) {
  // A print bent about a horizontal axis: eyes and face flatten together.
  BlinkTracker t(kBlinkClosedRatio, kBlinkReopenRatio, kBlinkShapeTolerance);
  for (int i = 0; i < 5; ++i) t.add(0.30, 1.0);
  t.add(0.17, 0.80);  // openness 0.57 of the level, shape 20 % off
  t.add(0.30, 1.0);
  BOOST_TEST(!t.blinked());
  BOOST_TEST(t.skipped() == 1u);
  // The same dip with the face's proportions kept is a blink.
  BlinkTracker live(kBlinkClosedRatio, kBlinkReopenRatio, kBlinkShapeTolerance);
  for (double v : {0.30, 0.30, 0.30, 0.17, 0.30}) live.add(v, 1.0);
  BOOST_TEST(live.blinked());
}

BOOST_AUTO_TEST_CASE(open_closed_open_is_a_blink) {
  BOOST_TEST(blinks_in({0.30, 0.31, 0.29, 0.08, 0.30}));
  BOOST_TEST(blinks_in({0.30, 0.30, 0.12, 0.10, 0.29, 0.30}));  // closed over two frames
}

BOOST_AUTO_TEST_CASE(no_blink_without_all_three_phases) {
  BOOST_TEST(!blinks_in({}));
  BOOST_TEST(!blinks_in({0.30, 0.30, 0.31, 0.29, 0.30, 0.30}));  // a still photo
  BOOST_TEST(!blinks_in({0.30, 0.30, 0.30, 0.08}));              // closed at the end, never reopened
  BOOST_TEST(!blinks_in({0.08, 0.30, 0.30, 0.30}));              // closed before any open frame
  // A print bent or tilted a little: openness wavers, never halves.
  BOOST_TEST(!blinks_in({0.30, 0.27, 0.31, 0.25, 0.29, 0.26, 0.30}));
}

BOOST_AUTO_TEST_CASE(the_open_level_is_the_attempts_own) {
  // Narrow eyes (or a far face): the rule is relative to this person's open level.
  BOOST_TEST(blinks_in({0.20, 0.21, 0.20, 0.07, 0.20}));
  BOOST_TEST(!blinks_in({0.20, 0.21, 0.20, 0.17, 0.20}));
  BOOST_TEST(!blinks_in({0.32, 0.33, 0.32, 0.23, 0.32}));  // lids lowered to 0.72: not closed
}

BOOST_AUTO_TEST_CASE(bad_values_are_ignored) {
  BlinkTracker t(kBlinkClosedRatio, kBlinkReopenRatio, kBlinkShapeTolerance);
  t.add(-1, kShape);
  t.add(std::numeric_limits<double>::quiet_NaN(), kShape);
  t.add(0.3, 0);
  BOOST_TEST(t.frames() == 0u);
  BOOST_TEST(t.lowest_ratio() == 1.0);
}
