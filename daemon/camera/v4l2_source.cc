#include "v4l2_source.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "convert.h"
#include "image.h"
#include "v4l2_device.h"

namespace faceauth {
namespace {

struct Candidate {
  uint32_t fourcc;
  PixelFormat format;
  const char* name;
};

constexpr Candidate kCandidates[] = {
    {V4L2_PIX_FMT_RGB24, PixelFormat::rgb24, "rgb24"}, {V4L2_PIX_FMT_MJPEG, PixelFormat::mjpeg, "mjpeg"},
    {V4L2_PIX_FMT_YUYV, PixelFormat::yuyv, "yuyv"},    {V4L2_PIX_FMT_GREY, PixelFormat::grey, "grey"},
    {V4L2_PIX_FMT_Y16, PixelFormat::y16, "y16"},
};

class V4l2Source : public FrameSource {
 public:
  V4l2Source(std::string path, V4l2Options options)
      : device_(std::move(path)),
        options_(std::move(options)) {}
  ~V4l2Source() override { close(); }

  void open() override {
    close();
    device_.open();
    try {
      const uint32_t caps = device_.capabilities();
      if (!(caps & V4L2_CAP_VIDEO_CAPTURE)) {
        throw FrameSourceError("camera " + device_.path() +
                               " is not a video capture node (a UVC camera has two /dev/video nodes; use the "
                               "/dev/v4l/by-id/...-video-index0 link)");
      }
      if (!(caps & (V4L2_CAP_STREAMING | V4L2_CAP_READWRITE))) {
        throw FrameSourceError("camera " + device_.path() +
                               " offers neither streaming nor read() capture; faceauth cannot "
                               "take frames from it");
      }
      negotiate();
      device_.set_frame_rate(options_.fps);
      if (options_.emitter) {
        device_.set_extension_control(options_.emitter->unit, options_.emitter->selector,
                                      options_.emitter->data);
      }
    } catch (...) {
      device_.close();
      throw;
    }
    frames_ = 0;
  }

  std::optional<Frame> next() override {
    if (!device_.is_open()) {
      throw FrameSourceError("camera " + device_.path() + " is not open (open() first)");
    }
    const size_t n = device_.read_frame(buffer_, options_.timeout_ms);
    if (n == 0) {
      throw FrameSourceError("camera " + device_.path() + " sent no frame within " +
                             std::to_string(options_.timeout_ms) +
                             " ms; it may be stuck: unplug and replug it, or raise timeout_ms "
                             "in the 'camera' setting");
    }
    RawFrame raw{format_, width_, height_, stride_, std::span<const uint8_t>(buffer_.data(), n)};
    std::optional<Frame> frame;
    try {
      frame = Frame{convert_frame(raw), describe() + "#" + std::to_string(frames_++)};
    } catch (...) {
      secure_wipe(buffer_.data(), n);
      throw;
    }
    secure_wipe(buffer_.data(), n);
    return frame;
  }

  void close() override {
    device_.close();
    secure_wipe(buffer_);
  }

  std::string describe() const override { return "v4l2:" + device_.path(); }

 private:
  void negotiate() {
    std::vector<const Candidate*> wanted;
    for (const auto& c : kCandidates) {
      if (options_.format.empty() || options_.format == c.name) wanted.push_back(&c);
    }
    if (wanted.empty()) {
      throw FrameSourceError("unknown camera format '" + options_.format +
                             "'; use rgb24, mjpeg, yuyv, grey or y16");
    }
    for (const Candidate* c : wanted) {
      const v4l2_pix_format got = device_.set_format(c->fourcc, options_.width, options_.height);
      if (got.pixelformat != c->fourcc) continue;
      if (got.width == 0 || got.height == 0 || got.width > static_cast<uint32_t>(kMaxFrameSide) ||
          got.height > static_cast<uint32_t>(kMaxFrameSide)) {
        continue;
      }
      format_ = c->format;
      width_ = static_cast<int>(got.width);
      height_ = static_cast<int>(got.height);
      stride_ = (c->format == PixelFormat::mjpeg) ? 0 : got.bytesperline;
      // sizeimage bounds a frame; an MJPEG driver may leave it 0, so fall back
      // to an uncompressed frame's size, which a JPEG of it never exceeds much.
      const size_t plain = static_cast<size_t>(width_) * height_ * 3 + 65536;
      buffer_.assign(std::max<size_t>(got.sizeimage, plain), 0);
      return;
    }
    std::string offered;
    for (uint32_t f : device_.formats()) offered += (offered.empty() ? "" : ", ") + fourcc_name(f);
    throw FrameSourceError("camera " + device_.path() + " offers no format faceauth reads" +
                           (options_.format.empty() ? "" : " (format=" + options_.format + " was asked)") +
                           "; it offers: " + (offered.empty() ? "nothing" : offered) +
                           "; faceauth reads RGB24 (through libv4lconvert), MJPEG, YUYV, GREY and Y16");
  }

  V4l2Device device_;
  V4l2Options options_;
  PixelFormat format_ = PixelFormat::rgb24;
  int width_ = 0;
  int height_ = 0;
  size_t stride_ = 0;
  std::vector<uint8_t> buffer_;
  uint64_t frames_ = 0;
};

}  // namespace

std::unique_ptr<FrameSource> make_v4l2_source(const std::string& path, const V4l2Options& options) {
  return std::make_unique<V4l2Source>(path, options);
}

}  // namespace faceauth
