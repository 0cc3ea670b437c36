// Image decoders (JPEG, PNG: what a dir: camera folder or a photo holds) and
// the MJPEG path of a UVC camera (Huffman-table repair, size-capped decode).
// Any input must end in an Image or an exception, never a crash or a leak.
#include "convert.h"
#include "decode.h"
#include "mjpeg.h"

#include <cstdint>
#include <exception>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  try {
    faceauth::decode_image(bytes, "fuzz input");
  } catch (const std::exception&) {
  }
  try {
    if (!faceauth::mjpeg_has_huffman_tables(bytes)) faceauth::mjpeg_with_standard_huffman_tables(bytes);
    faceauth::convert_mjpeg(bytes, 1280, 720);
  } catch (const std::exception&) {
  }
  return 0;
}
