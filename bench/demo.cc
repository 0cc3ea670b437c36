// faceauth-demo: the recognition core on photos, as a login would use it.
// Enrolls one person from a few photos (mean embedding), then verifies each
// of that person's other photos and another person's photos against it, and
// prints every decision with its time. Images stay in memory only.
//
//   faceauth-demo [--models DIR] ENROLL_DIR GENUINE_DIR IMPOSTOR_DIR [--enroll N]
//
// ENROLL_DIR and GENUINE_DIR may be the same folder: the first N photos
// enroll, the rest verify.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "decode.h"
#include "embedding.h"
#include "face_engine.h"
#include "frame_source.h"
#include "models.h"
#include "operating_point.h"

using namespace faceauth;
using Clock = std::chrono::steady_clock;

namespace {
double ms(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  std::string model_dir = default_model_dir();
  size_t enroll_n = 3;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--models" && i + 1 < argc)
      model_dir = argv[++i];
    else if (a == "--enroll" && i + 1 < argc)
      enroll_n = static_cast<size_t>(std::max(1, std::atoi(argv[++i])));
    else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "faceauth-demo: unknown option %s\n", a.c_str());
      return 2;
    } else
      dirs.push_back(a);
  }
  if (dirs.size() != 3) {
    std::fprintf(stderr,
                 "usage: faceauth-demo [--models DIR] [--enroll N] ENROLL_DIR GENUINE_DIR IMPOSTOR_DIR\n");
    return 2;
  }
  try {
    auto t0 = Clock::now();
    FaceEngine engine(model_dir, kDefaultEmbedder);
    std::printf("models verified and loaded in %.0f ms\n", ms(t0));
    const double threshold = default_threshold();
    // Enrollment photos jittered as the daemon does for this embedder.
    const int enroll_jitters = calibration_of(kDefaultEmbedder).enroll_jitters;

    auto enroll_files = list_image_files(dirs[0]);
    std::vector<Embedding> enrolled;
    std::vector<std::string> used;
    for (const auto& f : enroll_files) {
      if (enrolled.size() >= enroll_n) break;
      t0 = Clock::now();
      FrameAnalysis a = engine.analyze(load_image_file(f), {}, enroll_jitters);
      std::printf("enroll  %-60s %-15s %6.0f ms\n", f.c_str(),
                  a.verdict == FrameVerdict::ok ? "captured" : a.reason().c_str(), ms(t0));
      if (a.verdict == FrameVerdict::ok) {
        enrolled.push_back(a.embedding);
        used.push_back(f);
      }
    }
    if (enrolled.empty()) {
      std::fprintf(stderr, "faceauth-demo: no usable face in %s; nothing enrolled\n", dirs[0].c_str());
      return 1;
    }
    Embedding centre = mean_embedding(enrolled);
    std::printf("enrolled %zu photo(s); threshold %.2f\n", enrolled.size(), threshold);

    int results[2][2] = {{0, 0}, {0, 0}};  // [genuine?][accepted?]
    for (int which = 1; which <= 2; ++which) {
      bool genuine = which == 1;
      for (const auto& f : list_image_files(dirs[which])) {
        bool was_enrolled = false;
        for (const auto& u : used) was_enrolled = was_enrolled || u == f;
        if (was_enrolled) continue;
        t0 = Clock::now();
        FrameAnalysis a = engine.analyze(load_image_file(f));
        double t = ms(t0);
        if (a.verdict != FrameVerdict::ok) {
          std::printf("verify  %-60s %-15s %6.0f ms (%s)\n", f.c_str(), verdict_name(a.verdict), t,
                      a.reason().c_str());
          continue;
        }
        bool match = distance(centre, a.embedding) < threshold;
        results[genuine][match]++;
        std::printf("verify  %-60s %-15s %6.0f ms  [%s]\n", f.c_str(), match ? "match" : "no-match", t,
                    genuine ? "same person" : "another person");
      }
    }
    std::printf("same person: %d of %d accepted; another person: %d of %d accepted\n", results[1][1],
                results[1][0] + results[1][1], results[0][1], results[0][0] + results[0][1]);
    std::printf(
        "JSON: {\"tool\":\"faceauth-demo\",\"threshold\":%.3f,\"enrolled\":%zu,\"genuine_accepted\":%d,"
        "\"genuine_total\":%d,\"impostor_accepted\":%d,\"impostor_total\":%d}\n",
        threshold, enrolled.size(), results[1][1], results[1][0] + results[1][1], results[0][1],
        results[0][0] + results[0][1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "faceauth-demo: %s\n", e.what());
    return 1;
  }
  return 0;
}
