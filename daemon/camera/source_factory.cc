#include "source_factory.h"

#include "trusted_path.h"

#include "source_spec.h"
#include "v4l2_source.h"
#include "y4m_source.h"

namespace faceauth {

std::unique_ptr<FrameSource> make_frame_source(const std::string& spec) {
  SourceSpec parsed;
  try {
    parsed = parse_source_spec(spec);
  } catch (const SourceSpecError& e) {
    throw FrameSourceError("camera source '" + spec + "': " + e.what());
  }
  switch (parsed.kind) {
    case SourceSpec::Kind::v4l2: {
      V4l2Options options;
      options.width = parsed.width;
      options.height = parsed.height;
      options.fps = parsed.fps;
      options.format = parsed.format;
      options.timeout_ms = parsed.timeout_ms;
      options.emitter = parsed.emitter;
      return make_v4l2_source(parsed.path, options);
    }
    case SourceSpec::Kind::dir:
      if (auto why = untrusted_reason(parsed.path))
        throw FrameSourceError(
            "recorded camera source not trusted (whoever can write it can log in as anyone "
            "enrolled): " +
            *why);
      return make_directory_source(parsed.path, parsed.fps, parsed.loop);
    case SourceSpec::Kind::y4m:
      if (auto why = untrusted_reason(parsed.path))
        throw FrameSourceError(
            "recorded camera source not trusted (whoever can write it can log in as anyone "
            "enrolled): " +
            *why);
      return make_y4m_source(parsed.path, parsed.fps_given ? std::optional<double>(parsed.fps) : std::nullopt,
                             parsed.loop);
  }
  throw FrameSourceError("camera source '" + spec + "': unknown kind");
}

}  // namespace faceauth
