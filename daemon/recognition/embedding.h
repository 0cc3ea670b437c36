// A face embedding and the arithmetic on it. Two embedders exist
// (embedder.h): dlib's 128-d ResNet (Euclidean distance) and a 512-d
// MobileFaceNet (cosine distance). An embedding records which one made it, and
// embeddings of different embedders are never compared: distance() throws.
// Embeddings are biometric templates: wiped on destruction, never logged,
// never sent over D-Bus.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "embedder_kind.h"  // EmbedderKind, embedder_name, parse_embedder (config/)

namespace faceauth {

// Number of values: 128 for dlib-resnet, 512 for mobilefacenet.
int embedder_dims(EmbedderKind k);

inline constexpr int kMaxEmbeddingSize = 512;

struct Embedding {
  EmbedderKind kind = EmbedderKind::dlib_resnet;
  int dims = 128;
  std::array<float, kMaxEmbeddingSize> v{};
  Embedding() = default;
  explicit Embedding(EmbedderKind k) : kind(k), dims(embedder_dims(k)) {}
  Embedding(const Embedding&) = default;
  Embedding& operator=(const Embedding&) = default;
  ~Embedding();
  float* data() { return v.data(); }
  const float* data() const { return v.data(); }
  size_t size() const { return static_cast<size_t>(dims); }
};

// dlib-resnet: Euclidean distance; mobilefacenet: cosine distance
// (1 - cos). Under the threshold means "same person". Throws
// std::invalid_argument when a and b come from different embedders.
float distance(const Embedding& a, const Embedding& b);

// Element-wise mean (the enrolled set's centre). Throws std::invalid_argument
// on an empty set or a set mixing embedders.
Embedding mean_embedding(const std::vector<Embedding>& set);

}  // namespace faceauth
