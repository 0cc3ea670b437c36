#include "embedding.h"

#include <cmath>
#include <stdexcept>

#include "image.h"

namespace faceauth {

Embedding::~Embedding() { secure_wipe(v.data(), sizeof v); }

float distance(const Embedding& a, const Embedding& b) {
  double sum = 0;
  for (int i = 0; i < kEmbeddingSize; ++i) {
    double d = static_cast<double>(a.v[i]) - b.v[i];
    sum += d * d;
  }
  return static_cast<float>(std::sqrt(sum));
}

Embedding mean_embedding(const std::vector<Embedding>& set) {
  if (set.empty()) throw std::invalid_argument("mean of an empty set of embeddings");
  std::array<double, kEmbeddingSize> acc{};
  for (const auto& e : set)
    for (int i = 0; i < kEmbeddingSize; ++i) acc[i] += e.v[i];
  Embedding m;
  for (int i = 0; i < kEmbeddingSize; ++i) m.v[i] = static_cast<float>(acc[i] / set.size());
  secure_wipe(acc.data(), sizeof acc);
  return m;
}

}  // namespace faceauth
