// Face detection, landmarks and alignment (dlib HOG + 5-point shape predictor;
// dlib's 68-point predictor for the eyes when the blink check is on).
// Implemented in dlib_detector.cc, the only file besides dlib_embedder.cc that
// includes dlib headers. Not thread-safe: one instance per thread.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "image.h"

namespace faceauth {

struct FaceBox {
  int left = 0, top = 0, width = 0, height = 0;
};

struct Point2f {
  float x = 0, y = 0;
};

// dlib's 5-point layout: 0-1 the corners of the eye on the image's right,
// 2-3 the corners of the eye on the image's left, 4 the base of the nose.
struct Landmarks {
  std::array<Point2f, 5> p{};
  FaceBox box;  // the detection they were found in
};

// From dlib's 68-point layout (blink.h): points 37-48 (1-based), both eyes'
// outlines, the eye on the image's left first, each as p1 corner, p2 p3 upper
// lid, p4 other corner, p5 p6 lower lid; and the mouth corners (49, 55).
struct EyeOutline {
  std::array<Point2f, 12> eyes{};
  Point2f mouth_left, mouth_right;
};

class FaceDetector {
 public:
  // Loads the 5-point landmark model from model_dir after checking its SHA-256.
  explicit FaceDetector(const std::string& model_dir);
  ~FaceDetector();
  FaceDetector(const FaceDetector&) = delete;
  FaceDetector& operator=(const FaceDetector&) = delete;

  // Every face found, in image coordinates. A frame wider than kSearchWidth
  // is first searched on a copy scaled to that width (faces from 80 px of
  // the copy: 160 px of a 1280x720 frame), and at full size only when that
  // finds none. At full size HOG finds faces from 80 px; when that finds
  // none and upsample_if_none is set, a pass on the image upsampled 2x finds
  // faces down to ~40 px.
  std::vector<FaceBox> detect(const Image& img, bool upsample_if_none = true);
  static constexpr int kSearchWidth = 640;

  // Threads of a whole-frame search of a frame of 320x240 or more: 2 (the
  // default) splits the detector's pyramid between this thread and a helper
  // (the same faces, up to a pixel); 1 searches on this thread only.
  void set_search_threads(int n);

  // Faces in a window around `near` (where the face was in the previous
  // frame): the box grown by `margin` of its size on each side, clipped to the
  // frame, and scaled so that a face of near's size is `face_pixels` wide
  // before the same HOG detector runs on it. Boxes in image coordinates.
  // Costs a fraction of detect(): the window is small and holds only the
  // scales a face that moved a little can have.
  std::vector<FaceBox> detect_near(const Image& img, const FaceBox& near, double margin, int face_pixels);

  // The 5 landmarks of the face in `face`.
  Landmarks landmarks(const Image& img, const FaceBox& face);

  // dlib's aligned 150x150 chip (padding 0.25): the input of dlib's ResNet
  // and of the sharpness gate, whatever the embedder.
  Image chip(const Image& img, const Landmarks& lm);

  // landmarks() then chip(), with one copy of the frame into dlib's layout;
  // the landmarks go to *lm when given, and the eye outlines to *eyes when
  // given and the eye model is loaded (*eyes_found tells which).
  Image align(const Image& img, const FaceBox& face, Landmarks* lm = nullptr, EyeOutline* eyes = nullptr,
              bool* eyes_found = nullptr);

  // Loads dlib's 68-point model (Debian's libdlib-data), used only for the
  // eyes: `path` is verified by the caller (eye_model_path()).
  void load_eye_model(const std::string& path);
  bool has_eye_model() const;

 private:
  // HOG on the region [x0, x1) x [y0, y1) resampled by `scale`; boxes mapped
  // back to image coordinates.
  std::vector<FaceBox> detect_region(const Image& img, int x0, int y0, int x1, int y1, double scale);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faceauth
