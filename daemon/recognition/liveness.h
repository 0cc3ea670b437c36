// Presentation-attack detection from one RGB frame: the passive network that
// the npm package faceplugin-face-recognition-js@0.0.1 ships as
// model/fr_liveness.onnx, run by OpenCV dnn (onnx_networks.cc).
//
// Input: the face box scaled x2.7 about its centre (kept inside the frame),
// resized to 128x128, raw 0-255 values in BGR order; output: softmax over 3
// classes, class 0 = live. Not thread-safe: one instance per thread.
#pragma once

#include <memory>
#include <string>

#include "detector.h"
#include "image.h"

namespace faceauth {

class LivenessNet {
 public:
  virtual ~LivenessNet() = default;
  // Probability (0..1) that the face in `box` is a live face, not a print or
  // a screen. A biometric-adjacent score: never leaves the daemon except on
  // the administrator's test path.
  virtual float live_score(const Image& frame, const FaceBox& box) = 0;
};

// Loads the model from model_dir after checking its SHA-256 (ModelError).
std::unique_ptr<LivenessNet> make_liveness_net(const std::string& model_dir);

}  // namespace faceauth
