// Copying between faceauth::Image and dlib images, and wiping dlib images.
// Included only by the two dlib translation units.
#pragma once

#include <dlib/matrix.h>
#include <dlib/pixel.h>

#include "image.h"

namespace faceauth {

inline dlib::matrix<dlib::rgb_pixel> to_dlib(const Image& img) {
  dlib::matrix<dlib::rgb_pixel> m(img.height(), img.width());
  for (int y = 0; y < img.height(); ++y) {
    const uint8_t* p = img.row(y);
    for (int x = 0; x < img.width(); ++x, p += 3) m(y, x) = dlib::rgb_pixel(p[0], p[1], p[2]);
  }
  return m;
}

inline Image from_dlib(const dlib::matrix<dlib::rgb_pixel>& m) {
  Image img(static_cast<int>(m.nc()), static_cast<int>(m.nr()));
  for (long y = 0; y < m.nr(); ++y) {
    uint8_t* p = img.row(static_cast<int>(y));
    for (long x = 0; x < m.nc(); ++x, p += 3) {
      const auto& px = m(y, x);
      p[0] = px.red;
      p[1] = px.green;
      p[2] = px.blue;
    }
  }
  return img;
}

template <typename T, long R, long C>
void wipe(dlib::matrix<T, R, C>& m) {
  if (m.size() > 0) secure_wipe(&m(0, 0), sizeof(T) * static_cast<size_t>(m.size()));
  m.set_size(0, 0);
}

}  // namespace faceauth
