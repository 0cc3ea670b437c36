#include "embedding.h"

#include <cmath>
#include <stdexcept>

#include "image.h"

namespace faceauth {

int embedder_dims(EmbedderKind k) { return k == EmbedderKind::mobilefacenet ? 512 : 128; }

Embedding::~Embedding() { secure_wipe(v.data(), sizeof v); }

float distance(const Embedding& a, const Embedding& b) {
  if (a.kind != b.kind || a.dims != b.dims)
    throw std::invalid_argument(std::string("cannot compare a ") + embedder_name(a.kind) +
                                " embedding with a " + embedder_name(b.kind) + " one");
  if (a.kind == EmbedderKind::mobilefacenet) {
    double dot = 0, na = 0, nb = 0;
    for (int i = 0; i < a.dims; ++i) {
      dot += static_cast<double>(a.v[i]) * b.v[i];
      na += static_cast<double>(a.v[i]) * a.v[i];
      nb += static_cast<double>(b.v[i]) * b.v[i];
    }
    if (na <= 0 || nb <= 0) return 2.0f;  // an all-zero vector matches nothing
    return static_cast<float>(1.0 - dot / std::sqrt(na * nb));
  }
  double sum = 0;
  for (int i = 0; i < a.dims; ++i) {
    double d = static_cast<double>(a.v[i]) - b.v[i];
    sum += d * d;
  }
  return static_cast<float>(std::sqrt(sum));
}

Embedding mean_embedding(const std::vector<Embedding>& set) {
  if (set.empty()) throw std::invalid_argument("mean of an empty set of embeddings");
  std::array<double, kMaxEmbeddingSize> acc{};
  const Embedding& first = set.front();
  for (const auto& e : set) {
    if (e.kind != first.kind || e.dims != first.dims)
      throw std::invalid_argument("mean of embeddings from different embedders");
    for (int i = 0; i < e.dims; ++i) acc[i] += e.v[i];
  }
  Embedding m(first.kind);
  m.dims = first.dims;
  for (int i = 0; i < m.dims; ++i) m.v[i] = static_cast<float>(acc[i] / set.size());
  secure_wipe(acc.data(), sizeof acc);
  return m;
}

}  // namespace faceauth
