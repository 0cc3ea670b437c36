#include "config_keys.h"

#include <algorithm>
#include <cctype>

#include "source_spec.h"
#include "value_parse.h"

namespace faceauth::detail {
namespace {

std::string quoted(const std::string& v) { return "'" + v + "'"; }
std::string lower(std::string s);

std::function<void(Config&, const std::string&)> whole(int Config::*field, int lo, int hi) {
  return [field, lo, hi](Config& c, const std::string& v) {
    const std::string valid = "use a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
    auto n = parse_whole(v);
    if (!n) throw ValueError(quoted(v) + " is not a whole number; " + valid);
    if (*n < lo || *n > hi) throw ValueError(quoted(v) + " is out of range; " + valid);
    c.*field = static_cast<int>(*n);
  };
}

std::function<void(Config&, const std::string&)> absolute_path(std::string Config::*field) {
  return [field](Config& c, const std::string& v) {
    if (v.empty() || v.front() != '/') {
      throw ValueError(quoted(v) + " is not an absolute path; use a path starting with /");
    }
    if (v.find('\0') != std::string::npos) {
      throw ValueError("the path contains a NUL byte; use a plain absolute path");
    }
    c.*field = v;
  };
}

void apply_camera(Config& c, const std::string& v) {
  try {
    parse_source_spec(v);
  } catch (const SourceSpecError& e) {
    throw ValueError(e.what());
  }
  c.camera = v;
}

// "04f2:b67c, 5986:1141": USB vendor:product IDs, four hex digits each.
void apply_ir_usb_ids(Config& c, const std::string& v) {
  std::vector<std::string> ids;
  std::string item;
  auto take = [&] {
    if (item.empty()) return;
    const bool ok = item.size() == 9 && item[4] == ':' && std::all_of(item.begin(), item.end(), [](char ch) {
                      return ch == ':' || std::isxdigit(static_cast<unsigned char>(ch));
                    });
    if (!ok) {
      throw ValueError(quoted(item) +
                       " is not a USB ID; use vendor:product in hexadecimal as lsusb shows it "
                       "(e.g. 04f2:b67c), several separated by commas or spaces");
    }
    ids.push_back(lower(item));
    item.clear();
  };
  for (char ch : v) {
    if (ch == ',' || ch == ' ' || ch == '\t')
      take();
    else
      item += ch;
  }
  take();
  c.ir_usb_ids = std::move(ids);
}

void apply_security_level(Config& c, const std::string& v) {
  if (v == "strict") {
    c.security_level = SecurityLevel::strict;
  } else if (v == "balanced") {
    c.security_level = SecurityLevel::balanced;
  } else if (v == "convenient") {
    c.security_level = SecurityLevel::convenient;
  } else {
    throw ValueError(quoted(v) + " is not a security level; use strict, balanced or convenient");
  }
}

void apply_embedder(Config& c, const std::string& v) {
  auto k = parse_embedder(v);
  if (!k) throw ValueError(quoted(v) + " is not an embedder; use mobilefacenet or dlib-resnet");
  c.embedder = *k;
}

void apply_liveness(Config& c, const std::string& v) {
  if (v == "required")
    c.liveness = LivenessMode::required;
  else if (v == "blink")
    c.liveness = LivenessMode::blink;
  else if (v == "off")
    c.liveness = LivenessMode::off;
  else
    throw ValueError(quoted(v) + " is not a liveness mode; use required, blink or off");
}

void apply_threshold(Config& c, const std::string& v) {
  const std::string valid =
      "use a decimal number greater than 0 and less than 1.5 (e.g. 0.45), "
      "or remove the key to use security_level";
  auto d = parse_decimal(v);
  if (!d) throw ValueError(quoted(v) + " is not a decimal number; " + valid);
  if (!(*d > 0.0 && *d < 1.5)) throw ValueError(quoted(v) + " is out of range; " + valid);
  c.threshold = *d;
}

std::vector<KeySpec> make_keys() {
  return {
      {"camera", apply_camera},
      {"security_level", apply_security_level},
      {"threshold", apply_threshold},
      {"embedder", apply_embedder},
      {"liveness", apply_liveness},
      {"frames_needed", whole(&Config::frames_needed, 1, 100)},
      {"frames_window", whole(&Config::frames_window, 1, 100)},
      {"verify_timeout_seconds", whole(&Config::verify_timeout_seconds, 1, 60)},
      {"enroll_frames", whole(&Config::enroll_frames, 1, 50)},
      {"lockout_attempts", whole(&Config::lockout_attempts, 1, 100)},
      {"lockout_seconds", whole(&Config::lockout_seconds, 10, 86400)},
      {"retention_days", whole(&Config::retention_days, 1, 3650)},
      {"notice_path", absolute_path(&Config::notice_path)},
      {"min_face_pixels", whole(&Config::min_face_pixels, 20, 4096)},
      {"dark_frame_threshold", whole(&Config::dark_frame_threshold, 0, 255)},
      {"queue_limit", whole(&Config::queue_limit, 1, 64)},
      {"ir_usb_ids", apply_ir_usb_ids},
      {"state_dir", absolute_path(&Config::state_dir)},
      {"model_dir", absolute_path(&Config::model_dir)},
  };
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

const std::vector<KeySpec>& config_keys() {
  static const std::vector<KeySpec> keys = make_keys();
  return keys;
}

const KeySpec* find_key(const std::string& name) {
  for (const auto& k : config_keys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

std::string closest_key(const std::string& name) {
  const std::string want = lower(name);
  std::string best;
  size_t best_distance = 0;
  for (const auto& k : config_keys()) {
    const size_t d = edit_distance(want, k.name);
    if (best.empty() || d < best_distance) {
      best = k.name;
      best_distance = d;
    }
  }
  // Near enough to be a slip: a few edits, and fewer than a third of the name.
  const size_t limit = std::min<size_t>(3, std::max<size_t>(1, best.size() / 3));
  return best_distance <= limit ? best : "";
}

}  // namespace faceauth::detail
