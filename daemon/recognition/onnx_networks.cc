// The one translation unit with OpenCV headers: the two ONNX networks of the
// npm package faceplugin-face-recognition-js@0.0.1, run by OpenCV's dnn module:
// MobileFaceNet (model/fr_feature.onnx, the embedder) and the passive liveness
// network (model/fr_liveness.onnx, liveness.h).
//
// MobileFaceNet:
// Input [1,3,112,112], RGB, (x - 127) / 128, the face aligned to the usual
// 112x112 five-point layout (ArcFace's) by a least-squares similarity
// transform from dlib's landmarks: both eye centres and the base of the nose.
// Output: 512 floats, L2-normalised here; compared by cosine distance.
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <random>

#include "embedder.h"
#include "liveness.h"
#include "models.h"

namespace faceauth {
namespace {

// Reference positions in the 112x112 crop: the eye on the image's left, the
// eye on the image's right (ArcFace's template), and the base of the nose
// (dlib's point 4 sits below ArcFace's nose tip at y = 71.7).
constexpr float kRefLeftEye[2] = {38.2946f, 51.6963f};
constexpr float kRefRightEye[2] = {73.5318f, 51.5014f};
constexpr float kRefNoseBase[2] = {56.0252f, 81.0f};
constexpr int kSize = 112;

void wipe_mat(cv::Mat& m) {
  if (!m.empty() && m.isContinuous()) secure_wipe(m.data, m.total() * m.elemSize());
  m.release();
}

// Least-squares similarity (rotation, uniform scale, shift) taking src to dst.
cv::Mat similarity(const Point2f* src, const Point2f* dst, int n) {
  double msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (int i = 0; i < n; ++i) {
    msx += src[i].x;
    msy += src[i].y;
    mdx += dst[i].x;
    mdy += dst[i].y;
  }
  msx /= n;
  msy /= n;
  mdx /= n;
  mdy /= n;
  double a = 0, b = 0, norm = 0;
  for (int i = 0; i < n; ++i) {
    double sx = src[i].x - msx, sy = src[i].y - msy, dx = dst[i].x - mdx, dy = dst[i].y - mdy;
    a += sx * dx + sy * dy;
    b += sx * dy - sy * dx;
    norm += sx * sx + sy * sy;
  }
  if (norm <= 0) norm = 1;
  const double c = a / norm, s = b / norm;
  cv::Mat m(2, 3, CV_64F);
  m.at<double>(0, 0) = c;
  m.at<double>(0, 1) = -s;
  m.at<double>(0, 2) = mdx - (c * msx - s * msy);
  m.at<double>(1, 0) = s;
  m.at<double>(1, 1) = c;
  m.at<double>(1, 2) = mdy - (s * msx + c * msy);
  return m;
}

// An ONNX model file of model_dir, checked by SHA-256, on OpenCV's own CPU
// backend. `what` names it in errors ("recognition model").
cv::dnn::Net load_onnx(const std::string& model_dir, const char* file, const char* what) {
  std::string path = verified_model_path(model_dir, file);
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(path);
    net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  } catch (const cv::Exception& e) {
    throw ModelError(std::string("cannot load ") + what + " " + path + ": " + e.what());
  }
  if (net.empty()) throw ModelError(std::string("cannot load ") + what + " " + path + ": empty network");
  return net;
}

class MobileFaceNet final : public FaceEmbedder {
 public:
  explicit MobileFaceNet(const std::string& model_dir)
      : net_(load_onnx(model_dir, kMobileFaceNetModel, "recognition model")) {}

  EmbedderKind kind() const override { return EmbedderKind::mobilefacenet; }

  Embedding embed(const FaceInput& face, int jitters, unsigned seed) override {
    if (face.frame.empty()) throw std::invalid_argument("the MobileFaceNet embedder needs the frame");
    // A view of the frame, no copy (OpenCV does not write to it).
    cv::Mat frame(face.frame.height(), face.frame.width(), CV_8UC3, const_cast<uint8_t*>(face.frame.data()));
    const Landmarks& lm = face.landmarks;
    Point2f a{(lm.p[0].x + lm.p[1].x) / 2, (lm.p[0].y + lm.p[1].y) / 2};
    Point2f b{(lm.p[2].x + lm.p[3].x) / 2, (lm.p[2].y + lm.p[3].y) / 2};
    Point2f src[3] = {a.x < b.x ? a : b, a.x < b.x ? b : a, lm.p[4]};
    Point2f ref[3] = {{kRefLeftEye[0], kRefLeftEye[1]},
                      {kRefRightEye[0], kRefRightEye[1]},
                      {kRefNoseBase[0], kRefNoseBase[1]}};

    Embedding out(EmbedderKind::mobilefacenet);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> shift(-2.0f, 2.0f), angle(-5.0f, 5.0f), scale(0.95f, 1.05f);
    for (int view = 0; view <= std::max(0, jitters); ++view) {
      Point2f dst[3];
      bool mirror = false;
      if (view == 0) {
        for (int i = 0; i < 3; ++i) dst[i] = ref[i];
      } else {
        // A jittered copy: the reference layout rotated, scaled and shifted
        // about the crop's centre, mirrored every other time.
        const float th = angle(rng) * 3.14159265f / 180.0f, sc = scale(rng), tx = shift(rng), ty = shift(rng);
        mirror = (view % 2) == 0;
        for (int i = 0; i < 3; ++i) {
          float x = ref[i].x - kSize / 2.0f, y = ref[i].y - kSize / 2.0f;
          dst[i] = Point2f{sc * (std::cos(th) * x - std::sin(th) * y) + kSize / 2.0f + tx,
                           sc * (std::sin(th) * x + std::cos(th) * y) + kSize / 2.0f + ty};
        }
      }
      cv::Mat m = similarity(src, dst, 3);
      cv::Mat crop;
      cv::warpAffine(frame, crop, m, cv::Size(kSize, kSize), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                     cv::Scalar(0, 0, 0));
      if (mirror) cv::flip(crop, crop, 1);
      // The crop is RGB already: no channel swap.
      cv::Mat blob = cv::dnn::blobFromImage(crop, 1.0 / 128.0, cv::Size(kSize, kSize),
                                            cv::Scalar(127, 127, 127), false, false, CV_32F);
      wipe_mat(crop);
      net_.setInput(blob);
      cv::Mat o = net_.forward();
      wipe_mat(blob);
      if (o.total() != static_cast<size_t>(out.dims) || o.type() != CV_32F) {
        wipe_mat(o);
        throw ModelError("the MobileFaceNet model gave an output of an unexpected shape");
      }
      const float* f = o.ptr<float>();
      double norm = 0;
      for (int i = 0; i < out.dims; ++i) norm += static_cast<double>(f[i]) * f[i];
      norm = std::sqrt(norm);
      if (norm <= 0) norm = 1;
      for (int i = 0; i < out.dims; ++i) out.v[i] += static_cast<float>(f[i] / norm);
      wipe_mat(o);
    }
    const float n = static_cast<float>(std::max(0, jitters) + 1);
    for (int i = 0; i < out.dims; ++i) out.v[i] /= n;
    return out;
  }

 private:
  cv::dnn::Net net_;
};

// The liveness network (liveness.h).
class OnnxLiveness final : public LivenessNet {
 public:
  explicit OnnxLiveness(const std::string& model_dir)
      : net_(load_onnx(model_dir, kLivenessModel, "liveness model")) {}

  float live_score(const Image& img, const FaceBox& box) override {
    if (img.empty() || box.width <= 0 || box.height <= 0) return 0;
    // The box scaled x2.7 about its centre, clipped to the frame.
    const double cx = box.left + box.width / 2.0, cy = box.top + box.height / 2.0;
    const double w = box.width * 2.7, h = box.height * 2.7;
    int x0 = std::max(0, static_cast<int>(std::lround(cx - w / 2))),
        y0 = std::max(0, static_cast<int>(std::lround(cy - h / 2)));
    int x1 = std::min(img.width(), static_cast<int>(std::lround(cx + w / 2)));
    int y1 = std::min(img.height(), static_cast<int>(std::lround(cy + h / 2)));
    if (x1 - x0 < 8 || y1 - y0 < 8) return 0;
    cv::Mat frame(img.height(), img.width(), CV_8UC3, const_cast<uint8_t*>(img.data()));
    cv::Mat crop;
    cv::resize(frame(cv::Rect(x0, y0, x1 - x0, y1 - y0)), crop, cv::Size(128, 128), 0, 0, cv::INTER_LINEAR);
    // Raw 0-255 values, BGR order (swapRB: our frames are RGB).
    cv::Mat blob =
        cv::dnn::blobFromImage(crop, 1.0, cv::Size(128, 128), cv::Scalar(0, 0, 0), true, false, CV_32F);
    wipe_mat(crop);
    net_.setInput(blob);
    cv::Mat o = net_.forward();
    wipe_mat(blob);
    if (o.total() < 2 || o.type() != CV_32F) {
      wipe_mat(o);
      throw ModelError("the liveness model gave an output of an unexpected shape");
    }
    const float* f = o.ptr<float>();
    const size_t n = o.total();
    float mx = f[0];
    for (size_t i = 1; i < n; ++i) mx = std::max(mx, f[i]);
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(f[i] - mx));
    const float live = static_cast<float>(std::exp(static_cast<double>(f[0] - mx)) / sum);
    wipe_mat(o);
    return live;
  }

 private:
  cv::dnn::Net net_;
};

}  // namespace

std::unique_ptr<LivenessNet> make_liveness_net(const std::string& model_dir) {
  return std::make_unique<OnnxLiveness>(model_dir);
}

std::unique_ptr<FaceEmbedder> make_mobilefacenet_embedder(const std::string& model_dir) {
  return std::make_unique<MobileFaceNet>(model_dir);
}

}  // namespace faceauth
