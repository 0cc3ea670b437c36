// convert_mjpeg: libjpeg-turbo used directly, with setjmp error recovery.
// Only plain C data lives in the frame that calls setjmp, so the longjmp
// from libjpeg's error handler skips no C++ destructor.
#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>
#include <jerror.h>

#include "convert.h"
#include "image.h"
#include "mjpeg.h"

namespace faceauth {
namespace {

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated;
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (level < 0) {  // a warning
    ++cinfo->err->num_warnings;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) err->truncated = true;
  }
}

enum class Outcome { ok, libjpeg_error, bad_size, too_large, bad_colour };

// Decodes into *out. Returns the outcome; on libjpeg_error err->message says why.
Outcome decode(const uint8_t* data, size_t size, int max_w, int max_h, ErrorManager* err, Image* out,
               unsigned* declared_w, unsigned* declared_h) {
  jpeg_decompress_struct cinfo;
  cinfo.err = jpeg_std_error(&err->pub);
  err->pub.error_exit = on_error;
  err->pub.emit_message = on_message;
  err->message[0] = '\0';
  err->truncated = false;
  if (setjmp(err->jump)) {
    jpeg_destroy_decompress(&cinfo);
    return Outcome::libjpeg_error;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.image_width == 0 || cinfo.image_height == 0 ||
      cinfo.image_width > static_cast<unsigned>(kMaxFrameSide) ||
      cinfo.image_height > static_cast<unsigned>(kMaxFrameSide)) {
    jpeg_destroy_decompress(&cinfo);
    return Outcome::bad_size;
  }
  *declared_w = cinfo.image_width;
  *declared_h = cinfo.image_height;
  if ((max_w > 0 && cinfo.image_width > static_cast<unsigned>(max_w)) ||
      (max_h > 0 && cinfo.image_height > static_cast<unsigned>(max_h))) {
    jpeg_destroy_decompress(&cinfo);
    return Outcome::too_large;
  }
  if (cinfo.jpeg_color_space != JCS_YCbCr && cinfo.jpeg_color_space != JCS_GRAYSCALE &&
      cinfo.jpeg_color_space != JCS_RGB) {
    jpeg_destroy_decompress(&cinfo);
    return Outcome::bad_colour;
  }
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  *out = Image(static_cast<int>(cinfo.output_width), static_cast<int>(cinfo.output_height));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out->row(static_cast<int>(cinfo.output_scanline));
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return Outcome::ok;
}

}  // namespace

Image convert_mjpeg(std::span<const uint8_t> bytes, int max_width, int max_height) {
  if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) {
    throw FrameSourceError("MJPEG frame of " + std::to_string(bytes.size()) +
                           " bytes does not start with a JPEG start-of-image marker; "
                           "the camera sent garbage or a partial frame");
  }
  // Frames without Huffman tables get the standard ones (a wiped copy).
  std::vector<uint8_t> repaired;
  std::span<const uint8_t> input = bytes;
  if (!mjpeg_has_huffman_tables(bytes)) {
    repaired = mjpeg_with_standard_huffman_tables(bytes);
    if (!repaired.empty()) input = repaired;
  }
  Image image;
  ErrorManager err{};
  unsigned declared_w = 0, declared_h = 0;
  const Outcome outcome =
      decode(input.data(), input.size(), max_width, max_height, &err, &image, &declared_w, &declared_h);
  secure_wipe(repaired);
  switch (outcome) {
    case Outcome::ok: break;
    case Outcome::libjpeg_error:
      image.wipe();
      throw FrameSourceError(std::string("corrupt MJPEG frame from the camera (libjpeg: ") + err.message +
                             ")");
    case Outcome::bad_size:
      throw FrameSourceError("MJPEG frame declares an impossible size; sides must be 1 to " +
                             std::to_string(kMaxFrameSide) + " pixels");
    case Outcome::too_large:
      throw FrameSourceError("MJPEG frame declares " + std::to_string(declared_w) + "x" +
                             std::to_string(declared_h) + ", larger than the " + std::to_string(max_width) +
                             "x" + std::to_string(max_height) +
                             " the driver negotiated; refused before decoding");
    case Outcome::bad_colour:
      throw FrameSourceError(
          "MJPEG frame uses a colour space a camera does not send (CMYK?); "
          "expected YCbCr or greyscale");
  }
  if (err.truncated) {
    image.wipe();
    throw FrameSourceError("MJPEG frame of " + std::to_string(bytes.size()) +
                           " bytes is truncated (the JPEG data ends early); the camera "
                           "delivered a partial frame");
  }
  return image;
}

}  // namespace faceauth
