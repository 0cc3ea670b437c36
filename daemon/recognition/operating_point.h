// The measured operating points: distance thresholds and fusion settings
// chosen by the login protocol (docs/recognition.md, "Accuracy under the login
// protocol"), not guessed. Reproduce with
//   faceauth-calibrate --protocol login --views 10 --variant mean:6:2x9 ../shared/faces/lfw-dev
// tests/unit/accuracy_test.cc re-runs the protocol and fails when the figures
// below move by more than its stated margins.
#pragma once

namespace faceauth {

// ---- Fusion used by the daemon (fusion.h, camera_worker.cc) ----------------
// Enrollment: each captured frame is embedded as the mean of the chip and this
// many jittered copies; the template is the mean of the frames (TemplateFusion::mean).
inline constexpr int kEnrollJitters = 5;
// Verification: frames are embedded without jitter; the mean of the last k
// usable frames (k = frames_needed) is compared with each stored template.
inline constexpr int kAttemptJitters = 0;
// Outlier rejection at enrollment measured no gain (docs): disabled.
inline constexpr float kEnrollOutlierDistance = 0;
inline constexpr unsigned kEnrollMaxOutliers = 1;
// An enrollment is refused as inconsistent when one frame lies at least this
// far from the mean of the others. On lfw-dev enrollments (5 photos, years
// apart) it refuses 7 of 158 genuine ones, 6154 of 6162 with one photo of
// someone else and 6029 of 6162 with two.
inline constexpr float kEnrollConsistencyLimit = 0.50f;

// ---- Operating points ----------------------------------------------------
// Login protocol on ../shared/faces/lfw-dev (79 people, 750 usable photos):
// each person enrolled from 5 photos (2 folds: first 5 and last 5), 710 genuine
// and 117 000 impostor attempts; variant "mean:6:2x9" = the daemon's fusion
// with k = 2, n = 10 (attempt frames simulated by jittering the photo).
// For each level: the largest threshold (0.005 grid) with FAR at most the bound.
inline constexpr long kProtocolImpostorAttempts = 117000;
inline constexpr long kProtocolGenuineAttempts = 710;

// security_level = strict (FAR <= 1e-5): 1 of 117 000 impostor attempts, 131 of 710 genuine rejected.
inline constexpr double kStrictThreshold = 0.365;
inline constexpr double kStrictFar = 8.5e-6;
inline constexpr double kStrictFrr = 0.1845;
inline constexpr long kStrictFalseAccepts = 1, kStrictFalseRejects = 131;

// security_level = balanced (FAR <= 1e-4, the default): 10 of 117 000, 22 of 710.
inline constexpr double kDefaultThreshold = 0.43;
inline constexpr double kDefaultFar = 8.5e-5;
inline constexpr double kDefaultFrr = 0.0310;
inline constexpr long kDefaultFalseAccepts = 10, kDefaultFalseRejects = 22;

// security_level = convenient (FAR <= 1e-3): 102 of 117 000, 8 of 710.
inline constexpr double kConvenientThreshold = 0.48;
inline constexpr double kConvenientFar = 8.7e-4;
inline constexpr double kConvenientFrr = 0.0113;
inline constexpr long kConvenientFalseAccepts = 102, kConvenientFalseRejects = 8;

inline double default_threshold() { return kDefaultThreshold; }

}  // namespace faceauth
