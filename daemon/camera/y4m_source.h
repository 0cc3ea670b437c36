// A FrameSource over a recorded YUV4MPEG2 video (.y4m, what `ffmpeg -f
// yuv4mpegpipe` writes): a camera stand-in for demos and tests. Like a camera,
// the file is opened in open() and closed in close(), read afresh for every
// job, one frame at a time (never the whole file in memory).
//
// Accepted: 8-bit colour spaces 420jpeg, 420paldv, 420mpeg2, 420 (I420 planar
// 4:2:0; the siting variants are read alike), 444 and mono. Converted to RGB
// with BT.601 limited range (convert.h); mono is full range unless the header
// says XCOLORRANGE=LIMITED, and full-range YUV (XCOLORRANGE=FULL) is refused.
// Sides up to kMaxFrameSide. A missing or empty file, a bad header, an
// unsupported colour space, a truncated frame or garbage between frames is a
// FrameSourceError naming the file, never a crash.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "frame_source.h"

namespace faceauth {

// `fps`: nullopt paces at the header's frame rate (F num:den; an unknown rate
// F0:0 or none is not paced); a value overrides it, 0 = as fast as asked.
// `loop` starts again at the first frame after the last. Opens nothing.
std::unique_ptr<FrameSource> make_y4m_source(const std::string& path,
                                             std::optional<double> fps = std::nullopt, bool loop = false);

}  // namespace faceauth
