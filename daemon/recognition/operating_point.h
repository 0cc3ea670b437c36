// The measured operating points: distance thresholds chosen from genuine and
// impostor distance distributions (docs/recognition.md), not guessed.
#pragma once

namespace faceauth {

// One photo against one photo on ../shared/faces/lfw-dev (79 people, ~300 000
// impostor pairs): the largest threshold whose false-accept rate is at most
// 1 in 10 000 impostor pairs. See docs/recognition.md for the table.
// Measured there: FAR 7.9e-5 (22 of 277 665), FRR 31.5 % (one photo vs one photo).
inline constexpr double kDefaultThreshold = 0.47;  // security_level = balanced (FAR <= 1e-4)
// FAR 7.2e-6 (2 of 277 665), FRR 60.8 %.
inline constexpr double kStrictThreshold = 0.415;  // security_level = strict (FAR <= 1e-5)
// FAR 9.0e-4 (250 of 277 665), FRR 7.9 %.
inline constexpr double kConvenientThreshold = 0.545;  // security_level = convenient (FAR <= 1e-3)

inline double default_threshold() { return kDefaultThreshold; }

}  // namespace faceauth
