// Where frames come from: a camera (V4L2), or recorded material (a photo, a
// directory of photos). Chosen by configuration only; no D-Bus caller can ever
// pick a source or hand the daemon an image.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "image.h"

namespace faceauth {

class FrameSourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Frame {
  Image image;
  std::string origin;  // e.g. "dir:/x/0003.jpg" or "v4l2:/dev/video0#17"; never contains pixels
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // Opens the device or reads the folder afresh. Called at the start of each job.
  virtual void open() = 0;
  // The next frame, or nullopt when a recorded source has no more frames.
  // Throws FrameSourceError when the source fails.
  virtual std::optional<Frame> next() = 0;
  // Releases the device at once (the camera light goes off).
  virtual void close() = 0;
  virtual std::string describe() const = 0;
};

// A single image file, served once.
std::unique_ptr<FrameSource> make_file_source(const std::string& path);

// A directory of JPEG/PNG files, served in name order, read afresh on open().
// `loop` serves them again from the start after the last one.
// `fps` > 0 paces frames like a camera would; 0 serves them as fast as asked.
std::unique_ptr<FrameSource> make_directory_source(const std::string& dir, double fps = 0, bool loop = false);

// Lists the image files (by extension .jpg .jpeg .png, case-insensitive) in a
// directory, sorted by name. Throws FrameSourceError naming the directory.
std::vector<std::string> list_image_files(const std::string& dir);

}  // namespace faceauth
