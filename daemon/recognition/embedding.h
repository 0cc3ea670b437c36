// A face embedding (dlib's 128-d ResNet descriptor) and the arithmetic on it.
// Embeddings are biometric templates: wiped on destruction, never logged,
// never sent over D-Bus.
#pragma once

#include <array>
#include <vector>

namespace faceauth {

inline constexpr int kEmbeddingSize = 128;

struct Embedding {
  std::array<float, kEmbeddingSize> v{};
  Embedding() = default;
  Embedding(const Embedding&) = default;
  Embedding& operator=(const Embedding&) = default;
  ~Embedding();
};

// Euclidean distance; under the threshold means "same person".
float distance(const Embedding& a, const Embedding& b);

// Element-wise mean (the enrolled set's centre). Throws std::invalid_argument on an empty set.
Embedding mean_embedding(const std::vector<Embedding>& set);

}  // namespace faceauth
