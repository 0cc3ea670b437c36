#include "frame_source.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>
#include <thread>

#include "decode.h"

namespace fs = std::filesystem;

namespace faceauth {
namespace {

bool has_image_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

class FileSource : public FrameSource {
 public:
  explicit FileSource(std::string path) : path_(std::move(path)) {}
  void open() override { served_ = false; }
  std::optional<Frame> next() override {
    if (served_) return std::nullopt;
    served_ = true;
    try {
      return Frame{load_image_file(path_), "file:" + path_};
    } catch (const DecodeError& e) {
      throw FrameSourceError(e.what());
    }
  }
  void close() override {}
  std::string describe() const override { return "file:" + path_; }

 private:
  std::string path_;
  bool served_ = false;
};

class DirectorySource : public FrameSource {
 public:
  DirectorySource(std::string dir, double fps, bool loop) : dir_(std::move(dir)), fps_(fps), loop_(loop) {}

  void open() override {
    files_ = list_image_files(dir_);  // read afresh for every job
    index_ = 0;
    last_ = {};
  }

  std::optional<Frame> next() override {
    if (files_.empty() || (index_ >= files_.size() && !loop_)) return std::nullopt;
    if (index_ >= files_.size()) index_ = 0;
    pace();
    const std::string path = files_[index_++];
    try {
      Frame f{load_image_file(path), "dir:" + path};
      reread_ = false;
      return f;
    } catch (const DecodeError& e) {
      // The folder was refilled while the job ran (a recorded camera updated
      // in place): once, it shows what the folder holds now. A file that is
      // there but unreadable or damaged stays an error.
      std::error_code ec;
      if (reread_ || std::filesystem::exists(path, ec)) throw FrameSourceError(e.what());
      reread_ = true;
      files_ = list_image_files(dir_);
      index_ = 0;
      // An emptied or removed folder: the camera is gone, as before.
      if (files_.empty()) throw FrameSourceError(e.what());
      return next();
    }
  }

  void close() override { files_.clear(); }
  std::string describe() const override { return "dir:" + dir_; }

 private:
  void pace() {
    if (fps_ <= 0) return;
    auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / fps_));
    auto now = std::chrono::steady_clock::now();
    if (last_.time_since_epoch().count() != 0 && now < last_ + period)
      std::this_thread::sleep_until(last_ + period);
    last_ = std::chrono::steady_clock::now();
  }

  std::string dir_;
  double fps_;
  bool loop_;
  std::vector<std::string> files_;
  size_t index_ = 0;
  bool reread_ = false;  // the listing was read again after a file vanished
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace

std::vector<std::string> list_image_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw FrameSourceError("frame directory " + dir + " does not exist or is not a directory");
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && has_image_extension(it->path())) files.push_back(it->path().string());
  }
  if (ec) throw FrameSourceError("cannot read frame directory " + dir + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

std::unique_ptr<FrameSource> make_file_source(const std::string& path) {
  return std::make_unique<FileSource>(path);
}

std::unique_ptr<FrameSource> make_directory_source(const std::string& dir, double fps, bool loop) {
  if (fps < 0 || fps > 1000) throw FrameSourceError("frame rate must be between 0 and 1000");
  return std::make_unique<DirectorySource>(dir, fps, loop);
}

}  // namespace faceauth
