// The 128-d face embedding (dlib_face_recognition_resnet_model_v1).
// Implemented in dlib_embedder.cc. Not thread-safe: one instance per thread.
#pragma once

#include <memory>
#include <string>

#include "embedding.h"
#include "image.h"

namespace faceauth {

class FaceEmbedder {
 public:
  // Loads the ResNet model from model_dir after checking its SHA-256.
  explicit FaceEmbedder(const std::string& model_dir);
  ~FaceEmbedder();
  FaceEmbedder(const FaceEmbedder&) = delete;
  FaceEmbedder& operator=(const FaceEmbedder&) = delete;

  // Embedding of an aligned 150x150 chip. With jitters > 0, the mean over the
  // chip and that many randomly jittered copies (dlib's jitter_image), seeded
  // by `seed` so results are repeatable.
  Embedding embed(const Image& chip, int jitters = 0, unsigned seed = 0);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faceauth
