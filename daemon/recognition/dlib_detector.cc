// dlib translation unit 1 of 2: HOG face detection, 5-point landmarks, alignment,
// and the eye outlines of the 68-point model (blink check).
#include "detector.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <system_error>
#include <thread>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>
#include <dlib/serialize.h>

#include "dlib_convert.h"
#include "models.h"

namespace faceauth {

namespace {
using Detector = dlib::frontal_face_detector;
using Pyramid = dlib::pyramid_down<6>;  // the frontal face detector's pyramid
constexpr unsigned long kSplitLevels = 2;

// The detector's pyramid for an image already brought down kSplitLevels
// levels: it brings an image down as Pyramid does, and maps a box found on
// its level l back to the frame in one step as Pyramid maps level
// l + kSplitLevels, the same arithmetic as the single-threaded search.
struct LowerLevels : Pyramid {
  using Pyramid::rect_up;
  dlib::drectangle rect_up(const dlib::drectangle& r, unsigned int levels) const {
    return Pyramid::rect_up(r, levels + static_cast<unsigned int>(kSplitLevels));
  }
};
using LowerDetector = dlib::object_detector<dlib::scan_fhog_pyramid<LowerLevels>>;

template <typename Scanner>
void configure_like(Scanner& scanner, const Detector::image_scanner_type& like, unsigned long levels) {
  scanner.set_detection_window_size(like.get_detection_window_width(), like.get_detection_window_height());
  scanner.set_cell_size(like.get_cell_size());
  scanner.set_padding(like.get_padding());
  scanner.set_min_pyramid_layer_size(like.get_min_pyramid_layer_width(), like.get_min_pyramid_layer_height());
  scanner.set_nuclear_norm_regularization_strength(like.get_nuclear_norm_regularization_strength());
  scanner.set_max_pyramid_levels(levels);
}

std::vector<Detector::feature_vector_type> weights_of(const Detector& d) {
  std::vector<Detector::feature_vector_type> w;
  for (unsigned long i = 0; i < d.num_detectors(); ++i) w.push_back(d.get_w(i));
  return w;
}

// The frontal face detector's filters on the first kSplitLevels levels of
// the frame, and on the levels after them, each without non-max suppression
// (the caller does it over both halves together).
Detector first_levels_of(const Detector& d) {
  Detector::image_scanner_type scanner;
  configure_like(scanner, d.get_scanner(), kSplitLevels);
  return Detector(scanner, dlib::test_box_overlap(1.0, 1.0), weights_of(d));
}
LowerDetector lower_levels_of(const Detector& d) {
  LowerDetector::image_scanner_type scanner;
  const unsigned long all = d.get_scanner().get_max_pyramid_levels();
  configure_like(scanner, d.get_scanner(), all > kSplitLevels ? all - kSplitLevels : 1);
  return LowerDetector(scanner, dlib::test_box_overlap(1.0, 1.0), weights_of(d));
}

template <typename T>
void wipe_array(dlib::array2d<T>& a) {
  if (a.size() > 0) secure_wipe(dlib::image_data(a), static_cast<size_t>(a.nr() * dlib::width_step(a)));
  a.clear();
}
}  // namespace

// The whole-frame search on two threads: the detector's pyramid is cut after
// kSplitLevels levels; this thread scans the first levels of the frame, a
// helper thread the rest, starting from the frame brought down kSplitLevels
// times by the same pyramid steps dlib takes (so its levels are the same
// pixels, and LowerLevels maps its boxes back with the same arithmetic).
// Both halves' detections then go through the detector's own non-max
// suppression together: the single-threaded answer.
struct FaceDetector::Impl {
  Detector detector = dlib::get_frontal_face_detector();
  Detector first_levels = first_levels_of(detector);
  LowerDetector other_levels = lower_levels_of(detector);
  dlib::shape_predictor landmarks;
  dlib::shape_predictor eyes;  // 68 points; empty unless the blink check is on
  bool has_eyes = false;
  int threads = 2;

  std::vector<dlib::rectangle> search(const dlib::matrix<dlib::rgb_pixel>& m) {
    // Small images (photos, tracking windows): one thread costs less.
    if (threads < 2 || m.nr() * m.nc() < 320 * 240) return detector(m);
    std::vector<dlib::rect_detection> rest;
    std::exception_ptr failed;
    std::thread helper;
    try {
      helper = std::thread([&] {
        dlib::array2d<dlib::rgb_pixel> a, b;  // the frame brought down: wiped however this ends
        try {
          Pyramid pyr;
          pyr(m, a);
          for (unsigned long i = 1; i < kSplitLevels; ++i) {
            pyr(a, b);
            dlib::swap(a, b);
          }
          other_levels(a, rest);  // boxes in the frame's pixels (LowerLevels)
        } catch (...) {
          failed = std::current_exception();
        }
        wipe_array(a);
        wipe_array(b);
      });
    } catch (const std::system_error&) {
      return detector(m);  // no thread to be had (a task limit): search on this one
    }
    std::vector<dlib::rect_detection> all;
    try {
      first_levels(m, all);
    } catch (...) {
      helper.join();
      throw;
    }
    helper.join();
    if (failed) std::rethrow_exception(failed);
    all.insert(all.end(), rest.begin(), rest.end());
    // The detector's own suppression: strongest first, drop what overlaps a kept box.
    std::sort(all.rbegin(), all.rend());
    const dlib::test_box_overlap& overlaps = detector.get_overlap_tester();
    std::vector<dlib::rectangle> kept;
    for (const auto& d : all) {
      bool drop = false;
      for (const auto& k : kept) drop = drop || overlaps(k, d.rect);
      if (!drop) kept.push_back(d.rect);
    }
    return kept;
  }
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

namespace {
// The region [x0, x1) x [y0, y1) of the frame resampled by `scale`
// (bilinear, straight from the frame: no copy of the whole frame is made).
dlib::matrix<dlib::rgb_pixel> resampled(const Image& img, int x0, int y0, int x1, int y1, double scale) {
  const long w = std::max(1L, std::lround((x1 - x0) * scale)),
             h = std::max(1L, std::lround((y1 - y0) * scale));
  dlib::matrix<dlib::rgb_pixel> out(h, w);
  const double inv = 1.0 / scale;
  for (long y = 0; y < h; ++y) {
    const double sy = std::clamp(y0 + (y + 0.5) * inv - 0.5, 0.0, img.height() - 1.0);
    const int iy = static_cast<int>(sy), iy1 = std::min(iy + 1, img.height() - 1);
    const double fy = sy - iy;
    const uint8_t* r0 = img.row(iy);
    const uint8_t* r1 = img.row(iy1);
    for (long x = 0; x < w; ++x) {
      const double sx = std::clamp(x0 + (x + 0.5) * inv - 0.5, 0.0, img.width() - 1.0);
      const int ix = static_cast<int>(sx), ix1 = std::min(ix + 1, img.width() - 1);
      const double fx = sx - ix;
      uint8_t px[3];
      for (int c = 0; c < 3; ++c) {
        const double top = r0[ix * 3 + c] * (1 - fx) + r0[ix1 * 3 + c] * fx;
        const double bottom = r1[ix * 3 + c] * (1 - fx) + r1[ix1 * 3 + c] * fx;
        px[c] = static_cast<uint8_t>(std::lround(top * (1 - fy) + bottom * fy));
      }
      out(y, x) = dlib::rgb_pixel(px[0], px[1], px[2]);
    }
  }
  return out;
}
}  // namespace

std::vector<FaceBox> FaceDetector::detect_region(const Image& img, int x0, int y0, int x1, int y1,
                                                 double scale) {
  std::vector<FaceBox> boxes;
  auto m = resampled(img, x0, y0, x1, y1, scale);
  const double inv = 1.0 / scale;
  for (const auto& r : impl_->search(m)) {
    FaceBox b;
    b.left = x0 + static_cast<int>(std::lround(r.left() * inv));
    b.top = y0 + static_cast<int>(std::lround(r.top() * inv));
    b.width = static_cast<int>(std::lround(r.width() * inv));
    b.height = static_cast<int>(std::lround(r.height() * inv));
    boxes.push_back(b);
  }
  wipe(m);
  return boxes;
}

std::vector<FaceBox> FaceDetector::detect(const Image& img, bool upsample_if_none) {
  std::vector<FaceBox> boxes;
  if (img.empty()) return boxes;
  // A frame wider than kSearchWidth is first searched at that width, as a
  // 640x480 camera with the same view would be; only when that finds no
  // face is it searched at full size (faces too small for the copy).
  if (img.width() > kSearchWidth) {
    boxes =
        detect_region(img, 0, 0, img.width(), img.height(), static_cast<double>(kSearchWidth) / img.width());
    if (!boxes.empty()) return boxes;
  }
  auto m = to_dlib(img);
  for (const auto& r : impl_->search(m)) boxes.push_back(to_box(r));
  if (boxes.empty() && upsample_if_none && img.width() <= 2048 && img.height() <= 2048) {
    dlib::pyramid_up(m);
    dlib::pyramid_down<2> pyr;
    for (const auto& r : impl_->detector(m)) boxes.push_back(to_box(pyr.rect_down(r)));
  }
  wipe(m);
  return boxes;
}

std::vector<FaceBox> FaceDetector::detect_near(const Image& img, const FaceBox& near, double margin,
                                               int face_pixels) {
  if (img.empty() || near.width <= 0 || near.height <= 0 || face_pixels <= 0) return {};
  const int dx = static_cast<int>(near.width * margin), dy = static_cast<int>(near.height * margin);
  const int x0 = std::max(0, near.left - dx), y0 = std::max(0, near.top - dy);
  const int x1 = std::min(img.width(), near.left + near.width + dx);
  const int y1 = std::min(img.height(), near.top + near.height + dy);
  if (x1 - x0 < 16 || y1 - y0 < 16) return {};
  return detect_region(img, x0, y0, x1, y1, static_cast<double>(face_pixels) / near.width);
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

void FaceDetector::set_search_threads(int n) { impl_->threads = std::clamp(n, 1, 2); }

}  // namespace faceauth
