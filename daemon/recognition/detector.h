// Face detection, landmarks and alignment (dlib HOG + 5-point shape predictor).
// Implemented in dlib_detector.cc, the only file besides dlib_embedder.cc that
// includes dlib headers. Not thread-safe: one instance per thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "image.h"

namespace faceauth {

struct FaceBox {
  int left = 0, top = 0, width = 0, height = 0;
};

class FaceDetector {
 public:
  // Loads the 5-point landmark model from model_dir after checking its SHA-256.
  explicit FaceDetector(const std::string& model_dir);
  ~FaceDetector();
  FaceDetector(const FaceDetector&) = delete;
  FaceDetector& operator=(const FaceDetector&) = delete;

  // Every face found, in image coordinates. When the first pass finds none and
  // upsample_if_none is set, a second pass runs on the image upsampled 2x
  // (finds faces down to ~40 px).
  std::vector<FaceBox> detect(const Image& img, bool upsample_if_none = true);

  // 5-point landmarks, then the aligned 150x150 chip the embedder expects.
  Image align(const Image& img, const FaceBox& face);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faceauth
