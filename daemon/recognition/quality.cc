#include "quality.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace faceauth {
namespace {
inline double luma(const uint8_t* p) { return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]; }
}  // namespace

double mean_brightness(const Image& img) {
  if (img.empty()) return 0;
  int step =
      std::max(1, static_cast<int>(std::sqrt(static_cast<double>(img.width()) * img.height() / 65536.0)));
  double sum = 0;
  long n = 0;
  for (int y = 0; y < img.height(); y += step) {
    const uint8_t* row = img.row(y);
    for (int x = 0; x < img.width(); x += step, ++n) sum += luma(row + 3 * x);
  }
  return n ? sum / n : 0;
}

double mean_brightness(const Image& img, int left, int top, int width, int height) {
  const int x0 = std::max(0, left), y0 = std::max(0, top);
  const int x1 = std::min(img.width(), left + width), y1 = std::min(img.height(), top + height);
  if (x1 <= x0 || y1 <= y0) return 0;
  double sum = 0;
  for (int y = y0; y < y1; ++y) {
    const uint8_t* row = img.row(y);
    for (int x = x0; x < x1; ++x) sum += luma(row + 3 * x);
  }
  return sum / (static_cast<double>(x1 - x0) * (y1 - y0));
}

double sharpness(const Image& img) {
  int x0 = img.width() / 4, y0 = img.height() / 4;
  int w = img.width() - 2 * x0, h = img.height() - 2 * y0;
  if (w < 3 || h < 3) return 0;
  std::vector<float> g(static_cast<size_t>(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      g[static_cast<size_t>(y) * w + x] = static_cast<float>(luma(img.row(y0 + y) + 3 * (x0 + x)));
  double sum = 0, sum2 = 0;
  long n = 0;
  for (int y = 1; y < h - 1; ++y)
    for (int x = 1; x < w - 1; ++x) {
      size_t i = static_cast<size_t>(y) * w + x;
      double lap = g[i - 1] + g[i + 1] + g[i - w] + g[i + w] - 4.0 * g[i];
      sum += lap;
      sum2 += lap * lap;
      ++n;
    }
  secure_wipe(g);
  double mean = sum / n;
  return sum2 / n - mean * mean;
}

}  // namespace faceauth
