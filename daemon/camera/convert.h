// Raw camera buffers -> Image (8-bit RGB). Pure functions: no device, no disk.
// Every malformed buffer (too small, odd geometry, corrupt or truncated JPEG)
// throws FrameSourceError saying what was wrong; none can crash the daemon.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "frame_source.h"
#include "image.h"

namespace faceauth {

// The pixel formats faceauth reads from V4L2 cameras.
enum class PixelFormat {
  rgb24,  // V4L2_PIX_FMT_RGB24: R, G, B bytes (what libv4lconvert produces)
  yuyv,   // V4L2_PIX_FMT_YUYV: Y0 U Y1 V per two pixels, BT.601 limited range
  grey,   // V4L2_PIX_FMT_GREY: one 8-bit luma byte per pixel (IR cameras)
  y16,    // V4L2_PIX_FMT_Y16: 16-bit little-endian luma per pixel (IR cameras)
  mjpeg,  // V4L2_PIX_FMT_MJPEG: one JPEG per frame, Huffman tables possibly left out
};

// "rgb24", "yuyv", "grey", "y16", "mjpeg".
std::string to_string(PixelFormat format);

// Largest frame side accepted from a camera.
inline constexpr int kMaxFrameSide = 8192;

// One captured buffer. `stride` is bytes per row (V4L2 bytesperline); 0 means
// rows are packed. Ignored for MJPEG, whose size comes from the JPEG itself.
// A buffer may be longer than the frame (drivers pad); shorter is an error.
struct RawFrame {
  PixelFormat format = PixelFormat::rgb24;
  int width = 0;
  int height = 0;
  size_t stride = 0;
  std::span<const uint8_t> bytes;
};

Image convert_frame(const RawFrame& raw);

Image convert_rgb24(std::span<const uint8_t> bytes, int width, int height, size_t stride = 0);
Image convert_yuyv(std::span<const uint8_t> bytes, int width, int height, size_t stride = 0);
Image convert_grey(std::span<const uint8_t> bytes, int width, int height, size_t stride = 0);
// Keeps the high byte of each sample (V4L2 Y16 data is MSB-aligned).
Image convert_y16(std::span<const uint8_t> bytes, int width, int height, size_t stride = 0);
// Planar frames as in YUV4MPEG2 files: the planes one after the other, rows
// packed. BT.601 limited range, as convert_yuyv.
// I420 (4:2:0): Y (width x height), then U and V of ceil(width/2) x ceil(height/2).
Image convert_i420(std::span<const uint8_t> bytes, int width, int height);
// 4:4:4: Y, U and V planes, each width x height.
Image convert_yuv444(std::span<const uint8_t> bytes, int width, int height);
// One luma plane: full range (0..255) is replicated to R, G, B as convert_grey;
// limited range (16..235) is first stretched to 0..255.
Image convert_mono(std::span<const uint8_t> bytes, int width, int height, bool full_range);
// Decodes with libjpeg-turbo; inserts the standard Huffman tables when the
// frame has none (many webcams leave out the DHT segment). A truncated frame is
// an error, not a half-grey picture. With max_width/max_height (the size the
// driver negotiated; 0 = no limit) a frame whose header declares more is
// refused before anything is decoded.
Image convert_mjpeg(std::span<const uint8_t> bytes, int max_width = 0, int max_height = 0);

}  // namespace faceauth
