// The login protocol over several populations (docs/recognition.md,
// "Accuracy per population"): each set enrolled and attacked on its own and by
// every other set, thresholds that hold for every set, and counts with 95 %
// upper bounds for every rate.
#pragma once

#include <string>
#include <vector>

#include "calibration.h"

namespace faceauth {

struct PopulationSet {
  std::string name;  // "lfw-dev", "casia5", "nuaa"
  std::string dir;   // one sub-folder per person
  // Video frames in name order (NUAA): an attempt is k consecutive frames,
  // averaged as the daemon does. Otherwise each photo is one attempt (one
  // frame: more conservative than the daemon's mean of k frames).
  bool consecutive_frames = false;
};

struct PopulationOptions {
  EmbedOptions embed;      // model dir, embedder, threads, quality gates
  int enroll_frames = 5;   // frames averaged into one template
  int attempt_frames = 2;  // k, for sets with consecutive frames
  int enroll_jitters = 0;  // per enrollment frame, as the daemon embeds them
  std::string cache_dir;   // embedding caches, one file per set, embedder and jitter count
  // Sets of consecutive frames: attempts are embedded with the daemon's face
  // tracking (embed_tracked), enrollment frames without, as the daemon does.
  bool track_video = false;
};

struct SetScores {
  std::string name;
  size_t people = 0, photos = 0, usable = 0, enrollments = 0;
  std::vector<float> genuine;        // attempts by the enrolled person (sorted)
  std::vector<float> impostor_same;  // attempts by other people of the same set (sorted)
  std::vector<float> impostor_all;   // same set + every other set + impostor-only photos (sorted)
  double embed_seconds = 0;
  size_t cache_hits = 0;
};

struct PopulationScores {
  std::vector<SetScores> sets;
  size_t impostor_only_usable = 0;  // usable photos of the impostor-only set
};

// Embeds every set (and the impostor-only photos in `impostor_dir`, may be
// empty) and scores the protocol:
//  - enrollment: the mean of E = min(enroll_frames, n - 1) usable frames of a
//    person with n; two folds (first E, last E) when n >= 2E, otherwise one
//    fold per cyclic window of E frames;
//  - genuine attempts: the person's frames outside the fold's enrollment;
//  - impostor attempts: every attempt of every other person of every set and
//    every impostor-only photo, against every enrollment.
PopulationScores score_populations(const std::vector<PopulationSet>& sets, const std::string& impostor_dir,
                                   const PopulationOptions& opt);

// File-name order with digit runs compared as numbers ("_16" before "_154"):
// the recording order of video frames named by frame number.
bool natural_less(const std::string& a, const std::string& b);

// One-sided 95 % upper confidence bound of a binomial rate with k events in n
// trials (Clopper-Pearson; with k = 0 this is 1 - 0.05^(1/n), the "rule of
// three", about 3/n). 1 when n = 0.
double upper95(size_t k, size_t n);

// Equal error rate over a genuine and an impostor sample (sorted): the rate
// where FAR and FRR cross, with the threshold.
struct Eer {
  double rate = 0, threshold = 0;
};
Eer equal_error_rate(const std::vector<float>& genuine, const std::vector<float>& impostor);

// Counts at one threshold: false accepts (distance < t) and false rejects (>= t).
struct Counted {
  size_t errors = 0, trials = 0;
  double rate() const { return trials ? static_cast<double>(errors) / trials : 0; }
  double upper() const { return upper95(errors, trials); }
};
// "k/n = r % (95% <= u %)", and the JSON member
// "name":{"errors":k,"trials":n,"rate":r,"upper95":u} (rates as fractions): how the
// presentation-attack tools (faceauth-liveness, faceauth-blink) print a count.
std::string percent_text(const Counted& c);
// scientific: rates as %.4e (the calibration's tiny false-accept rates), else %.5f.
std::string counted_json(const char* name, const Counted& c, bool scientific = false);
Counted false_accepts(const std::vector<float>& impostor, double threshold);
Counted false_rejects(const std::vector<float>& genuine, double threshold);

// The largest threshold on a 0.005 grid whose observed FAR is at most max_far
// on every set, both against its own people and against all impostors: the
// strictest set decides.
double strictest_threshold(const PopulationScores& s, double max_far);

}  // namespace faceauth
