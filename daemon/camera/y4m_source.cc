#include "y4m_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <utility>
#include <vector>

#include "convert.h"
#include "image.h"

namespace faceauth {
namespace {

// Longest stream or frame header line read before the file is called damaged.
constexpr size_t kMaxHeaderLine = 4096;
constexpr const char* kSupported =
    "faceauth reads 8-bit 420jpeg, 420paldv, 420mpeg2, 420, 444 and mono "
    "(e.g. ffmpeg -i IN -pix_fmt yuv420p OUT.y4m)";
// A header frame rate below this would make next() sleep for longer than a
// verification may last; fps= in the camera setting overrides it.
constexpr double kMinHeaderRate = 1.0;

enum class Layout { i420, yuv444, mono };

struct StreamHeader {
  int width = 0;
  int height = 0;
  double rate = 0;  // frames per second; 0 = unknown (F0:0 or no F)
  std::string rate_text;
  Layout layout = Layout::i420;  // no C field: 420jpeg, as the format says
  bool full_range = false;
  size_t frame_bytes = 0;
};

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;  // 9 digits fit an int
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

enum class LineEnd { line, end_of_file };

class Y4mSource : public FrameSource {
 public:
  Y4mSource(std::string path, std::optional<double> fps, bool loop)
      : path_(std::move(path)),
        fps_(fps),
        loop_(loop) {}
  ~Y4mSource() override { close(); }

  void open() override {
    close();
    // O_NONBLOCK: a FIFO put in the file's place must not block open(); it is refused below.
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd_ < 0) {
      const int err = errno;
      if (err == ENOENT) fail("does not exist");
      fail(std::string("cannot be opened: ") + std::strerror(err) +
           (err == EACCES ? " (the daemon runs as the user faceauth, which must be able to "
                            "read it)"
                          : ""));
    }
    try {
      struct stat st {};
      if (::fstat(fd_, &st) != 0) fail(std::string("cannot be examined: ") + std::strerror(errno));
      if (!S_ISREG(st.st_mode)) fail("is not a regular file");
      offset_ = 0;
      std::string line;
      if (read_line(line) != LineEnd::line) {
        fail(line.empty() ? "is empty" : "is not a YUV4MPEG2 file (its header line has no end)");
      }
      header_ = parse_header(line);
      data_offset_ = offset_;
      // At least one whole frame ("FRAME\n" and its planes) must follow the header.
      if (::fstat(fd_, &st) != 0) fail(std::string("cannot be examined: ") + std::strerror(errno));
      const size_t size = static_cast<size_t>(st.st_size);
      const size_t rest = size > data_offset_ ? size - data_offset_ : 0;
      if (rest == 0) fail("has no frames");
      if (rest < 6 + header_.frame_bytes) {
        fail("is truncated: its first frame needs at least " + std::to_string(6 + header_.frame_bytes) +
             " bytes after the header, there are " + std::to_string(rest));
      }
      char magic[6];
      if (::pread(fd_, magic, 6, static_cast<off_t>(data_offset_)) != 6 ||
          std::memcmp(magic, "FRAME", 5) != 0 || (magic[5] != '\n' && magic[5] != ' ')) {
        fail("has no FRAME after its header (the file is damaged or not YUV4MPEG2)");
      }
      if (fps_) {
        pace_rate_ = *fps_;
      } else {
        if (header_.rate > 0 && header_.rate < kMinHeaderRate) {
          fail("has the frame rate " + header_.rate_text + ", below 1 frame per second; set fps= " +
               "in the camera setting to serve it faster (fps=0: as fast as asked)");
        }
        pace_rate_ = header_.rate;
      }
      buffer_.assign(header_.frame_bytes, 0);
    } catch (...) {
      close();
      throw;
    }
    frames_ = 0;
    in_pass_ = 0;
    last_ = {};
  }

  std::optional<Frame> next() override {
    if (fd_ < 0) fail("is not open (open() first)");
    std::string line;
    LineEnd end = read_line(line);
    if (end == LineEnd::end_of_file && line.empty() && loop_ && in_pass_ > 0) {
      if (::lseek(fd_, static_cast<off_t>(data_offset_), SEEK_SET) < 0) {
        fail(std::string("cannot be rewound: ") + std::strerror(errno));
      }
      offset_ = data_offset_;
      in_pass_ = 0;
      end = read_line(line);
    }
    if (end == LineEnd::end_of_file) {
      if (line.empty() && in_pass_ > 0) return std::nullopt;  // the last frame was served
      if (line.empty()) fail("has no frames any more (it changed while it was read)");
      fail("is truncated: it ends inside the header of frame " + std::to_string(in_pass_));
    }
    if (line.compare(0, 5, "FRAME") != 0 || (line.size() > 5 && line[5] != ' ')) {
      fail("has no FRAME header where frame " + std::to_string(in_pass_) + " should begin (byte " +
           std::to_string(offset_ - line.size() - 1) +
           "); the file is damaged or its frames do not match the header's size and colour space");
    }
    pace();
    const size_t n = read_full(buffer_.data(), buffer_.size());
    std::optional<Frame> frame;
    try {
      if (n < buffer_.size()) {
        fail("is truncated: frame " + std::to_string(in_pass_) + " has " + std::to_string(n) + " of its " +
             std::to_string(buffer_.size()) + " bytes");
      }
      frame = Frame{convert(), describe() + "#" + std::to_string(frames_)};
    } catch (...) {
      secure_wipe(buffer_.data(), n);
      throw;
    }
    secure_wipe(buffer_.data(), n);
    ++frames_;
    ++in_pass_;
    return frame;
  }

  void close() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    secure_wipe(buffer_);
  }

  std::string describe() const override { return "y4m:" + path_; }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw FrameSourceError("video file " + path_ + " " + problem);
  }

  // Reads up to the next '\n' (not kept), at most kMaxHeaderLine bytes.
  LineEnd read_line(std::string& line) {
    line.clear();
    for (;;) {
      char c;
      const ssize_t r = ::read(fd_, &c, 1);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) fail(std::string("cannot be read: ") + std::strerror(errno));
      if (r == 0) return LineEnd::end_of_file;
      ++offset_;
      if (c == '\n') return LineEnd::line;
      if (line.size() == kMaxHeaderLine) {
        fail("has a header line longer than " + std::to_string(kMaxHeaderLine) + " bytes at byte " +
             std::to_string(offset_ - line.size() - 1) + " (the file is damaged or not YUV4MPEG2)");
      }
      line.push_back(c);
    }
  }

  size_t read_full(uint8_t* out, size_t want) {
    size_t got = 0;
    while (got < want) {
      const ssize_t r = ::read(fd_, out + got, want - got);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        const int err = errno;
        secure_wipe(out, got);
        fail(std::string("cannot be read: ") + std::strerror(err));
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    offset_ += got;
    return got;
  }

  StreamHeader parse_header(const std::string& line) const {
    if (line.compare(0, 9, "YUV4MPEG2") != 0 || (line.size() > 9 && line[9] != ' ')) {
      fail("is not a YUV4MPEG2 file (it does not start with 'YUV4MPEG2 ')");
    }
    StreamHeader h;
    std::string colour = "420jpeg";
    std::optional<bool> range;
    size_t pos = 10;
    while (pos < line.size()) {
      size_t space = line.find(' ', pos);
      if (space == std::string::npos) space = line.size();
      const std::string field = line.substr(pos, space - pos);
      pos = space + 1;
      if (field.empty()) continue;
      const char tag = field[0];
      const std::string value = field.substr(1);
      const auto bad = [&](const std::string& valid) {
        fail("has a bad header field '" + field + "'; " + valid);
      };
      if (tag == 'W' || tag == 'H') {
        if (!all_digits(value) || std::stoi(value) < 1 || std::stoi(value) > kMaxFrameSide) {
          bad("the width (W) and height (H) must be 1 to " + std::to_string(kMaxFrameSide) + " pixels");
        }
        (tag == 'W' ? h.width : h.height) = std::stoi(value);
      } else if (tag == 'F' || tag == 'A') {
        const size_t colon = value.find(':');
        const std::string num = value.substr(0, colon);
        const std::string den = colon == std::string::npos ? "" : value.substr(colon + 1);
        if (!all_digits(num) || !all_digits(den)) {
          bad(tag == 'F' ? "the frame rate is F<num>:<den>, e.g. F30000:1001"
                         : "the pixel aspect is A<num>:<den>, e.g. A1:1");
        }
        if (tag == 'F') {
          const int n = std::stoi(num), d = std::stoi(den);
          if ((n == 0) != (d == 0)) bad("the frame rate must be positive, or F0:0 when unknown");
          h.rate = d == 0 ? 0 : static_cast<double>(n) / d;
          h.rate_text = field;
        }
      } else if (tag == 'I') {
        if (value != "p" && value != "t" && value != "b" && value != "m" && value != "?") {
          bad("interlacing is Ip, It, Ib, Im or I?");
        }
      } else if (tag == 'C') {
        colour = value;
      } else if (tag == 'X') {
        if (value == "COLORRANGE=FULL")
          range = true;
        else if (value == "COLORRANGE=LIMITED")
          range = false;
        // other X fields are the producer's own (e.g. XYSCSS=420JPEG): ignored
      } else {
        bad("a YUV4MPEG2 header has only the fields W, H, F, I, A, C and X");
      }
    }
    if (h.width == 0 || h.height == 0) {
      fail("has no " + std::string(h.width == 0 ? "width (W)" : "height (H)") + " in its YUV4MPEG2 header");
    }
    const size_t plane = static_cast<size_t>(h.width) * static_cast<size_t>(h.height);
    if (colour == "420jpeg" || colour == "420paldv" || colour == "420mpeg2" || colour == "420") {
      h.layout = Layout::i420;
      h.frame_bytes = plane + 2 * static_cast<size_t>((h.width + 1) / 2) * ((h.height + 1) / 2);
    } else if (colour == "444") {
      h.layout = Layout::yuv444;
      h.frame_bytes = 3 * plane;
    } else if (colour == "mono") {
      h.layout = Layout::mono;
      h.frame_bytes = plane;
    } else {
      fail("has the colour space '" + colour + "', which is not supported; " + kSupported);
    }
    // Mono without a stated range is full range (as ffmpeg reads and writes it);
    // YUV is limited range unless stated otherwise, and full-range YUV is refused.
    h.full_range = range.value_or(h.layout == Layout::mono);
    if (h.full_range && h.layout != Layout::mono) {
      fail(
          "is full-range YUV (XCOLORRANGE=FULL), which is not supported; faceauth reads "
          "BT.601 limited range (write it with ffmpeg -pix_fmt yuv420p, not yuvj420p)");
    }
    return h;
  }

  Image convert() const {
    const std::span<const uint8_t> bytes(buffer_.data(), buffer_.size());
    switch (header_.layout) {
      case Layout::i420: return convert_i420(bytes, header_.width, header_.height);
      case Layout::yuv444: return convert_yuv444(bytes, header_.width, header_.height);
      case Layout::mono: return convert_mono(bytes, header_.width, header_.height, header_.full_range);
    }
    fail("has an unknown layout");
  }

  void pace() {
    if (pace_rate_ <= 0) return;
    auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / pace_rate_));
    auto now = std::chrono::steady_clock::now();
    if (last_.time_since_epoch().count() != 0 && now < last_ + period)
      std::this_thread::sleep_until(last_ + period);
    last_ = std::chrono::steady_clock::now();
  }

  std::string path_;
  std::optional<double> fps_;
  bool loop_;
  int fd_ = -1;
  StreamHeader header_;
  size_t offset_ = 0;       // bytes read so far (for messages)
  size_t data_offset_ = 0;  // where the first FRAME begins
  double pace_rate_ = 0;
  std::vector<uint8_t> buffer_;  // one frame's planes; wiped after each frame
  uint64_t frames_ = 0;          // served since open()
  uint64_t in_pass_ = 0;         // served since the start of the file (loop restarts it)
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

std::unique_ptr<FrameSource> make_y4m_source(const std::string& path, std::optional<double> fps, bool loop) {
  if (fps && (*fps < 0 || *fps > 1000)) throw FrameSourceError("frame rate must be between 0 and 1000");
  return std::make_unique<Y4mSource>(path, fps, loop);
}

}  // namespace faceauth
