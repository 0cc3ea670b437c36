// A folder-per-identity photo set (../shared/faces/identities, lfw-dev):
// used by calibration, benchmarks, the demo and tests. Never part of the daemon's data.
#pragma once

#include <string>
#include <vector>

namespace faceauth {

struct Identity {
  std::string name;                 // folder name
  std::vector<std::string> photos;  // paths, sorted
};

// Every sub-folder with at least one image, sorted by name. Throws
// FrameSourceError when `dir` is not a readable directory.
std::vector<Identity> load_dataset(const std::string& dir);

}  // namespace faceauth
