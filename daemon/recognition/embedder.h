// Face embedders behind one interface, chosen by configuration (`embedder`):
//   dlib-resnet    dlib_face_recognition_resnet_model_v1, 128-d, Euclidean
//                  (dlib_embedder.cc, the second of the two dlib files)
//   mobilefacenet  MobileFaceNet ONNX from faceplugin-face-recognition-js, 512-d,
//                  cosine (onnx_networks.cc, the only file with OpenCV headers)
// Not thread-safe: one instance per thread.
#pragma once

#include <memory>
#include <string>

#include "detector.h"
#include "embedding.h"
#include "image.h"

namespace faceauth {

// What an embedder may use of one face: the whole frame with its landmarks
// (MobileFaceNet aligns its own 112x112 crop) and dlib's 150x150 chip.
struct FaceInput {
  const Image& frame;
  const Landmarks& landmarks;
  const Image& chip150;
};

class FaceEmbedder {
 public:
  virtual ~FaceEmbedder() = default;
  virtual EmbedderKind kind() const = 0;
  // The embedding of one face. With jitters > 0, the mean over the face and
  // that many randomly jittered copies (small shifts, rotations, scalings and
  // mirroring), seeded by `seed` so results are repeatable.
  virtual Embedding embed(const FaceInput& face, int jitters = 0, unsigned seed = 0) = 0;
};

// Loads the embedder's model from model_dir after checking its SHA-256
// (ModelError when it is missing, damaged or cannot be loaded).
std::unique_ptr<FaceEmbedder> make_embedder(EmbedderKind kind, const std::string& model_dir);

// The model files an embedder needs (for `status` and the install list).
const char* embedder_model_file(EmbedderKind kind);

// Defined by dlib_embedder.cc and onnx_networks.cc respectively.
std::unique_ptr<FaceEmbedder> make_dlib_embedder(const std::string& model_dir);
std::unique_ptr<FaceEmbedder> make_mobilefacenet_embedder(const std::string& model_dir);

}  // namespace faceauth
