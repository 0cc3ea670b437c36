// Builds the frame source named by the `camera` setting (grammar in
// config/source_spec.h): "v4l2:PATH[?options]", "dir:PATH[?fps=N&loop=1]" or
// "y4m:FILE[?fps=N&loop=1]".
// Only configuration reaches this; no D-Bus caller can name a source.
#pragma once

#include <memory>
#include <string>

#include "frame_source.h"

namespace faceauth {

// Throws FrameSourceError (saying what is valid) for anything else. Opens nothing.
std::unique_ptr<FrameSource> make_frame_source(const std::string& spec);

}  // namespace faceauth
