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

// dlib's 68-point landmark model, used only for the blink check (blink.h). It
// comes from Debian's libdlib-data (not from npm): eye_model_path() finds it.
inline constexpr const char* kEyeModel = "shape_predictor_68_face_landmarks.dat";
inline constexpr const char* kDebianDlibModelDir = "/usr/share/dlib";

// SHA-256 of a file as lower-case hex. Throws ModelError if it cannot be read.
std::string sha256_file(const std::string& path);

// Checks that dir/name exists and has the expected hash; returns the full path.
// The error names the file, both hashes and how to fetch a good copy.
std::string verified_model_path(const std::string& dir, const std::string& name);

// The verified path of kEyeModel: in dir when it is there, else in
// debian_dir, where Debian's libdlib-data installs it. The error says which
// package to install.
std::string eye_model_path(const std::string& dir, const std::string& debian_dir = kDebianDlibModelDir);

// default_model_dir(): embedder_kind.h (the configuration's default).

}  // namespace faceauth
