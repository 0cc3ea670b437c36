#include "v4l2_device.h"

#include <fcntl.h>
#include <libv4l2.h>
#include <linux/usb/video.h>
#include <linux/uvcvideo.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "frame_source.h"

namespace faceauth {

std::string fourcc_name(uint32_t fourcc) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((fourcc >> (8 * i)) & 0xFF);
    s += (c >= 32 && c < 127) ? c : '?';
  }
  return s;
}

std::string describe_device_error(const std::string& path, const std::string& what, int err) {
  const std::string head = "camera " + path + ": " + what + " failed: ";
  switch (err) {
    case ENOENT:
      return "camera device " + path +
             " does not exist; check that the camera is plugged in and that the 'camera' "
             "setting names it (see `ls /dev/v4l/by-id/` or `v4l2-ctl --list-devices`)";
    case EACCES:
    case EPERM:
      return head +
             "permission denied; the user faceauthd runs as needs access to the camera: add it "
             "to the group 'video' (e.g. `usermod -aG video faceauth`)";
    case EBUSY:
      return head +
             "the camera is busy; another program is using it (a video call, a browser, "
             "another face login tool): close it and try again";
    case ENODEV:
    case ENXIO: return head + "the device is gone; the camera was probably unplugged";
    case ENOTTY:
    case EINVAL:
      return head + std::strerror(err) + "; " + path +
             " is not a V4L2 video capture device (a UVC camera has two nodes: use the "
             "/dev/v4l/by-id/...-video-index0 link)";
    default: return head + std::strerror(err);
  }
}

void V4l2Device::open() {
  close();
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) fail("looking up the device", errno);
  if (!S_ISCHR(st.st_mode)) {
    throw FrameSourceError("camera " + path_ +
                           " is not a device node (not a character device); the 'camera' "
                           "setting must name a /dev/video* node or a /dev/v4l/by-id/ link");
  }
  const int fd = ::open(path_.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) fail("opening the device", errno);
  // Ask the kernel first, so a node that is not V4L2 gets our message rather
  // than libv4l2's complaint on stderr; then hand the descriptor to libv4l2.
  v4l2_capability cap{};
  int rc;
  do {
    rc = ::ioctl(fd, VIDIOC_QUERYCAP, &cap);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    fail("asking for its capabilities", err);
  }
  fd_ = v4l2_fd_open(fd, 0);
  if (fd_ < 0) {
    const int err = errno;
    ::close(fd);
    fail("starting libv4l2 on the device", err);
  }
}

void V4l2Device::close() noexcept {
  if (fd_ >= 0) {
    v4l2_close(fd_);
    fd_ = -1;
  }
}

int V4l2Device::ioctl(unsigned long request, void* arg) {
  for (;;) {
    if (v4l2_ioctl(fd_, request, arg) == 0) return 0;
    if (errno != EINTR) return errno;
  }
}

void V4l2Device::fail(const std::string& what, int err) const {
  throw FrameSourceError(describe_device_error(path_, what, err));
}

uint32_t V4l2Device::capabilities() {
  v4l2_capability cap{};
  if (int err = ioctl(VIDIOC_QUERYCAP, &cap)) fail("asking for its capabilities", err);
  return (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
}

std::vector<uint32_t> V4l2Device::formats() {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < 64; ++i) {
    v4l2_fmtdesc desc{};
    desc.index = i;
    desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (ioctl(VIDIOC_ENUM_FMT, &desc) != 0) break;
    out.push_back(desc.pixelformat);
  }
  return out;
}

v4l2_pix_format V4l2Device::set_format(uint32_t fourcc, int width, int height) {
  v4l2_format fmt{};
  fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  fmt.fmt.pix.width = static_cast<uint32_t>(width);
  fmt.fmt.pix.height = static_cast<uint32_t>(height);
  fmt.fmt.pix.pixelformat = fourcc;
  fmt.fmt.pix.field = V4L2_FIELD_ANY;
  if (int err = ioctl(VIDIOC_S_FMT, &fmt)) fail("setting format " + fourcc_name(fourcc), err);
  return fmt.fmt.pix;
}

void V4l2Device::set_frame_rate(double fps) noexcept {
  if (fps <= 0) return;
  v4l2_streamparm parm{};
  parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (ioctl(VIDIOC_G_PARM, &parm) != 0) return;
  if (!(parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME)) return;
  parm.parm.capture.timeperframe.numerator = 1000;
  parm.parm.capture.timeperframe.denominator = static_cast<uint32_t>(fps * 1000.0 + 0.5);
  ioctl(VIDIOC_S_PARM, &parm);
}

void V4l2Device::set_extension_control(int unit, int selector, std::span<const uint8_t> data) {
  std::vector<uint8_t> bytes(data.begin(), data.end());
  uvc_xu_control_query q{};
  q.unit = static_cast<uint8_t>(unit);
  q.selector = static_cast<uint8_t>(selector);
  q.query = UVC_SET_CUR;
  q.size = static_cast<uint16_t>(bytes.size());
  q.data = bytes.data();
  if (int err = ioctl(UVCIOC_CTRL_QUERY, &q)) {
    throw FrameSourceError("camera " + path_ + ": setting the extension-unit control (unit " +
                           std::to_string(unit) + ", selector " + std::to_string(selector) + ", " +
                           std::to_string(bytes.size()) +
                           " bytes) for the IR emitter failed: " + std::strerror(err) +
                           "; check the emitter= values in the 'camera' setting (docs/camera.md "
                           "says how to find them)");
  }
}

size_t V4l2Device::read_frame(std::span<uint8_t> buffer, int timeout_ms) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const ssize_t n = v4l2_read(fd_, buffer.data(), buffer.size());
    if (n > 0) return static_cast<size_t>(n);
    if (n == 0) {
      throw FrameSourceError("camera " + path_ + " ended its stream (read returned no data)");
    }
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EAGAIN) fail("reading a frame", err);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) return 0;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) fail("waiting for a frame", errno);
    if (ready == 0) return 0;
    if (ready > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) && !(p.revents & POLLIN)) {
      fail("waiting for a frame", (p.revents & POLLHUP) ? ENODEV : EIO);
    }
  }
}

}  // namespace faceauth
