// A FrameSource over a V4L2 camera through libv4l2. The device is opened in
// open() and released in close() (or on destruction): the camera light is on
// only for the length of one enrollment or verification.
#pragma once

#include <memory>
#include <string>

#include "frame_source.h"
#include "source_spec.h"

namespace faceauth {

struct V4l2Options {
  int width = 640;  // wanted size; the driver picks the nearest it has
  int height = 480;
  double fps = 0;                                 // wanted frame rate; 0 leaves the driver's choice
  std::string format;                             // "" = automatic, else rgb24|mjpeg|yuyv|grey|y16
  int timeout_ms = 2000;                          // longest wait for one frame before next() throws
  std::optional<SourceSpec::UvcControl> emitter;  // set after each open (IR emitters)
};

// `path` is a device node or a /dev/v4l/by-id/ link. Nothing is touched until open().
// Format choice when automatic: RGB24 (libv4lconvert converts whatever the
// camera sends), then MJPEG, YUYV, GREY, Y16 converted by convert.h.
std::unique_ptr<FrameSource> make_v4l2_source(const std::string& path, const V4l2Options& options = {});

}  // namespace faceauth
