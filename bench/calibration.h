// Calibration: embed a folder-per-identity photo set, then measure genuine and
// impostor distance distributions and false-accept / false-reject rates.
#pragma once

#include <string>
#include <vector>

#include "dataset.h"
#include "embedding.h"
#include "face_engine.h"

namespace faceauth {

struct EmbeddedPhoto {
  std::string path;
  int identity = -1;  // index into EmbeddedSet::names
  FrameVerdict verdict = FrameVerdict::no_face;
  Embedding embedding;  // valid when verdict == ok
};

struct EmbeddedSet {
  std::vector<std::string> names;
  std::vector<EmbeddedPhoto> photos;
  double seconds = 0;       // wall time to embed (excluding cache hits)
  size_t cache_hits = 0;
  size_t usable() const;    // photos with verdict ok
};

struct EmbedOptions {
  std::string model_dir;
  QualityOptions quality;
  int jitters = 0;
  int threads = 2;
  // Embeddings of these public research photos may be cached (keyed by the
  // photo's SHA-256, jitters and the model's hash) so later runs are fast.
  std::string cache_path;
};

EmbeddedSet embed_dataset(const std::vector<Identity>& people, const EmbedOptions& opt);

struct PairDistances {
  std::vector<float> genuine, impostor;  // sorted ascending
};

// One photo against one photo: every pair of usable photos.
PairDistances pair_distances(const EmbeddedSet& set);

struct RatePoint {
  double threshold = 0;
  double far = 0, frr = 0;          // rates: impostor distances < t, genuine distances >= t
  size_t false_accepts = 0, false_rejects = 0;
};

RatePoint rate_at(const PairDistances& d, double threshold);
std::vector<RatePoint> rate_table(const PairDistances& d, double from, double to, double step);

// The largest threshold on a 0.005 grid whose FAR does not exceed max_far.
double choose_threshold(const PairDistances& d, double max_far);

// Summary figures of a sorted sample.
struct Distribution {
  size_t n = 0;
  double min = 0, p05 = 0, median = 0, p95 = 0, max = 0;
};
Distribution describe(const std::vector<float>& sorted);

}  // namespace faceauth
