// The thin layer over libv4l2: one device node, the handful of calls faceauth
// needs, errno turned into messages a person can act on. No policy here.
// Tested against the emulated UVC camera of tests/emulated_camera (docs/camera.md).
#pragma once

#include <linux/videodev2.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace faceauth {

// "YUYV", "MJPG", ... from a V4L2 fourcc code.
std::string fourcc_name(uint32_t fourcc);

// The message for a failure `err` (an errno) while doing `what` on camera `path`:
// names the device and says what to do (missing, busy, permission -> group video).
std::string describe_device_error(const std::string& path, const std::string& what, int err);

class V4l2Device {
 public:
  explicit V4l2Device(std::string path) : path_(std::move(path)) {}
  ~V4l2Device() { close(); }
  V4l2Device(const V4l2Device&) = delete;
  V4l2Device& operator=(const V4l2Device&) = delete;

  // Checks the node (exists, is a character device, answers VIDIOC_QUERYCAP),
  // opens it non-blocking and hands it to libv4l2 (v4l2_fd_open).
  // Throws FrameSourceError.
  void open();
  void close() noexcept;
  bool is_open() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

  // VIDIOC_QUERYCAP; the capabilities of this node (device_caps when given).
  uint32_t capabilities();
  // VIDIOC_ENUM_FMT for video capture, libv4l2's emulated formats included.
  std::vector<uint32_t> formats();
  // VIDIOC_S_FMT; returns what the driver chose (maybe another format or size).
  v4l2_pix_format set_format(uint32_t fourcc, int width, int height);
  // VIDIOC_S_PARM; best effort (many cameras ignore it), never throws.
  void set_frame_rate(double fps) noexcept;
  // UVCIOC_CTRL_QUERY with UVC_SET_CUR: sets a control of a UVC extension unit
  // (an IR emitter's, for instance). Throws FrameSourceError naming it.
  void set_extension_control(int unit, int selector, std::span<const uint8_t> data);
  // One frame into `buffer` via v4l2_read (libv4l2 streams through mmap
  // buffers underneath when the driver has no read()). Waits with poll() at
  // most `timeout_ms`; returns the byte count, or 0 on timeout.
  size_t read_frame(std::span<uint8_t> buffer, int timeout_ms);

 private:
  int ioctl(unsigned long request, void* arg);  // retries EINTR; returns 0 or errno
  [[noreturn]] void fail(const std::string& what, int err) const;

  std::string path_;
  int fd_ = -1;
};

}  // namespace faceauth
