#include "dataset.h"

#include <algorithm>
#include <filesystem>

#include "frame_source.h"

namespace fs = std::filesystem;

namespace faceauth {

std::vector<Identity> load_dataset(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw FrameSourceError("dataset folder " + dir +
                           " does not exist; it must hold one sub-folder of photos per person");
  std::vector<Identity> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    Identity id{it->path().filename().string(), list_image_files(it->path().string())};
    if (!id.photos.empty()) out.push_back(std::move(id));
  }
  if (ec) throw FrameSourceError("cannot read dataset folder " + dir + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const Identity& a, const Identity& b) { return a.name < b.name; });
  return out;
}

}  // namespace faceauth
