#include "image.h"

#include <sodium.h>

#include <cstring>
#include <stdexcept>
#include <utility>

namespace faceauth {

void secure_wipe(void* data, size_t bytes) {
  if (data != nullptr && bytes > 0) sodium_memzero(data, bytes);
}

Image::Image(int width, int height) : width_(width), height_(height) {
  if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
    throw std::invalid_argument("image size out of range (1..16384 pixels a side)");
  pixels_.assign(static_cast<size_t>(width) * height * 3, 0);
}

Image::~Image() { wipe(); }

Image::Image(Image&& other) noexcept
    : width_(std::exchange(other.width_, 0)),
      height_(std::exchange(other.height_, 0)),
      pixels_(std::move(other.pixels_)) {
  other.pixels_.clear();
}

Image& Image::operator=(Image&& other) noexcept {
  if (this != &other) {
    wipe();
    width_ = std::exchange(other.width_, 0);
    height_ = std::exchange(other.height_, 0);
    pixels_ = std::move(other.pixels_);
    other.pixels_.clear();
  }
  return *this;
}

Image Image::clone() const {
  Image copy;
  copy.width_ = width_;
  copy.height_ = height_;
  copy.pixels_ = pixels_;
  return copy;
}

void Image::wipe() {
  secure_wipe(pixels_);
  width_ = height_ = 0;
}

}  // namespace faceauth
