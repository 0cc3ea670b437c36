// faceauthd's settings: /etc/faceauth/faceauth.conf plus the drop-ins in
// /etc/faceauth/faceauth.conf.d/*.conf, applied in name order (later wins).
// The format and every key are described in docs/configuration.md and in the
// commented example daemon/config/faceauth.conf.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "embedder_kind.h"  // EmbedderKind, kDefaultEmbedder, default_model_dir()

namespace faceauth {

enum class SecurityLevel { strict, balanced, convenient };

// required: a verification needs identity and a live verdict from the
// passive liveness network over the attempt's frames; blink: that and a blink
// seen within the attempt (opt-in active check); off: identity only (a
// printed photo of the person is accepted).
enum class LivenessMode { required, blink, off };

// "strict", "balanced", "convenient".
std::string to_string(SecurityLevel level);
// "required", "blink", "off".
const char* liveness_name(LivenessMode mode);

struct Config {
  // Frame source, see source_spec.h: "v4l2:/dev/video0", "dir:/srv/frames?fps=10&loop=1".
  std::string camera = "v4l2:/dev/video0";
  SecurityLevel security_level = SecurityLevel::balanced;
  // The face model that turns a face into a template (docs/recognition.md).
  // Templates of another embedder are never compared: changing it means
  // everyone enrolls again.
  EmbedderKind embedder = kDefaultEmbedder;
  // Presentation-attack detection (docs/liveness.md).
  LivenessMode liveness = LivenessMode::required;
  // Expert override of the level: the embedder's raw distance in (0, 1.5)
  // (Euclidean for dlib-resnet, cosine distance for mobilefacenet).
  std::optional<double> threshold;
  int frames_needed = 2;           // k: matching frames needed ...
  int frames_window = 10;          // n: ... among this many examined frames
  int verify_timeout_seconds = 5;  // 1..60
  int enroll_frames = 5;           // 1..50
  int lockout_attempts = 5;        // 1..100
  int lockout_seconds = 300;       // 10..86400
  int retention_days = 365;        // 1..3650
  std::string notice_path = "/usr/share/faceauth/notice.txt";
  int min_face_pixels = 60;       // 20..4096
  int dark_frame_threshold = 25;  // 0..255 mean brightness; darker frames are skipped
  int queue_limit = 4;            // 1..64 pending camera jobs
  // USB IDs ("vvvv:pppp", lower-case hex) of cameras the administrator
  // vouches for as infrared: the camera counts as IR (PAM require=ir) only
  // when its USB ID is listed here and it offers nothing but greyscale
  // formats. Never judged by the camera's name (docs/camera.md).
  std::vector<std::string> ir_usb_ids;
  std::string state_dir = "/var/lib/faceauth";
  std::string model_dir = default_model_dir();

  // The files that were read, in the order applied (for `status` and logs).
  std::vector<std::string> files;
};

// A configuration mistake. what() is the whole message, e.g.
//   /etc/faceauth/faceauth.conf:7: key 'lockout_attempts': '0' is out of range;
//   use a whole number from 1 to 100
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string key, const std::string& problem);
  const std::string& file() const { return file_; }
  int line() const { return line_; }               // 0 when the problem is not on one line
  const std::string& key() const { return key_; }  // empty when no key is involved
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  int line_;
  std::string key_;
  std::string problem_;
};

// Reads `main_path` and then every `*.conf` in `main_path + ".d/"` in name
// order. A missing main file means the defaults (a fresh install has none),
// unless `main_required` (for a path a person typed). A missing drop-in
// directory is fine. Anything unreadable or invalid throws ConfigError.
Config load_config(const std::string& main_path, bool main_required = false);
// The parsing half of load_config: (file name, text) pairs in the order
// they apply (main file first, then drop-ins). Throws ConfigError.
Config parse_config_texts(const std::vector<std::pair<std::string, std::string>>& files);

// The installed location.
inline constexpr const char* kDefaultConfigPath = "/etc/faceauth/faceauth.conf";

}  // namespace faceauth
