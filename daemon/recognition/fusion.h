// Fusion: how the embeddings of several views (the frames of an enrollment,
// the frames of one login attempt) become one template and one decision.
// Pure arithmetic, no dlib. The daemon's camera worker and the calibration
// tool's login protocol (bench/calibration.cc) both call these functions, so
// the figures in docs/recognition.md are those of the code that decides.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "embedding.h"

namespace faceauth {

// How one attempt is compared with several enrolled embeddings.
enum class TemplateFusion {
  mean,  // distance to the mean of the embeddings (the daemon's choice, see docs)
  min,   // smallest distance to any one of them
};

struct EnrollPolicy {
  // A view whose distance to the mean of the OTHER views exceeds this is an
  // outlier and is left out of the template; at most max_outliers are left
  // out, worst first. 0 disables outlier rejection.
  float outlier_distance = 0;
  size_t max_outliers = 1;
  // The enrollment is refused when a kept view lies at least this far from
  // the mean of the other kept views: each view must match the template made
  // of the others (two different people do not). 0 disables the check.
  float inconsistent_distance = 0;
};

struct EnrollmentReport {
  bool consistent = true;
  Embedding mean;                   // the template: mean of the kept views
  std::vector<float> loo_distance;  // per view: distance to the mean of the other views (all views)
  std::vector<bool> kept;           // per view: part of the template
  size_t kept_count = 0;
  float spread = 0;         // largest distance of a kept view to the mean of the other kept views
  float median_spread = 0;  // median of those distances
  // "consistent, 5 of 5 frames used" or "frames differ, ...": categories, never
  // a distance (they reach the person enrolling, who may not be the person).
  std::string summary() const;
};

// Builds the template from an enrollment's views. Throws std::invalid_argument
// on an empty set. With one view, spread is 0 and the view is the template.
EnrollmentReport assess_enrollment(const std::vector<Embedding>& views, const EnrollPolicy& policy);

// Distance of one (fused) attempt embedding to a set of enrolled embeddings.
// Throws std::invalid_argument when `enrolled` is empty.
float fused_distance(const std::vector<Embedding>& enrolled, const Embedding& probe, TemplateFusion how);

// The attempt's embedding: the mean of its frames' embeddings.
Embedding attempt_embedding(const std::vector<Embedding>& frames);

// The daemon's decision for one attempt: the mean of the attempt's frames lies
// closer than `threshold` to at least one stored template (each stored
// template is already the mean of one enrollment's frames). False when either
// set is empty.
bool attempt_matches(const std::vector<Embedding>& stored_templates, const std::vector<Embedding>& frames,
                     double threshold);

}  // namespace faceauth
