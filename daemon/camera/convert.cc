#include "convert.h"

#include <algorithm>

namespace faceauth {
namespace {

void check_size(const char* format, int width, int height) {
  if (width <= 0 || height <= 0 || width > kMaxFrameSide || height > kMaxFrameSide) {
    throw FrameSourceError(std::string(format) + " frame has an impossible size " + std::to_string(width) +
                           "x" + std::to_string(height) + "; sides must be 1 to " +
                           std::to_string(kMaxFrameSide) + " pixels");
  }
}

// Checks the geometry and the buffer length; returns the row stride to use.
size_t checked_stride(const char* format, std::span<const uint8_t> bytes, int width, int height,
                      size_t bytes_per_pixel, size_t stride) {
  check_size(format, width, height);
  const size_t row = static_cast<size_t>(width) * bytes_per_pixel;
  if (stride == 0) stride = row;
  if (stride < row) {
    throw FrameSourceError(std::string(format) + " frame row stride " + std::to_string(stride) +
                           " is shorter than a row of " + std::to_string(width) + " pixels (" +
                           std::to_string(row) + " bytes)");
  }
  const size_t needed = stride * static_cast<size_t>(height - 1) + row;
  if (bytes.size() < needed) {
    throw FrameSourceError(std::string(format) + " frame is truncated: " + std::to_string(bytes.size()) +
                           " bytes where a " + std::to_string(width) + "x" + std::to_string(height) +
                           " frame needs " + std::to_string(needed));
  }
  return stride;
}

// Checks the geometry of a planar frame (Y plane of width x height, then two
// chroma planes of chroma_w x chroma_h) and the buffer length.
void check_planar(const char* format, std::span<const uint8_t> bytes, int width, int height, int chroma_w,
                  int chroma_h) {
  check_size(format, width, height);
  const size_t needed =
      static_cast<size_t>(width) * height + 2 * static_cast<size_t>(chroma_w) * static_cast<size_t>(chroma_h);
  if (bytes.size() < needed) {
    throw FrameSourceError(std::string(format) + " frame is truncated: " + std::to_string(bytes.size()) +
                           " bytes where a " + std::to_string(width) + "x" + std::to_string(height) +
                           " frame needs " + std::to_string(needed));
  }
}

inline uint8_t clamp8(int v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

// BT.601 limited range (Y 16..235, U/V 16..240), integer arithmetic.
inline void yuv_to_rgb(int y, int u, int v, uint8_t* out) {
  const int c = 298 * (y - 16);
  const int d = u - 128;
  const int e = v - 128;
  out[0] = clamp8((c + 409 * e + 128) >> 8);
  out[1] = clamp8((c - 100 * d - 208 * e + 128) >> 8);
  out[2] = clamp8((c + 516 * d + 128) >> 8);
}

}  // namespace

std::string to_string(PixelFormat format) {
  switch (format) {
    case PixelFormat::rgb24: return "rgb24";
    case PixelFormat::yuyv: return "yuyv";
    case PixelFormat::grey: return "grey";
    case PixelFormat::y16: return "y16";
    case PixelFormat::mjpeg: return "mjpeg";
  }
  return "unknown";
}

Image convert_rgb24(std::span<const uint8_t> bytes, int width, int height, size_t stride) {
  stride = checked_stride("RGB24", bytes, width, height, 3, stride);
  Image img(width, height);
  for (int y = 0; y < height; ++y) {
    std::copy_n(bytes.data() + stride * static_cast<size_t>(y), static_cast<size_t>(width) * 3, img.row(y));
  }
  return img;
}

Image convert_yuyv(std::span<const uint8_t> bytes, int width, int height, size_t stride) {
  if (width % 2 != 0) {
    throw FrameSourceError("YUYV frame width " + std::to_string(width) +
                           " is odd; YUYV pairs pixels, so the width must be even");
  }
  stride = checked_stride("YUYV", bytes, width, height, 2, stride);
  Image img(width, height);
  for (int y = 0; y < height; ++y) {
    const uint8_t* in = bytes.data() + stride * static_cast<size_t>(y);
    uint8_t* out = img.row(y);
    for (int x = 0; x < width; x += 2, in += 4, out += 6) {
      yuv_to_rgb(in[0], in[1], in[3], out);
      yuv_to_rgb(in[2], in[1], in[3], out + 3);
    }
  }
  return img;
}

Image convert_grey(std::span<const uint8_t> bytes, int width, int height, size_t stride) {
  stride = checked_stride("GREY", bytes, width, height, 1, stride);
  Image img(width, height);
  for (int y = 0; y < height; ++y) {
    const uint8_t* in = bytes.data() + stride * static_cast<size_t>(y);
    uint8_t* out = img.row(y);
    for (int x = 0; x < width; ++x, out += 3) out[0] = out[1] = out[2] = in[x];
  }
  return img;
}

Image convert_y16(std::span<const uint8_t> bytes, int width, int height, size_t stride) {
  stride = checked_stride("Y16", bytes, width, height, 2, stride);
  Image img(width, height);
  for (int y = 0; y < height; ++y) {
    const uint8_t* in = bytes.data() + stride * static_cast<size_t>(y);
    uint8_t* out = img.row(y);
    // Little-endian: the high byte is the second of each pair.
    for (int x = 0; x < width; ++x, out += 3) out[0] = out[1] = out[2] = in[2 * x + 1];
  }
  return img;
}

Image convert_i420(std::span<const uint8_t> bytes, int width, int height) {
  const int cw = (width + 1) / 2;  // odd sides: the last chroma sample covers one pixel
  const int ch = (height + 1) / 2;
  check_planar("I420", bytes, width, height, cw, ch);
  const uint8_t* yp = bytes.data();
  const uint8_t* up = yp + static_cast<size_t>(width) * height;
  const uint8_t* vp = up + static_cast<size_t>(cw) * ch;
  Image img(width, height);
  for (int y = 0; y < height; ++y) {
    const uint8_t* in = yp + static_cast<size_t>(width) * y;
    const uint8_t* u = up + static_cast<size_t>(cw) * (y / 2);
    const uint8_t* v = vp + static_cast<size_t>(cw) * (y / 2);
    uint8_t* out = img.row(y);
    for (int x = 0; x < width; ++x, out += 3) yuv_to_rgb(in[x], u[x / 2], v[x / 2], out);
  }
  return img;
}

Image convert_yuv444(std::span<const uint8_t> bytes, int width, int height) {
  check_planar("YUV444", bytes, width, height, width, height);
  const size_t plane = static_cast<size_t>(width) * height;
  const uint8_t* yp = bytes.data();
  Image img(width, height);
  for (int y = 0; y < height; ++y) {
    const size_t at = static_cast<size_t>(width) * y;
    uint8_t* out = img.row(y);
    for (int x = 0; x < width; ++x, out += 3) {
      yuv_to_rgb(yp[at + x], yp[plane + at + x], yp[2 * plane + at + x], out);
    }
  }
  return img;
}

Image convert_mono(std::span<const uint8_t> bytes, int width, int height, bool full_range) {
  check_planar("mono", bytes, width, height, 0, 0);
  if (full_range) return convert_grey(bytes, width, height);
  Image img(width, height);
  for (int y = 0; y < height; ++y) {
    const uint8_t* in = bytes.data() + static_cast<size_t>(width) * y;
    uint8_t* out = img.row(y);
    for (int x = 0; x < width; ++x, out += 3) yuv_to_rgb(in[x], 128, 128, out);
  }
  return img;
}

Image convert_frame(const RawFrame& raw) {
  switch (raw.format) {
    case PixelFormat::rgb24: return convert_rgb24(raw.bytes, raw.width, raw.height, raw.stride);
    case PixelFormat::yuyv: return convert_yuyv(raw.bytes, raw.width, raw.height, raw.stride);
    case PixelFormat::grey: return convert_grey(raw.bytes, raw.width, raw.height, raw.stride);
    case PixelFormat::y16: return convert_y16(raw.bytes, raw.width, raw.height, raw.stride);
    case PixelFormat::mjpeg: return convert_mjpeg(raw.bytes, raw.width, raw.height);
  }
  throw FrameSourceError("unknown pixel format");
}

}  // namespace faceauth
