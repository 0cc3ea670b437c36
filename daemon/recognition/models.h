// The model files (dlib's and the ONNX networks) and their verification by SHA-256 before use.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace faceauth {

class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ModelFile {
  std::string name;    // e.g. "shape_predictor_5_face_landmarks.dat"
  std::string sha256;  // lower-case hex
};

// Every known model file with its expected hash (from scripts/models.sha256).
const std::vector<ModelFile>& known_models();
const ModelFile& model(const std::string& name);

inline constexpr const char* kRecognitionModel = "dlib_face_recognition_resnet_model_v1.dat";
inline constexpr const char* kLandmarkModel = "shape_predictor_5_face_landmarks.dat";
// MobileFaceNet, model/fr_feature.onnx of faceplugin-face-recognition-js@0.0.1.
inline constexpr const char* kMobileFaceNetModel = "faceplugin_fr_feature.onnx";
// Passive liveness network, model/fr_liveness.onnx of the same package.
inline constexpr const char* kLivenessModel = "faceplugin_fr_liveness.onnx";

// SHA-256 of a file as lower-case hex. Throws ModelError if it cannot be read.
std::string sha256_file(const std::string& path);

// Checks that dir/name exists and has the expected hash; returns the full path.
// The error names the file, both hashes and how to fetch a good copy.
std::string verified_model_path(const std::string& dir, const std::string& name);

// default_model_dir(): embedder_kind.h (the configuration's default).

}  // namespace faceauth
