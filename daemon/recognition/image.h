// An 8-bit RGB image held only in memory and wiped when it goes away.
// Frames from cameras and photos pass through the pipeline as Image; nothing
// here ever writes one to disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace faceauth {

class Image {
 public:
  Image() = default;
  Image(int width, int height);  // zero-filled
  ~Image();
  Image(Image&& other) noexcept;
  Image& operator=(Image&& other) noexcept;
  Image(const Image&) = delete;
  Image& operator=(const Image&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  bool empty() const { return pixels_.empty(); }
  // Row-major, 3 bytes (R, G, B) per pixel, no padding.
  uint8_t* data() { return pixels_.data(); }
  const uint8_t* data() const { return pixels_.data(); }
  size_t size_bytes() const { return pixels_.size(); }
  uint8_t* row(int y) { return pixels_.data() + static_cast<size_t>(y) * width_ * 3; }
  const uint8_t* row(int y) const { return pixels_.data() + static_cast<size_t>(y) * width_ * 3; }

  Image clone() const;
  // Overwrites the pixels with zeros (sodium_memzero) and releases them.
  void wipe();

 private:
  int width_ = 0;
  int height_ = 0;
  std::vector<uint8_t> pixels_;
};

// Wipes any buffer of plain bytes or numbers in a way the optimiser keeps.
void secure_wipe(void* data, size_t bytes);

template <typename T>
void secure_wipe(std::vector<T>& v) {
  secure_wipe(v.data(), v.size() * sizeof(T));
  v.clear();
  v.shrink_to_fit();
}

}  // namespace faceauth
