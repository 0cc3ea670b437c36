// Decoding image files (JPEG, PNG) into an in-memory Image.
// Every failure is a DecodeError whose message says what was wrong with
// which file and what to do; nothing a user can point it at crashes it.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>

#include "image.h"

namespace faceauth {

class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Largest file we agree to read; a login camera frame is far smaller.
inline constexpr size_t kMaxImageFileBytes = 64u << 20;

// Decodes JPEG or PNG bytes (recognised by their signature). `what` names the
// source in error messages (a path, "camera frame", ...).
Image decode_image(std::span<const uint8_t> bytes, const std::string& what);
Image decode_jpeg(std::span<const uint8_t> bytes, const std::string& what);
Image decode_png(std::span<const uint8_t> bytes, const std::string& what);

// Reads and decodes an image file.
Image load_image_file(const std::string& path);

}  // namespace faceauth
