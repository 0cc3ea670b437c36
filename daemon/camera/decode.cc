#include "decode.h"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include <jerror.h>
#include <jpeglib.h>
#include <png.h>

namespace faceauth {
namespace {

constexpr int kMaxSide = 16384;
// A face photo or camera frame is far smaller; this bounds the memory one
// hostile file can make the decoder allocate (~150 MB of RGB).
constexpr uint64_t kMaxPixels = 50'000'000;

// libjpeg reports fatal errors through error_exit, which must not return:
// we jump back to decode_jpeg and turn it into a DecodeError.
struct JpegErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool truncated;
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void jpeg_emit_message(j_common_ptr cinfo, int level) {
  auto* err = reinterpret_cast<JpegErrorManager*>(cinfo->err);
  // level -1 is a warning; a premature end of data means a truncated file,
  // which libjpeg would otherwise silently fill with grey.
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) err->truncated = true;
}

}  // namespace

Image decode_jpeg(std::span<const uint8_t> bytes, const std::string& what) {
  jpeg_decompress_struct cinfo;
  JpegErrorManager err{};
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = jpeg_error_exit;
  err.pub.emit_message = jpeg_emit_message;
  // Declared before setjmp so that longjmp cannot leave them indeterminate.
  Image* volatile result = nullptr;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    delete result;
    throw DecodeError(what + ": not a readable JPEG image (" + err.message +
                      "); check that the file is a complete JPEG or PNG photo");
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  if (cinfo.output_width == 0 || cinfo.output_height == 0 || cinfo.output_width > kMaxSide ||
      cinfo.output_height > kMaxSide ||
      static_cast<uint64_t>(cinfo.output_width) * cinfo.output_height > kMaxPixels ||
      cinfo.output_components != 3) {
    jpeg_destroy_decompress(&cinfo);
    throw DecodeError(what + ": JPEG size " + std::to_string(cinfo.output_width) + "x" +
                      std::to_string(cinfo.output_height) +
                      " is not supported (1..16384 pixels a side, at most 50 million pixels)");
  }
  result = new Image(static_cast<int>(cinfo.output_width), static_cast<int>(cinfo.output_height));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW rows[1] = {result->row(static_cast<int>(cinfo.output_scanline))};
    jpeg_read_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  Image out = std::move(*result);
  delete result;
  if (err.truncated)
    throw DecodeError(what +
                      ": the JPEG data ends early (the file is truncated); "
                      "copy the complete file again");
  return out;
}

namespace {

struct PngReadState {
  std::span<const uint8_t> bytes;
  size_t offset = 0;
  char message[256] = {0};
};

void png_read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* st = static_cast<PngReadState*>(png_get_io_ptr(png));
  if (st->offset + length > st->bytes.size()) png_error(png, "the PNG data ends early (truncated file)");
  std::memcpy(out, st->bytes.data() + st->offset, length);
  st->offset += length;
}

void png_on_error(png_structp png, png_const_charp msg) {
  auto* st = static_cast<PngReadState*>(png_get_error_ptr(png));
  std::snprintf(st->message, sizeof st->message, "%s", msg);
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

}  // namespace

Image decode_png(std::span<const uint8_t> bytes, const std::string& what) {
  PngReadState st{bytes};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &st, png_on_error, png_on_warning);
  if (!png) throw DecodeError(what + ": out of memory while reading PNG");
  png_infop info = png_create_info_struct(png);
  // Only volatile pointers cross the longjmp: objects changed after setjmp
  // would be indeterminate when libpng jumps back here.
  Image* volatile result = nullptr;
  std::vector<png_bytep>* volatile rows = nullptr;
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
    delete result;
    delete rows;
    throw DecodeError(what + ": not a readable PNG image (" + st.message +
                      "); check that the file is a complete JPEG or PNG photo");
  }
  png_set_read_fn(png, &st, png_read_from_memory);
  png_set_user_limits(png, kMaxSide, kMaxSide);
  png_read_info(png, info);
  png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
  int color = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
  if (depth == 16) png_set_strip_16(png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != static_cast<size_t>(w) * 3)
    png_error(png, "unsupported PNG pixel layout");
  if (static_cast<uint64_t>(w) * h > kMaxPixels) png_error(png, "more than 50 million pixels");
  result = new Image(static_cast<int>(w), static_cast<int>(h));
  rows = new std::vector<png_bytep>(h);
  for (png_uint_32 y = 0; y < h; ++y) (*rows)[y] = result->row(static_cast<int>(y));
  png_read_image(png, rows->data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  delete rows;
  Image out = std::move(*result);
  delete result;
  return out;
}

Image decode_image(std::span<const uint8_t> bytes, const std::string& what) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.empty()) throw DecodeError(what + ": the file is empty; point to a JPEG or PNG photo");
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
    return decode_jpeg(bytes, what);
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPng, 8) == 0) return decode_png(bytes, what);
  throw DecodeError(what +
                    ": not a JPEG or PNG image (unrecognised file signature); "
                    "faceauth reads .jpg and .png photos");
}

Image load_image_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw DecodeError(path + ": cannot open the file (missing or no read permission)");
  std::streamoff size = in.tellg();
  if (size < 0) throw DecodeError(path + ": cannot read the file (is it a directory?)");
  if (static_cast<size_t>(size) > kMaxImageFileBytes)
    throw DecodeError(path + ": the file is larger than 64 MiB; that is not a face photo");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
    throw DecodeError(path + ": read error");
  Image img = decode_image(bytes, path);
  secure_wipe(bytes);
  return img;
}

}  // namespace faceauth
