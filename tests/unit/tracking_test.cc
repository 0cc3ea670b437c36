// Face tracking within an attempt (face_engine.h, FaceTrack) and the search of
// frames wider than 640 px on a scaled copy (detector.h): on real webcam
// frames the tracked search finds the face the whole-frame search finds, with
// the same verdicts and nearly the same embeddings; a lost face and the
// periodic whole-frame search fall back to searching everything, so a second
// face is still refused.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <tuple>

#include "calibration.h"
#include "decode.h"
#include "face_engine.h"
#include "frame_source.h"  // list_image_files
#include "populations.h"   // natural_less
#include "test_support.h"

using namespace faceauth;

namespace {

std::string nuaa_real(const std::string& subject) {
  return test::shared_dir() + "/liveness/nuaa/real/" + subject;
}

boost::test_tools::assertion_result need_frames(boost::unit_test::test_unit_id) {
  if (std::filesystem::is_directory(nuaa_real("0009")) &&
      std::filesystem::exists(test::faces_dir() + "/scenes/bald_guys.jpg"))
    return true;
  boost::test_tools::assertion_result r(false);
  r.message() << "skipped: needs " << nuaa_real("0009") << " and " << test::faces_dir()
              << "/scenes (set FACEAUTH_SHARED_DIR)";
  return r;
}

FaceEngine& engine() {
  static FaceEngine e(test::model_dir(), kDefaultEmbedder);
  return e;
}

// The subject's frames in recording order.
std::vector<std::string> frames_of(const std::string& subject, size_t n) {
  auto files = list_image_files(nuaa_real(subject));
  std::sort(files.begin(), files.end(), natural_less);
  if (files.size() > n) files.resize(n);
  return files;
}

// Each pixel repeated: the same picture at twice the size.
Image doubled(const Image& in) {
  Image out(in.width() * 2, in.height() * 2);
  for (int y = 0; y < out.height(); ++y)
    for (int x = 0; x < out.width(); ++x) std::copy_n(in.row(y / 2) + 3 * (x / 2), 3, out.row(y) + 3 * x);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tracking, *boost::unit_test::precondition(need_frames))

BOOST_AUTO_TEST_CASE(consecutive_webcam_frames_are_tracked_with_the_whole_frame_outcome) {
  FaceTrack track;
  int tracked = 0, compared = 0;
  float worst = 0;
  const auto files = frames_of("0009", 12);
  BOOST_REQUIRE(files.size() >= 8);
  for (size_t i = 0; i < files.size(); ++i) {
    Image img = load_image_file(files[i]);
    const FrameAnalysis whole = engine().analyze(img);
    const FrameAnalysis t = engine().analyze(img, {}, 0, nullptr, &track);
    if (i == 0) BOOST_TEST(!t.tracked);  // an attempt's first frame is searched whole
    tracked += t.tracked;
    BOOST_TEST(verdict_name(t.verdict) == verdict_name(whole.verdict));
    if (t.verdict == FrameVerdict::ok && whole.verdict == FrameVerdict::ok) {
      ++compared;
      worst = std::max(worst, distance(t.embedding, whole.embedding));
      // The same face: centres a quarter of a face apart at most; sizes one
      // or two of HOG's pyramid steps (6/5) apart at most.
      BOOST_TEST(std::abs(t.face.left + t.face.width / 2 - whole.face.left - whole.face.width / 2) <
                 whole.face.width / 4);
      BOOST_TEST(std::abs(t.face.width - whole.face.width) < whole.face.width * 2 / 5);
    }
  }
  BOOST_TEST_MESSAGE(tracked << " of " << files.size()
                             << " frames tracked; largest embedding distance to the "
                             << "whole-frame search " << worst);
  BOOST_TEST(tracked >= static_cast<int>(files.size()) - 2);
  BOOST_TEST(compared >= 6);
  // Far below the balanced threshold (0.465): a box a few pixels off.
  BOOST_TEST(worst < 0.15f);
}

BOOST_AUTO_TEST_CASE(a_face_gone_from_the_window_is_searched_for_in_the_whole_frame) {
  Image img = load_image_file(frames_of("0009", 1).front());
  FaceTrack track;
  track.found = true;
  track.last = FaceBox{0, 0, 90, 90};  // a corner where no face is
  const FrameAnalysis a = engine().analyze(img, {}, 0, nullptr, &track);
  BOOST_TEST(!a.tracked);
  BOOST_TEST(verdict_name(a.verdict) == std::string("ok"));
  BOOST_TEST(track.found);
  BOOST_TEST(track.last.left == a.face.left);
  BOOST_TEST(track.since_full == 0);
}

BOOST_AUTO_TEST_CASE(a_second_face_is_refused_by_the_whole_frame_search_that_comes_every_tenth_frame) {
  Image img = load_image_file(test::faces_dir() + "/scenes/bald_guys.jpg");
  std::vector<FaceBox> all = engine().detector().detect(img);
  BOOST_REQUIRE(all.size() >= 2);
  const FaceBox one = *std::max_element(all.begin(), all.end(),
                                        [](const FaceBox& a, const FaceBox& b) { return a.width < b.width; });
  // Tracked: the window around one face sees only that face.
  FaceTrack track;
  track.found = true;
  track.last = one;
  FrameAnalysis a = engine().analyze(img, {}, 0, nullptr, &track);
  BOOST_TEST(a.tracked);
  BOOST_TEST(a.faces == 1);
  // The search after kTrackFullSearchEvery - 1 tracked frames is whole, and refuses.
  track.since_full = kTrackFullSearchEvery - 1;
  a = engine().analyze(img, {}, 0, nullptr, &track);
  BOOST_TEST(!a.tracked);
  BOOST_TEST(verdict_name(a.verdict) == std::string("multiple-faces"));
  BOOST_TEST(!track.found);  // ... and the next frame is searched whole too
}

BOOST_AUTO_TEST_CASE(a_dark_frame_leaves_the_track_as_it_was) {
  Image img = load_image_file(frames_of("0009", 1).front());
  FaceTrack track;
  engine().analyze(img, {}, 0, nullptr, &track);
  BOOST_REQUIRE(track.found);
  const FaceBox before = track.last;
  Image dark(img.width(), img.height());  // an IR emitter-off frame: black
  const FrameAnalysis a = engine().analyze(dark, {}, 0, nullptr, &track);
  BOOST_TEST(verdict_name(a.verdict) == std::string("too-dark"));
  BOOST_TEST(track.found);
  BOOST_TEST(track.last.left == before.left);
}

BOOST_AUTO_TEST_CASE(a_frame_wider_than_640_is_searched_on_a_scaled_copy_with_boxes_in_its_own_pixels) {
  Image img = load_image_file(frames_of("0009", 1).front());
  const std::vector<FaceBox> small = engine().detector().detect(img);
  BOOST_REQUIRE(small.size() == 1);
  Image big = doubled(img);
  const std::vector<FaceBox> found = engine().detector().detect(big);
  BOOST_REQUIRE(found.size() == 1);
  // The same face, at twice the coordinates (within one HOG cell of the copy).
  BOOST_TEST(std::abs(found[0].left - 2 * small[0].left) <= 16);
  BOOST_TEST(std::abs(found[0].top - 2 * small[0].top) <= 16);
  BOOST_TEST(std::abs(found[0].width - 2 * small[0].width) <= 16);
  BOOST_TEST(verdict_name(engine().analyze(big).verdict) == std::string("ok"));
}

BOOST_AUTO_TEST_CASE(the_two_thread_whole_frame_search_finds_what_one_thread_finds) {
  FaceDetector one(test::model_dir()), two(test::model_dir());
  one.set_search_threads(1);
  std::vector<std::string> files = frames_of("0009", 6);
  for (const auto& f : frames_of("0010", 6)) files.push_back(f);
  files.push_back(test::faces_dir() + "/scenes/bald_guys.jpg");  // several faces
  files.push_back(test::faces_dir() + "/scenes/dogs.jpg");       // none
  int faces = 0;
  for (const auto& f : files) {
    Image img = load_image_file(f);
    auto a = one.detect(img), b = two.detect(img);
    BOOST_TEST_REQUIRE(a.size() == b.size(), f);
    auto by_place = [](const FaceBox& x, const FaceBox& y) {
      return std::tie(x.left, x.top) < std::tie(y.left, y.top);
    };
    std::sort(a.begin(), a.end(), by_place);
    std::sort(b.begin(), b.end(), by_place);
    for (size_t i = 0; i < a.size(); ++i) {
      ++faces;
      // The same pixels and the same arithmetic: the same boxes, exactly.
      BOOST_TEST(a[i].left == b[i].left, f);
      BOOST_TEST(a[i].top == b[i].top, f);
      BOOST_TEST(a[i].width == b[i].width, f);
      BOOST_TEST(a[i].height == b[i].height, f);
    }
  }
  BOOST_TEST(faces >= 14);
}

BOOST_AUTO_TEST_SUITE_END()
