// Which face model makes templates: the configuration's `embedder` key, the
// store's record of each template, the recognition pipeline's choice. Kept
// here, in the configuration's leaf library, so that reading a configuration
// needs nothing of the recognition code (faceauthctl links no models).
#pragma once

#include <optional>
#include <string>

namespace faceauth {

enum class EmbedderKind { dlib_resnet, mobilefacenet };

// The embedder used when the configuration names none: at the balanced level
// MobileFaceNet refuses 38 of 1 945 genuine attempts where dlib refuses 841,
// with fewer false accepts on the East-Asian sets (docs/recognition.md).
inline constexpr EmbedderKind kDefaultEmbedder = EmbedderKind::mobilefacenet;

// "dlib-resnet", "mobilefacenet": the names used in the configuration, the
// store (each template's associated data) and `faceauthctl list`.
const char* embedder_name(EmbedderKind k);
std::optional<EmbedderKind> parse_embedder(const std::string& name);

// The compiled-in default model directory, overridden by $FACEAUTH_MODEL_DIR.
std::string default_model_dir();

}  // namespace faceauth
