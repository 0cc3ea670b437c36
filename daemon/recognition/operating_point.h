// The measured operating points: distance thresholds chosen from genuine and
// impostor distance distributions (docs/recognition.md), not guessed.
#pragma once

namespace faceauth {

// One photo against one photo on ../shared/faces/lfw-dev (79 people, ~300 000
// impostor pairs): the largest threshold whose false-accept rate is at most
// 1 in 10 000 impostor pairs. See docs/recognition.md for the table.
inline constexpr double kDefaultThreshold = 0.47;

inline double default_threshold() { return kDefaultThreshold; }

}  // namespace faceauth
