// Calibration: embed a folder-per-identity photo set, then measure genuine and
// impostor distance distributions and false-accept / false-reject rates.
#pragma once

#include <string>
#include <vector>

#include "dataset.h"
#include "embedding.h"
#include "face_engine.h"
#include "fusion.h"

namespace faceauth {

struct EmbeddedPhoto {
  std::string path;
  int identity = -1;  // index into EmbeddedSet::names
  FrameVerdict verdict = FrameVerdict::no_face;
  Embedding embedding;  // valid when verdict == ok
  // Filled by embed_views only: views[0] is the plain embedding, views[k]
  // (k = 1..K) the embedding of ONE copy of the chip jittered by dlib's
  // jitter_image seeded with k. A login attempt's frames are simulated by
  // these views; the mean of views[0..n] equals a jittered (n) embedding.
  std::vector<Embedding> views;
};

struct EmbeddedSet {
  std::vector<std::string> names;
  std::vector<EmbeddedPhoto> photos;
  double seconds = 0;  // wall time to embed (excluding cache hits)
  size_t cache_hits = 0;
  size_t usable() const;  // photos with verdict ok
};

struct EmbedOptions {
  std::string model_dir;
  EmbedderKind embedder = EmbedderKind::dlib_resnet;
  QualityOptions quality;
  int jitters = 0;
  int threads = 2;
  // Embeddings of these public research photos may be cached (keyed by the
  // photo's SHA-256, jitters and the model's hash) so later runs are fast.
  std::string cache_path;
};

EmbeddedSet embed_dataset(const std::vector<Identity>& people, const EmbedOptions& opt);

// Like embed_dataset (opt.jitters ignored: attempts are not jittered) for
// video frames: each identity's frames are analysed in recording order
// (`natural_less` of the paths), carrying a FaceTrack from frame to frame as
// the daemon does within an attempt (face_engine.h), so a frame's face is
// found by the window search around the one before where it can be. One
// thread per identity at a time, `opt.threads` identities at once. The cache
// (opt.cache_path) is the format of embed_dataset's; use a file of its own.
EmbeddedSet embed_tracked(const std::vector<Identity>& people, const EmbedOptions& opt);

// Like embed_dataset, with opt.jitters ignored: every usable photo gets its
// plain embedding and `jittered_views` individually jittered ones (see
// EmbeddedPhoto::views). Each jittered view costs two ResNet passes. The cache
// (opt.cache_path) holds one line per photo keyed by SHA-256, view count and
// the model hash; use a separate file per view count.
EmbeddedSet embed_views(const std::vector<Identity>& people, const EmbedOptions& opt, int jittered_views);

// <dir>/<dataset folder name>.views<K>.cache where <dir> is $FACEAUTH_CACHE,
// else $HOME/.cache/faceauth/calibration (created when missing).
std::string default_views_cache(const std::string& dataset_dir, int jittered_views);
// <dir> above ($FACEAUTH_CACHE, else $HOME/.cache/faceauth/calibration); empty when neither is set.
std::string default_views_cache_dir();

struct PairDistances {
  std::vector<float> genuine, impostor;  // sorted ascending
};

// One photo against one photo: every pair of usable photos.
PairDistances pair_distances(const EmbeddedSet& set);

struct RatePoint {
  double threshold = 0;
  double far = 0, frr = 0;  // rates: impostor distances < t, genuine distances >= t
  size_t false_accepts = 0, false_rejects = 0;
};

RatePoint rate_at(const PairDistances& d, double threshold);
std::vector<RatePoint> rate_table(const PairDistances& d, double from, double to, double step);

// The largest threshold on a 0.005 grid whose FAR does not exceed max_far.
double choose_threshold(const PairDistances& d, double max_far);

// ---- The login protocol ---------------------------------------------------
// Per person and fold: enroll from `enroll_photos` usable photos (fold 0: the
// first ones in name order, fold 1: the last ones); each other usable photo of
// that person is one genuine attempt; every usable photo of every other person
// is one impostor attempt. Needs a set from embed_views.
struct LoginVariant {
  std::string name;  // e.g. "mean e11 a3"
  TemplateFusion fusion = TemplateFusion::mean;
  int enroll_views = 1;   // views averaged per enrollment photo: 1 = plain, n = plain + (n-1) jittered
  int attempt_views = 1;  // views averaged per attempt (simulated frames of one attempt)
  // Decisions per attempt: the daemon slides a window of attempt_views frames
  // over up to frames_window frames and accepts when any window matches; the
  // attempt's distance is the smallest over windows starting at views 0..W-1.
  int attempt_windows = 1;
  EnrollPolicy policy;  // outlier rejection; the consistency refusal is measured separately
};

// "FUSION:E:A[xW][:OUTLIER]", e.g. "mean:11:3", "min:1:1", "mean:1:2x9", "mean:11:3:0.45".
// Throws std::invalid_argument with the reason.
LoginVariant parse_variant(const std::string& spec);

struct LoginOptions {
  int enroll_photos = 5;
  int folds = 2;  // 1 or 2
};

struct LoginScores {
  PairDistances d;  // genuine: attempts by the enrolled person; impostor: by everyone else
  size_t enrollments = 0;
  size_t outliers_dropped = 0;
  std::vector<float> spread;  // EnrollmentReport::spread per enrollment, sorted
};

LoginScores login_scores(const EmbeddedSet& set, const LoginVariant& v, const LoginOptions& o = {});

// Consistency refusal measured on the protocol's enrollments: the share of
// genuine enrollments refused, and of mixed ones (enroll_photos - m photos of
// one person plus m of another, every ordered pair of people) refused.
struct ConsistencyFigures {
  size_t genuine = 0, genuine_refused = 0;
  size_t mixed_1 = 0, mixed_1_refused = 0;  // one photo of someone else
  size_t mixed_2 = 0, mixed_2_refused = 0;  // two photos of someone else
};
ConsistencyFigures consistency_figures(const EmbeddedSet& set, const LoginVariant& v,
                                       const LoginOptions& o = {});

// The ROC of each variant as an SVG (FRR over FAR, FAR on a log axis), with
// the given thresholds of the first variant marked.
void write_roc_svg(const std::string& path, const std::string& title,
                   const std::vector<std::pair<std::string, const PairDistances*>>& curves,
                   const std::vector<std::pair<std::string, double>>& marks);

// The best FRR reachable at FAR <= max_far with an unrounded threshold (the
// smallest impostor distance that must be refused): for comparing variants
// without the 0.005 grid's steps.
RatePoint best_at_far(const PairDistances& d, double max_far);

// Summary figures of a sorted sample.
struct Distribution {
  size_t n = 0;
  double min = 0, p05 = 0, median = 0, p95 = 0, max = 0;
};
Distribution describe(const std::vector<float>& sorted);

}  // namespace faceauth
