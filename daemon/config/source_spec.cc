#include "source_spec.h"

#include <cmath>
#include <map>

#include "value_parse.h"

namespace faceauth {
namespace {

using detail::parse_bool;
using detail::parse_decimal;
using detail::parse_whole;

const char* kGrammar =
    "use v4l2:/dev/videoN, v4l2:/dev/v4l/by-id/NAME, dir:/absolute/folder or "
    "y4m:/absolute/file.y4m, "
    "optionally followed by ?name=value&name=value";

int whole_option(const std::string& name, const std::string& value, int lo, int hi) {
  auto v = parse_whole(value);
  if (!v || *v < lo || *v > hi) {
    throw SourceSpecError("option '" + name + "=" + value + "' is invalid; use a whole number from " +
                          std::to_string(lo) + " to " + std::to_string(hi));
  }
  return static_cast<int>(*v);
}

double fps_option(const std::string& value) {
  auto v = parse_decimal(value);
  if (!v || *v < 0 || *v > 240) {
    throw SourceSpecError("option 'fps=" + value + "' is invalid; use a number from 0 (no pacing) to 240");
  }
  return *v;
}

// emitter=UNIT:SELECTOR:HEX, as linux-enable-ir-emitter reports them.
SourceSpec::UvcControl emitter_option(const std::string& value) {
  const std::string how =
      "' is invalid; use emitter=UNIT:SELECTOR:BYTES with the extension unit's id and the "
      "control's selector (1..255 each) and the bytes to set in hexadecimal (1..64 bytes), "
      "e.g. emitter=14:6:0103020000000000 (docs/camera.md says how to find them)";
  const auto c1 = value.find(':');
  const auto c2 = c1 == std::string::npos ? c1 : value.find(':', c1 + 1);
  if (c2 == std::string::npos) throw SourceSpecError("option 'emitter=" + value + how);
  SourceSpec::UvcControl c;
  auto unit = parse_whole(value.substr(0, c1));
  auto selector = parse_whole(value.substr(c1 + 1, c2 - c1 - 1));
  const std::string hex = value.substr(c2 + 1);
  if (!unit || *unit < 1 || *unit > 255 || !selector || *selector < 1 || *selector > 255 || hex.empty() ||
      hex.size() % 2 != 0 || hex.size() > 128) {
    throw SourceSpecError("option 'emitter=" + value + how);
  }
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [&](char ch) -> int {
      if (ch >= '0' && ch <= '9') return ch - '0';
      if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
      if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
      throw SourceSpecError("option 'emitter=" + value + how);
    };
    c.data.push_back(static_cast<uint8_t>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  c.unit = static_cast<int>(*unit);
  c.selector = static_cast<int>(*selector);
  return c;
}

void apply_v4l2_option(SourceSpec& s, const std::string& name, const std::string& value) {
  if (name == "width") {
    s.width = whole_option(name, value, 16, 8192);
  } else if (name == "height") {
    s.height = whole_option(name, value, 16, 8192);
  } else if (name == "fps") {
    s.fps = fps_option(value);
  } else if (name == "timeout_ms") {
    s.timeout_ms = whole_option(name, value, 100, 60000);
  } else if (name == "format") {
    if (value != "rgb24" && value != "mjpeg" && value != "yuyv" && value != "grey" && value != "y16") {
      throw SourceSpecError("option 'format=" + value +
                            "' is invalid; use rgb24, mjpeg, yuyv, grey or y16 "
                            "(or leave it out to choose automatically)");
    }
    s.format = value;
  } else if (name == "emitter") {
    s.emitter = emitter_option(value);
  } else {
    throw SourceSpecError("unknown option '" + name +
                          "' for a v4l2 camera; valid options are width, height, fps, "
                          "format, timeout_ms and emitter");
  }
}

// dir and y4m (recorded material) take the same options.
void apply_recorded_option(SourceSpec& s, const std::string& kind, const std::string& name,
                           const std::string& value) {
  if (name == "fps") {
    s.fps = fps_option(value);
  } else if (name == "loop") {
    auto v = parse_bool(value);
    if (!v) {
      throw SourceSpecError("option 'loop=" + value + "' is invalid; use 1 or 0 (true or false)");
    }
    s.loop = *v;
  } else {
    throw SourceSpecError("unknown option '" + name + "' for a " + kind +
                          " source; valid options are fps and loop");
  }
}

}  // namespace

SourceSpec parse_source_spec(const std::string& spec) {
  SourceSpec s;
  const auto colon = spec.find(':');
  if (colon == std::string::npos) {
    throw SourceSpecError("'" + spec + "' has no source kind; " + kGrammar);
  }
  const std::string kind = spec.substr(0, colon);
  if (kind == "v4l2") {
    s.kind = SourceSpec::Kind::v4l2;
  } else if (kind == "dir") {
    s.kind = SourceSpec::Kind::dir;
  } else if (kind == "y4m") {
    s.kind = SourceSpec::Kind::y4m;
  } else {
    throw SourceSpecError("unknown source kind '" + kind + "'; " + kGrammar);
  }
  std::string rest = spec.substr(colon + 1);
  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.resize(q);
  }
  if (rest.empty() || rest.front() != '/') {
    throw SourceSpecError("the path in '" + spec + "' must be absolute (start with /); " + kGrammar);
  }
  s.path = rest;

  std::map<std::string, bool> seen;
  size_t pos = 0;
  while (!query.empty() && pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string item = query.substr(pos, amp - pos);
    pos = amp + 1;
    const auto eq = item.find('=');
    if (item.empty() || eq == std::string::npos || eq == 0) {
      throw SourceSpecError("option '" + item + "' in '" + spec +
                            "' is not name=value; separate options with &");
    }
    const std::string name = item.substr(0, eq);
    const std::string value = item.substr(eq + 1);
    if (seen[name]) throw SourceSpecError("option '" + name + "' is given twice in '" + spec + "'");
    seen[name] = true;
    if (s.kind == SourceSpec::Kind::v4l2) {
      apply_v4l2_option(s, name, value);
    } else {
      apply_recorded_option(s, kind, name, value);
    }
    if (name == "fps") s.fps_given = true;
  }
  return s;
}

}  // namespace faceauth
