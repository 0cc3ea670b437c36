#include "camera_probe.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace faceauth {
namespace {

std::string fourcc(uint32_t f) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((f >> (8 * i)) & 0xFF);
    if (c != ' ') s += (c >= 32 && c < 127) ? c : '?';
  }
  return s;
}

int xioctl(int fd, unsigned long request, void* arg) {
  int r;
  do {
    r = ::ioctl(fd, request, arg);
  } while (r != 0 && errno == EINTR);
  return r == 0 ? 0 : errno;
}

// A small sysfs attribute, trimmed; "" when absent.
std::string read_attribute(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[64];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return "";
  std::string s(buf, static_cast<size_t>(n));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string usb_id_of(dev_t rdev) {
  // /sys/dev/char/M:m/device is the USB interface; its parent is the device.
  const std::string dir =
      "/sys/dev/char/" + std::to_string(major(rdev)) + ":" + std::to_string(minor(rdev)) + "/device/../";
  const std::string vendor = read_attribute(dir + "idVendor");
  const std::string product = read_attribute(dir + "idProduct");
  if (vendor.size() != 4 || product.size() != 4) return "";
  std::string id = vendor + ":" + product;
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return id;
}

}  // namespace

bool is_greyscale_format(const std::string& f) {
  return f == "GREY" || f == "Y10" || f == "Y12" || f == "Y16" || f == "Y10B" || f == "Y12B";
}

CameraProbe probe_camera(const std::string& path) {
  CameraProbe p;
  p.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    p.error = std::string("cannot look it up: ") + std::strerror(errno);
    return p;
  }
  if (!S_ISCHR(st.st_mode)) {
    p.error = "not a device node";
    return p;
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    p.error = std::string("cannot open it: ") + std::strerror(err) +
              (err == EACCES ? " (run as root or as a member of the group video)" : "");
    return p;
  }
  v4l2_capability cap{};
  if (int err = xioctl(fd, VIDIOC_QUERYCAP, &cap)) {
    ::close(fd);
    p.error = std::string("not a V4L2 device: ") + std::strerror(err);
    return p;
  }
  auto text = [](const uint8_t* s, size_t n) {
    return std::string(reinterpret_cast<const char*>(s), strnlen(reinterpret_cast<const char*>(s), n));
  };
  p.card = text(cap.card, sizeof cap.card);
  p.driver = text(cap.driver, sizeof cap.driver);
  p.bus_info = text(cap.bus_info, sizeof cap.bus_info);
  const uint32_t caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
  p.capture = (caps & V4L2_CAP_VIDEO_CAPTURE) != 0;
  for (uint32_t i = 0; p.capture && i < 64; ++i) {
    v4l2_fmtdesc desc{};
    desc.index = i;
    desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (xioctl(fd, VIDIOC_ENUM_FMT, &desc) != 0) break;
    p.formats.push_back(fourcc(desc.pixelformat));
  }
  ::close(fd);
  p.usb_id = usb_id_of(st.st_rdev);
  return p;
}

bool is_ir_camera(const CameraProbe& p, const std::vector<std::string>& ir_usb_ids, std::string* why) {
  auto say = [&](const std::string& s) {
    if (why) *why = s;
  };
  if (!p.error.empty()) return say("cannot be asked: " + p.error), false;
  if (!p.capture) return say("not a video capture node"), false;
  if (p.formats.empty()) return say("offers no format"), false;
  for (const auto& f : p.formats) {
    if (!is_greyscale_format(f)) return say("offers the colour format " + f), false;
  }
  if (p.usb_id.empty()) return say("greyscale only, but its USB ID is unknown"), false;
  if (std::find(ir_usb_ids.begin(), ir_usb_ids.end(), p.usb_id) == ir_usb_ids.end()) {
    return say("greyscale only, but its USB ID " + p.usb_id + " is not listed in ir_usb_ids"), false;
  }
  say("greyscale only and USB ID " + p.usb_id + " listed in ir_usb_ids");
  return true;
}

std::vector<std::string> list_video_nodes() {
  std::vector<std::string> out;
  DIR* d = ::opendir("/dev");
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    if (std::strncmp(e->d_name, "video", 5) == 0) out.push_back(std::string("/dev/") + e->d_name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return out;
}

}  // namespace faceauth
