// The active liveness check (configuration `liveness = blink`): a blink seen
// within the attempt, from the eye aspect ratio of dlib's 68-point landmarks
// (Soukupova and Cech, "Real-Time Eye Blink Detection using Facial
// Landmarks", 2016). Pure arithmetic: the landmarks come from the detector
// (dlib_detector.cc). docs/liveness.md says what it stops and what not.
#pragma once

#include <string>
#include <vector>

#include "detector.h"

namespace faceauth {

// (|p2-p6| + |p3-p5|) / (2 |p1-p4|) of one eye (six points, detector.h's
// EyeOutline order); 0 for a degenerate eye.
double eye_aspect_ratio(const Point2f* six);
// The mean of both eyes' aspect ratios: about 0.2-0.37 open, lower closed;
// the open level differs from person to person.
double eye_openness(const EyeOutline& e);
// The face's proportions: the distance from the middle of the four eye corners
// to the middle of the mouth corners over the distance between the outer eye
// corners. A blink leaves it nearly as it is; a printed photo bent or tilted
// about a horizontal axis squashes the whole face, eyes included, and moves it.
double face_shape(const EyeOutline& e);

// Looks for one blink in the frames of an attempt, in order: a frame whose
// eyes are open, then one whose openness falls under closed_ratio x the
// attempt's open level, then one back at reopen_ratio x that level or above.
// The open level is the median openness of the frames so far (most frames
// show open eyes). A frame whose face shape differs from the attempt's median
// shape by more than shape_tolerance (relative) does not count: the face was
// squashed, not the eyes closed. Frames without a face are not given to it.
class BlinkTracker {
 public:
  BlinkTracker(double closed_ratio, double reopen_ratio, double shape_tolerance)
      : closed_(closed_ratio),
        reopen_(reopen_ratio),
        shape_tolerance_(shape_tolerance) {}
  void add(double openness, double shape);
  bool blinked() const { return state_ == State::blinked; }
  size_t frames() const { return openness_.size(); }  // frames that counted
  size_t skipped() const { return skipped_; }         // frames the shape guard left out
  // The smallest openness relative to the open level so far (1 when no frame):
  // for the measurements only.
  double lowest_ratio() const { return lowest_; }

 private:
  enum class State { want_open, open, closed, blinked };
  double closed_, reopen_, shape_tolerance_;
  std::vector<double> openness_, shapes_;
  State state_ = State::want_open;
  size_t skipped_ = 0;
  double lowest_ = 1;
};

}  // namespace faceauth
