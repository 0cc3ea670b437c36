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

// An eye outline (detector.h, EyeOutline) holds six points per eye, the eye
// on the image's left first, each in the order p1 corner, p2 p3 upper lid,
// p4 other corner, p5 p6 lower lid.
// (|p2-p6| + |p3-p5|) / (2 |p1-p4|) of one eye; 0 for a degenerate eye.
double eye_aspect_ratio(const Point2f* six);
// The mean of both eyes' aspect ratios: about 0.25-0.35 open, under 0.15 closed.
double eye_openness(const EyeOutline& e);

// Looks for one blink in the openness of an attempt's frames, in order: a
// frame whose eyes are open, then one whose openness falls under
// closed_ratio x the attempt's open level, then one back above
// reopen_ratio x that level. The open level is the median openness of the
// frames so far (most frames show open eyes). Frames without a face are not
// given to it.
class BlinkTracker {
 public:
  BlinkTracker(double closed_ratio, double reopen_ratio) : closed_(closed_ratio), reopen_(reopen_ratio) {}
  void add(double openness);
  bool blinked() const { return state_ == State::blinked; }
  size_t frames() const { return seen_.size(); }
  // The smallest openness relative to the open level so far (1 when no frame):
  // for the administrator's test path and the measurements only.
  double lowest_ratio() const { return lowest_; }

 private:
  enum class State { want_open, open, closed, blinked };
  double level() const;
  double closed_, reopen_;
  std::vector<double> seen_;
  State state_ = State::want_open;
  double lowest_ = 1;
};

}  // namespace faceauth
