// A regression check on the per-frame compute at camera size: the daemon's
// whole analysis of one 640x480 webcam frame (NUAA real frames: detection,
// landmarks, alignment, embedding, liveness; the default embedder), searched
// whole and tracked from the frame before as within an attempt, is timed
// against a reference computation measured in the same run, interleaved with
// it, and the ratio of their medians must stay under kMaxRatio. A ratio, not
// a time: a busy or slow machine slows both. The reference is a fixed naive
// single-precision matrix product (no library, so no code of ours or of a
// dependency can make it faster or slower). Prints the figures and a JSON line.
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "decode.h"
#include "face_engine.h"
#include "models.h"
#include "operating_point.h"
#include "test_support.h"

namespace fs = std::filesystem;
using namespace faceauth;
using Clock = std::chrono::steady_clock;

namespace {

// Measured on this project's 2-core build machine, the test pinned to one
// core: a 640x480 frame searched whole costs 2.3 to 3.9 times the reference,
// a tracked frame 1.2 to 1.5 times (quiet, right after a build, and with two
// busy loops beside it). Bounds at about 1.6 times the highest: a change that
// makes a frame twice as expensive fails, noise does not. A change that loses
// tracking fails the count of tracked frames (and costs a tracked frame what
// a whole one costs).
constexpr double kMaxRatio = 6.0;
constexpr double kMaxTrackedRatio = 2.5;

std::string nuaa_dir() { return test::shared_dir() + "/liveness/nuaa/real/0009"; }

boost::test_tools::assertion_result need_frames_and_models(boost::unit_test::test_unit_id) {
  if (fs::is_directory(nuaa_dir()) && fs::exists(test::model_dir() + "/" + kLandmarkModel)) return true;
  boost::test_tools::assertion_result r(false);
  r.message() << "skipped: needs the NUAA webcam frames (" << nuaa_dir() << ") and the models ("
              << test::model_dir() << ")";
  return r;
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// 256x256 naive matrix product: 16.7 M multiply-adds.
double reference_ms() {
  constexpr int n = 256;
  static std::vector<float> a(n * n), b(n * n), c(n * n);
  for (int i = 0; i < n * n; ++i) {
    a[i] = static_cast<float>(i % 17) * 0.25f;
    b[i] = static_cast<float>(i % 13) * 0.5f;
  }
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      float s = 0;
      for (int k = 0; k < n; ++k) s += a[i * n + k] * b[k * n + j];
      c[i * n + j] = s;
    }
  const double t = ms_since(t0);
  volatile float sink = c[n * n / 2];  // keep the product
  (void)sink;
  return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_640x480_frame_costs_no_more_than_the_stated_ratio_of_the_reference,
                     *boost::unit_test::precondition(need_frames_and_models)) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(nuaa_dir()))
    if (e.path().extension() == ".jpg") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  files.resize(std::min<size_t>(files.size(), 6));
  std::vector<Image> frames;
  for (const auto& f : files) frames.push_back(load_image_file(f));
  BOOST_REQUIRE(!frames.empty());
  BOOST_TEST(frames[0].width() == 640);
  BOOST_TEST(frames[0].height() == 480);

  // One core for both computations, chosen before any model is loaded so
  // OpenCV's thread pool has one thread: a multi-threaded analysis beside a
  // busy machine waits for its slowest thread, the single-threaded reference
  // does not, and the ratio would measure the machine's load.
  cpu_set_t set;
  CPU_ZERO(&set);
  BOOST_REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  int cpu = 0;
  while (!CPU_ISSET(cpu, &set)) ++cpu;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  BOOST_REQUIRE(sched_setaffinity(0, sizeof set, &set) == 0);

  FaceEngine engine(test::model_dir(), kDefaultEmbedder, /*liveness=*/true);
  QualityOptions quality;
  engine.analyze(frames[0], quality, kAttemptJitters);  // warm-up: first-use allocations
  reference_ms();

  // The daemon's attempt: consecutive frames with the face tracked between
  // them (face_engine.h); the first of each round is a whole-frame search.
  std::vector<double> frame_ms, tracked_ms, ref_ms;
  int usable = 0, tracked = 0;
  for (int round = 0; round < 3; ++round) {
    FaceTrack track;
    for (const Image& f : frames) {
      ref_ms.push_back(reference_ms());
      auto t0 = Clock::now();
      const FrameAnalysis a = engine.analyze(f, quality, kAttemptJitters);
      frame_ms.push_back(ms_since(t0));
      usable += a.verdict == FrameVerdict::ok;
      t0 = Clock::now();
      const FrameAnalysis t = engine.analyze(f, quality, kAttemptJitters, nullptr, &track);
      tracked_ms.push_back(ms_since(t0));
      tracked += t.tracked;
    }
  }
  const double frame = median(frame_ms), in_track = median(tracked_ms), ref = median(ref_ms);
  const double ratio = frame / ref, tracked_ratio = in_track / ref;
  std::printf(
      "640x480 frame: whole-frame search median %.1f ms over %zu analyses (%d with a usable face), tracked "
      "median %.1f ms (%d of %zu tracked); reference median %.2f ms; ratios %.1f (bound %.1f) and %.1f "
      "(bound %.1f)\n",
      frame, frame_ms.size(), usable, in_track, tracked, tracked_ms.size(), ref, ratio, kMaxRatio,
      tracked_ratio, kMaxTrackedRatio);
  std::printf(
      "JSON: {\"frame_ms\": %.2f, \"tracked_frame_ms\": %.2f, \"reference_ms\": %.3f, \"ratio\": %.2f, "
      "\"bound\": %.1f, \"tracked_ratio\": %.2f, \"tracked_bound\": %.1f}\n",
      frame, in_track, ref, ratio, kMaxRatio, tracked_ratio, kMaxTrackedRatio);
  BOOST_TEST(usable > 0);  // the frames were analysed to the end, not refused early
  BOOST_TEST(tracked >= 3 * (static_cast<int>(frames.size()) - 2));  // tracking works on these frames
  BOOST_TEST(ratio <= kMaxRatio);
  BOOST_TEST(tracked_ratio <= kMaxTrackedRatio);
}
