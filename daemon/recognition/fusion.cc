#include "fusion.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

#include "image.h"  // secure_wipe

namespace faceauth {

namespace {

// Distance of views[i] to the mean of the views selected by `use`, leaving
// views[i] itself out. `sum` is the element-wise sum of the selected views.
float leave_one_out(const std::vector<Embedding>& views, const std::array<double, kMaxEmbeddingSize>& sum,
                    size_t selected, size_t i) {
  Embedding others(views[i].kind);
  const double n = static_cast<double>(selected - 1);
  for (int d = 0; d < others.dims; ++d) others.v[d] = static_cast<float>((sum[d] - views[i].v[d]) / n);
  return distance(views[i], others);
}

std::array<double, kMaxEmbeddingSize> sum_of(const std::vector<Embedding>& views,
                                             const std::vector<bool>& use) {
  std::array<double, kMaxEmbeddingSize> sum{};
  for (size_t i = 0; i < views.size(); ++i) {
    if (views[i].kind != views.front().kind)
      throw std::invalid_argument("an enrollment mixes embeddings of different embedders");
    if (use[i])
      for (int d = 0; d < views[i].dims; ++d) sum[d] += views[i].v[d];
  }
  return sum;
}

}  // namespace

std::string EnrollmentReport::summary() const {
  // Categories only: a distance here would tell someone enrolling photos of a
  // victim plus one candidate fake how close the fake is.
  char buf[128];
  std::snprintf(buf, sizeof buf, "%s, %zu of %zu frames used", consistent ? "consistent" : "frames differ",
                kept_count, kept.size());
  return buf;
}

EnrollmentReport assess_enrollment(const std::vector<Embedding>& views, const EnrollPolicy& policy) {
  if (views.empty()) throw std::invalid_argument("an enrollment needs at least one view");
  EnrollmentReport r;
  const size_t n = views.size();
  r.kept.assign(n, true);
  r.loo_distance.assign(n, 0.0f);
  if (n >= 2) {
    auto sum = sum_of(views, r.kept);
    for (size_t i = 0; i < n; ++i) r.loo_distance[i] = leave_one_out(views, sum, n, i);
    secure_wipe(sum.data(), sizeof sum);
  }
  // Outlier rejection: worst first, keeping at least two views.
  if (policy.outlier_distance > 0 && n >= 3) {
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return r.loo_distance[a] > r.loo_distance[b]; });
    size_t dropped = 0;
    for (size_t i : order) {
      if (dropped >= policy.max_outliers || n - dropped <= 2) break;
      if (r.loo_distance[i] <= policy.outlier_distance) break;
      r.kept[i] = false;
      ++dropped;
    }
  }
  r.kept_count = static_cast<size_t>(std::count(r.kept.begin(), r.kept.end(), true));
  auto sum = sum_of(views, r.kept);
  r.mean = Embedding(views.front().kind);
  for (int d = 0; d < r.mean.dims; ++d) r.mean.v[d] = static_cast<float>(sum[d] / r.kept_count);
  std::vector<float> spreads;
  if (r.kept_count >= 2)
    for (size_t i = 0; i < n; ++i)
      if (r.kept[i]) spreads.push_back(leave_one_out(views, sum, r.kept_count, i));
  secure_wipe(sum.data(), sizeof sum);
  if (!spreads.empty()) {
    std::sort(spreads.begin(), spreads.end());
    r.spread = spreads.back();
    r.median_spread = spreads[(spreads.size() - 1) / 2];
    if (spreads.size() % 2 == 0)
      r.median_spread = (spreads[spreads.size() / 2 - 1] + spreads[spreads.size() / 2]) / 2;
  }
  r.consistent = policy.inconsistent_distance <= 0 || r.spread < policy.inconsistent_distance;
  return r;
}

float fused_distance(const std::vector<Embedding>& enrolled, const Embedding& probe, TemplateFusion how) {
  if (enrolled.empty()) throw std::invalid_argument("no enrolled embeddings to compare with");
  if (how == TemplateFusion::mean) return distance(mean_embedding(enrolled), probe);
  float best = distance(enrolled.front(), probe);
  for (size_t i = 1; i < enrolled.size(); ++i) best = std::min(best, distance(enrolled[i], probe));
  return best;
}

Embedding attempt_embedding(const std::vector<Embedding>& frames) { return mean_embedding(frames); }

bool attempt_matches(const std::vector<Embedding>& stored_templates, const std::vector<Embedding>& frames,
                     double threshold) {
  if (stored_templates.empty() || frames.empty()) return false;
  return fused_distance(stored_templates, attempt_embedding(frames), TemplateFusion::min) < threshold;
}

}  // namespace faceauth
