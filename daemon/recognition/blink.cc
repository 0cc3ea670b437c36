#include "blink.h"

#include <algorithm>
#include <cmath>

namespace faceauth {

namespace {
double dist(const Point2f& a, const Point2f& b) { return std::hypot(a.x - b.x, a.y - b.y); }

Point2f mid(const Point2f& a, const Point2f& b) { return Point2f{(a.x + b.x) / 2, (a.y + b.y) / 2}; }

double median(std::vector<double> v) {
  auto m = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), m, v.end());
  return *m;
}
}  // namespace

double eye_aspect_ratio(const Point2f* p) {
  const double width = dist(p[0], p[3]);
  if (!(width > 0)) return 0;
  return (dist(p[1], p[5]) + dist(p[2], p[4])) / (2 * width);
}

double eye_openness(const EyeOutline& e) {
  return (eye_aspect_ratio(&e.eyes[0]) + eye_aspect_ratio(&e.eyes[6])) / 2;
}

double face_shape(const EyeOutline& e) {
  const auto& p = e.eyes;
  const double across = dist(p[0], p[9]);  // outer corners: points 37 and 46
  if (!(across > 0)) return 0;
  const Point2f eyes = mid(mid(p[0], p[3]), mid(p[6], p[9]));
  return dist(eyes, mid(e.mouth_left, e.mouth_right)) / across;
}

void BlinkTracker::add(double openness, double shape) {
  if (!std::isfinite(openness) || openness < 0 || !std::isfinite(shape) || !(shape > 0)) return;
  shapes_.push_back(shape);
  if (std::fabs(shape / median(shapes_) - 1) > shape_tolerance_) {
    ++skipped_;
    return;
  }
  openness_.push_back(openness);
  const double open_level = median(openness_);
  if (!(open_level > 0)) return;
  const double ratio = openness / open_level;
  lowest_ = std::min(lowest_, ratio);
  switch (state_) {
    case State::want_open:
      if (ratio >= reopen_) state_ = State::open;
      break;
    case State::open:
      if (ratio < closed_) state_ = State::closed;
      break;
    case State::closed:
      if (ratio >= reopen_) state_ = State::blinked;
      break;
    case State::blinked: break;
  }
}

}  // namespace faceauth
