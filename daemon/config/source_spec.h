// The `camera` setting: which frame source the daemon reads, as one string.
//   v4l2:/dev/video0                         a V4L2 camera (or a /dev/v4l/by-id/... link)
//   v4l2:/dev/video2?format=grey&timeout_ms=3000
//   v4l2:/dev/video2?format=grey&emitter=14:6:0103020000000000
//                                            an IR camera whose emitter needs a UVC
//                                            extension-unit control (unit:selector:bytes)
//   dir:/srv/faceauth/frames                 recorded photos, served in name order
//   dir:/srv/faceauth/frames?fps=10&loop=1
//   y4m:/srv/faceauth/face.y4m?loop=1        a recorded YUV4MPEG2 video, paced at its own rate
// Options follow the first '?', as name=value pairs joined by '&'.
// Parsed here (pure, no devices touched) so the configuration loader and the
// source factory agree on one grammar.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>
#include <string>

namespace faceauth {

class SourceSpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct SourceSpec {
  enum class Kind { v4l2, dir, y4m };
  Kind kind = Kind::v4l2;
  std::string path;  // absolute
  // dir, y4m: frames per second to pace like a camera (0 = as fast as asked).
  // v4l2: frame rate to ask the camera for (0 = the driver's choice).
  double fps = 0;
  bool fps_given = false;  // fps= was set (y4m: otherwise the file's own frame rate)
  bool loop = false;       // dir, y4m: start again after the last photo or frame
  int width = 640;         // v4l2 only: wanted size; the driver picks the nearest
  int height = 480;
  std::string format;     // v4l2 only: "" (automatic) or rgb24|mjpeg|yuyv|grey|y16
  int timeout_ms = 2000;  // v4l2 only: longest wait for one frame
  // v4l2 only: the UVC extension-unit control that turns an IR camera's
  // emitter on, set after each open (the camera forgets it when closed).
  struct UvcControl {
    int unit = 0;
    int selector = 0;
    std::vector<uint8_t> data;
  };
  std::optional<UvcControl> emitter;
};

// Throws SourceSpecError whose message says what is wrong and what is valid.
SourceSpec parse_source_spec(const std::string& spec);

}  // namespace faceauth
