// The populations protocol of faceauth-calibrate (calibrate_populations.cc).
#pragma once

#include <string>
#include <vector>

#include "populations.h"

namespace faceauth {

struct PopulationRun {
  std::vector<PopulationSet> sets;
  std::string impostor_dir;
  PopulationOptions options;
  std::string roc_path;
  int time_frames = 0;  // photos per set to time the pipeline on (0: no timing)
};

int run_populations(const PopulationRun& run);

}  // namespace faceauth
