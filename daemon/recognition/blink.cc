#include "blink.h"

#include <algorithm>
#include <cmath>

namespace faceauth {

namespace {
double dist(const Point2f& a, const Point2f& b) { return std::hypot(a.x - b.x, a.y - b.y); }
}  // namespace

double eye_aspect_ratio(const Point2f* p) {
  const double width = dist(p[0], p[3]);
  if (!(width > 0)) return 0;
  return (dist(p[1], p[5]) + dist(p[2], p[4])) / (2 * width);
}

double eye_openness(const EyeOutline& e) { return (eye_aspect_ratio(&e[0]) + eye_aspect_ratio(&e[6])) / 2; }

double BlinkTracker::level() const {
  std::vector<double> v(seen_);
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

void BlinkTracker::add(double openness) {
  if (!std::isfinite(openness) || openness < 0) return;
  seen_.push_back(openness);
  const double open_level = level();
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
