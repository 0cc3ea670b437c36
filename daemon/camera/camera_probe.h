// What a V4L2 node is, asked of the driver directly (no libv4l2, so formats
// that libv4lconvert would emulate are not counted): its name, the formats it
// really sends, and its USB ID from sysfs. Used by the daemon to decide
// whether the configured camera is an infrared one, and by `faceauthctl
// cameras`. Opens the node only to ask (no streaming) and closes it.
#pragma once

#include <string>
#include <vector>

namespace faceauth {

struct CameraProbe {
  std::string path;
  std::string error;   // non-empty: the node could not be asked (the reason)
  std::string card;    // the driver's name for the device (never trusted for IR)
  std::string driver;  // e.g. "uvcvideo"
  std::string bus_info;
  std::string usb_id;                // "vvvv:pppp" from sysfs; "" when not a USB device
  bool capture = false;              // a video capture node (a UVC camera's other node is metadata)
  std::vector<std::string> formats;  // native formats, fourcc names ("YUYV", "MJPG", "GREY")
};

CameraProbe probe_camera(const std::string& path);

// Luma-only formats an IR sensor sends.
bool is_greyscale_format(const std::string& fourcc);

// Whether the camera counts as infrared: it is a capture node, every native
// format is greyscale, and its USB ID is one the administrator listed
// (`ir_usb_ids`). `why` says which condition decided, for status and logs.
bool is_ir_camera(const CameraProbe& probe, const std::vector<std::string>& ir_usb_ids, std::string* why);

// /dev/video* in name order.
std::vector<std::string> list_video_nodes();

}  // namespace faceauth
