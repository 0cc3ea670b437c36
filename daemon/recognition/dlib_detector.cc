// dlib translation unit 1 of 2: HOG face detection, 5-point landmarks, alignment,
// and the eye outlines of the 68-point model (blink check).
#include "detector.h"

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>
#include <dlib/serialize.h>

#include "dlib_convert.h"
#include "models.h"

namespace faceauth {

struct FaceDetector::Impl {
  dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
  dlib::shape_predictor landmarks;
  dlib::shape_predictor eyes;  // 68 points; empty unless the blink check is on
  bool has_eyes = false;
};

FaceDetector::FaceDetector(const std::string& model_dir) : impl_(std::make_unique<Impl>()) {
  std::string path = verified_model_path(model_dir, kLandmarkModel);
  try {
    dlib::deserialize(path) >> impl_->landmarks;
  } catch (const std::exception& e) {
    throw ModelError("cannot load landmark model " + path + ": " + e.what());
  }
}

FaceDetector::~FaceDetector() = default;

namespace {
FaceBox to_box(const dlib::rectangle& r) {
  return FaceBox{static_cast<int>(r.left()), static_cast<int>(r.top()), static_cast<int>(r.width()),
                 static_cast<int>(r.height())};
}
}  // namespace

std::vector<FaceBox> FaceDetector::detect(const Image& img, bool upsample_if_none) {
  std::vector<FaceBox> boxes;
  if (img.empty()) return boxes;
  auto m = to_dlib(img);
  for (const auto& r : impl_->detector(m)) boxes.push_back(to_box(r));
  if (boxes.empty() && upsample_if_none && img.width() <= 2048 && img.height() <= 2048) {
    dlib::pyramid_up(m);
    dlib::pyramid_down<2> pyr;
    for (const auto& r : impl_->detector(m)) boxes.push_back(to_box(pyr.rect_down(r)));
  }
  wipe(m);
  return boxes;
}

namespace {
dlib::rectangle to_rect(const FaceBox& f) {
  return dlib::rectangle(f.left, f.top, f.left + f.width - 1, f.top + f.height - 1);
}

Landmarks landmarks_of(dlib::shape_predictor& predictor, const dlib::matrix<dlib::rgb_pixel>& m,
                       const FaceBox& face) {
  dlib::full_object_detection shape = predictor(m, to_rect(face));
  Landmarks lm;
  lm.box = face;
  for (unsigned i = 0; i < 5 && i < shape.num_parts(); ++i)
    lm.p[i] = Point2f{static_cast<float>(shape.part(i).x()), static_cast<float>(shape.part(i).y())};
  return lm;
}

Image chip_of(const dlib::matrix<dlib::rgb_pixel>& m, const Landmarks& lm) {
  std::vector<dlib::point> parts;
  for (const auto& p : lm.p) parts.emplace_back(static_cast<long>(p.x), static_cast<long>(p.y));
  dlib::full_object_detection shape(to_rect(lm.box), parts);
  dlib::matrix<dlib::rgb_pixel> chip;
  dlib::extract_image_chip(m, dlib::get_face_chip_details(shape, 150, 0.25), chip);
  Image out = from_dlib(chip);
  wipe(chip);
  return out;
}
}  // namespace

Landmarks FaceDetector::landmarks(const Image& img, const FaceBox& face) {
  auto m = to_dlib(img);
  Landmarks lm = landmarks_of(impl_->landmarks, m, face);
  wipe(m);
  return lm;
}

Image FaceDetector::chip(const Image& img, const Landmarks& lm) {
  auto m = to_dlib(img);
  Image out = chip_of(m, lm);
  wipe(m);
  return out;
}

Image FaceDetector::align(const Image& img, const FaceBox& face, Landmarks* lm, EyeOutline* eyes,
                          bool* eyes_found) {
  auto m = to_dlib(img);
  Landmarks found = landmarks_of(impl_->landmarks, m, face);
  Image out = chip_of(m, found);
  bool got_eyes = false;
  if (eyes && impl_->has_eyes) {
    dlib::full_object_detection shape = impl_->eyes(m, to_rect(face));
    if (shape.num_parts() == 68) {
      auto at = [&](unsigned i) {
        return Point2f{static_cast<float>(shape.part(i).x()), static_cast<float>(shape.part(i).y())};
      };
      for (unsigned i = 0; i < 12; ++i) eyes->eyes[i] = at(36 + i);
      eyes->mouth_left = at(48);
      eyes->mouth_right = at(54);
      got_eyes = true;
    }
  }
  if (eyes_found) *eyes_found = got_eyes;
  wipe(m);
  if (lm) *lm = found;
  return out;
}

void FaceDetector::load_eye_model(const std::string& path) {
  try {
    dlib::deserialize(path) >> impl_->eyes;
  } catch (const std::exception& e) {
    throw ModelError("cannot load the 68-point landmark model " + path + ": " + e.what());
  }
  impl_->has_eyes = true;
}

bool FaceDetector::has_eye_model() const { return impl_->has_eyes; }

}  // namespace faceauth
