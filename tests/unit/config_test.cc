// The configuration loader: defaults, every key, bad values, unknown keys,
// drop-in order and the content of error messages (file, line, key).
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "config.h"
#include "source_spec.h"
#include "test_support.h"

namespace fs = std::filesystem;
using faceauth::Config;
using faceauth::ConfigError;
using faceauth::load_config;
using faceauth::SecurityLevel;

namespace {

struct TempConf {
  std::string dir = faceauth::test::make_temp_dir("config");
  std::string main = dir + "/faceauth.conf";
  ~TempConf() {
    std::error_code ec;
    fs::permissions(dir, fs::perms::owner_all, ec);
    fs::remove_all(dir, ec);
  }
  void write(const std::string& path, const std::string& text) const {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  void write_main(const std::string& text) const { write(main, text); }
  void write_dropin(const std::string& name, const std::string& text) const {
    write(main + ".d/" + name, text);
  }
};

Config load_text(const std::string& text) {
  TempConf t;
  t.write_main(text);
  return load_config(t.main);
}

// Loads `text`, expects a ConfigError and returns it for inspection.
ConfigError expect_error(const std::string& text) {
  TempConf t;
  t.write_main(text);
  try {
    load_config(t.main);
  } catch (const ConfigError& e) {
    BOOST_TEST(e.file() == t.main);
    BOOST_TEST(std::string(e.what()).find(t.main) == 0u);
    return e;
  }
  BOOST_FAIL("no ConfigError for: " + text);
  throw std::logic_error("unreachable");
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(missing_main_file_gives_defaults) {
  TempConf t;
  const Config c = load_config(t.main);
  BOOST_TEST(c.camera == "v4l2:/dev/video0");
  BOOST_TEST((c.security_level == SecurityLevel::balanced));
  BOOST_TEST(!c.threshold.has_value());
  BOOST_TEST(c.frames_needed == 2);
  BOOST_TEST(c.frames_window == 10);
  BOOST_TEST(c.verify_timeout_seconds == 5);
  BOOST_TEST(c.enroll_frames == 5);
  BOOST_TEST(c.lockout_attempts == 5);
  BOOST_TEST(c.lockout_seconds == 300);
  BOOST_TEST(c.retention_days == 365);
  BOOST_TEST(c.notice_path == "/usr/share/faceauth/notice.txt");
  BOOST_TEST(c.min_face_pixels == 60);
  BOOST_TEST(c.dark_frame_threshold == 25);
  BOOST_TEST(c.queue_limit == 4);
  BOOST_TEST(c.state_dir == "/var/lib/faceauth");
  BOOST_TEST(c.model_dir == faceauth::default_model_dir());
  BOOST_TEST(c.model_dir.front() == '/');
  BOOST_TEST(c.files.empty());
}

BOOST_AUTO_TEST_CASE(missing_main_file_is_an_error_when_required) {
  TempConf t;
  try {
    load_config(t.main, true);
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.file() == t.main);
    BOOST_TEST(contains(e.what(), "does not exist"));
  }
}

BOOST_AUTO_TEST_CASE(every_key_is_read) {
  const Config c = load_text(
      "# a comment\n"
      "\n"
      "camera = dir:/srv/frames?fps=10&loop=1\n"
      "security_level = strict\n"
      "threshold = 0.45\n"
      "frames_needed = 3\n"
      "frames_window = 12\n"
      "verify_timeout_seconds = 7\n"
      "enroll_frames = 9\n"
      "lockout_attempts = 8\n"
      "lockout_seconds = 600\n"
      "retention_days = 30\n"
      "notice_path = /etc/faceauth/notice.txt\n"
      "min_face_pixels = 120\n"
      "dark_frame_threshold = 0\n"
      "queue_limit = 64\n"
      "state_dir = /srv/faceauth/state\n"
      "model_dir = \"/opt/models\"\n");
  BOOST_TEST(c.camera == "dir:/srv/frames?fps=10&loop=1");
  BOOST_TEST((c.security_level == SecurityLevel::strict));
  BOOST_REQUIRE(c.threshold.has_value());
  BOOST_TEST(*c.threshold == 0.45);
  BOOST_TEST(c.frames_needed == 3);
  BOOST_TEST(c.frames_window == 12);
  BOOST_TEST(c.verify_timeout_seconds == 7);
  BOOST_TEST(c.enroll_frames == 9);
  BOOST_TEST(c.lockout_attempts == 8);
  BOOST_TEST(c.lockout_seconds == 600);
  BOOST_TEST(c.retention_days == 30);
  BOOST_TEST(c.notice_path == "/etc/faceauth/notice.txt");
  BOOST_TEST(c.min_face_pixels == 120);
  BOOST_TEST(c.dark_frame_threshold == 0);
  BOOST_TEST(c.queue_limit == 64);
  BOOST_TEST(c.state_dir == "/srv/faceauth/state");
  BOOST_TEST(c.model_dir == "/opt/models");
  BOOST_TEST(c.files.size() == 1u);
}

BOOST_AUTO_TEST_CASE(whitespace_crlf_and_bom_are_tolerated) {
  const Config c = load_text(
      "\xEF\xBB\xBF  queue_limit=7\r\n\t# indented comment\r\n"
      "security_level\t=  convenient  \r\n");
  BOOST_TEST(c.queue_limit == 7);
  BOOST_TEST((c.security_level == SecurityLevel::convenient));
}

BOOST_AUTO_TEST_CASE(security_levels) {
  BOOST_TEST((load_text("security_level = balanced\n").security_level == SecurityLevel::balanced));
  BOOST_TEST(faceauth::to_string(SecurityLevel::strict) == "strict");
  BOOST_TEST(faceauth::to_string(SecurityLevel::convenient) == "convenient");
  const auto e = expect_error("security_level = paranoid\n");
  BOOST_TEST(e.line() == 1);
  BOOST_TEST(e.key() == "security_level");
  BOOST_TEST(contains(e.what(), "strict, balanced or convenient"));
}

BOOST_AUTO_TEST_CASE(files_anyone_but_root_can_write_are_refused) {
  TempConf t;
  t.write_main("security_level = strict\n");
  BOOST_TEST((load_config(t.main).security_level == SecurityLevel::strict));
  fs::permissions(t.main, fs::perms::group_write, fs::perm_options::add);
  try {
    load_config(t.main);
    BOOST_FAIL("a group-writable configuration file was read");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.file() == t.main);
    BOOST_TEST(contains(e.what(), "writable by its group"));
    BOOST_TEST(contains(e.what(), "chmod go-w " + t.main));
  }
  fs::permissions(t.main, fs::perms::group_write, fs::perm_options::remove);
  t.write_dropin("10-camera.conf", "camera = dir:/srv/frames\n");
  fs::permissions(t.main + ".d", fs::perms::others_write, fs::perm_options::add);
  try {
    load_config(t.main);
    BOOST_FAIL("a world-writable drop-in directory was read");
  } catch (const ConfigError& e) {
    BOOST_TEST(contains(e.what(), t.main + ".d"));
    BOOST_TEST(contains(e.what(), "writable by others"));
  }
  fs::permissions(t.main + ".d", fs::perms::others_write, fs::perm_options::remove);
  if (::geteuid() == 0) {  // a file owned by someone else (only root can hand a file to another uid)
    BOOST_REQUIRE(::chown((t.main + ".d/10-camera.conf").c_str(), 65534, 65534) == 0);
    try {
      load_config(t.main);
      BOOST_FAIL("a drop-in owned by another user was read");
    } catch (const ConfigError& e) {
      BOOST_TEST(contains(e.what(), "owned by uid 65534"));
      BOOST_TEST(contains(e.what(), "chown root:root"));
    }
  } else {
    BOOST_TEST_MESSAGE("owner check not exercised: needs root to chown a file to another uid");
  }
}

BOOST_AUTO_TEST_CASE(embedders) {
  BOOST_TEST((load_text("").embedder == faceauth::EmbedderKind::mobilefacenet));
  BOOST_TEST((load_text("embedder = dlib-resnet\n").embedder == faceauth::EmbedderKind::dlib_resnet));
  BOOST_TEST((load_text("embedder = mobilefacenet\n").embedder == faceauth::EmbedderKind::mobilefacenet));
  const auto e = expect_error("\nembedder = arcface\n");
  BOOST_TEST(e.line() == 2);
  BOOST_TEST(e.key() == "embedder");
  BOOST_TEST(contains(e.what(), "use mobilefacenet or dlib-resnet"));
}

BOOST_AUTO_TEST_CASE(liveness_modes) {
  BOOST_TEST((load_text("").liveness == faceauth::LivenessMode::required));
  BOOST_TEST((load_text("liveness = blink\n").liveness == faceauth::LivenessMode::blink));
  BOOST_TEST((load_text("liveness = off\n").liveness == faceauth::LivenessMode::off));
  BOOST_TEST(std::string(faceauth::liveness_name(faceauth::LivenessMode::blink)) == "blink");
  const auto e = expect_error("\n\nliveness = wink\n");
  BOOST_TEST(e.line() == 3);
  BOOST_TEST(e.key() == "liveness");
  BOOST_TEST(contains(e.what(), "use required, blink or off"));
}

BOOST_AUTO_TEST_CASE(range_errors_name_file_line_key_and_valid_range) {
  const auto e = expect_error("# header\nqueue_limit = 4\n\n\n\n\nlockout_attempts = 0\n");
  BOOST_TEST(e.line() == 7);
  BOOST_TEST(e.key() == "lockout_attempts");
  BOOST_TEST(std::string(e.what()) ==
             e.file() + ":7: key 'lockout_attempts': '0' is out of range; use a whole number from 1 to 100");
}

// For each whole-number key: the smallest and largest valid values load, the
// values just outside are refused with the range in the message, and text is
// refused as "not a whole number".
BOOST_AUTO_TEST_CASE(whole_number_ranges) {
  struct Case {
    std::string key;
    int lo, hi;
    std::function<int(const Config&)> get;
  };
  const Case cases[] = {
      {"frames_needed", 1, 10, [](const Config& c) { return c.frames_needed; }},
      {"frames_window", 2, 100, [](const Config& c) { return c.frames_window; }},
      {"verify_timeout_seconds", 1, 60, [](const Config& c) { return c.verify_timeout_seconds; }},
      {"enroll_frames", 1, 50, [](const Config& c) { return c.enroll_frames; }},
      {"lockout_attempts", 1, 100, [](const Config& c) { return c.lockout_attempts; }},
      {"lockout_seconds", 10, 86400, [](const Config& c) { return c.lockout_seconds; }},
      {"retention_days", 1, 3650, [](const Config& c) { return c.retention_days; }},
      {"min_face_pixels", 20, 4096, [](const Config& c) { return c.min_face_pixels; }},
      {"dark_frame_threshold", 0, 255, [](const Config& c) { return c.dark_frame_threshold; }},
      {"queue_limit", 1, 64, [](const Config& c) { return c.queue_limit; }},
  };
  for (const auto& k : cases) {
    BOOST_TEST_CONTEXT("key " << k.key) {
      BOOST_TEST(k.get(load_text(k.key + " = " + std::to_string(k.lo) + "\n")) == k.lo);
      BOOST_TEST(k.get(load_text(k.key + " = " + std::to_string(k.hi) + "\n")) == k.hi);
      BOOST_TEST(k.get(load_text(k.key + " = +" + std::to_string(k.hi) + "\n")) == k.hi);
    }
  }
  // The documented limits of each key (frames_needed is further bounded by frames_window).
  const std::pair<std::string, std::pair<int, int>> limits[] = {
      {"frames_needed", {1, 100}},   {"frames_window", {1, 100}},     {"verify_timeout_seconds", {1, 60}},
      {"enroll_frames", {1, 50}},    {"lockout_attempts", {1, 100}},  {"lockout_seconds", {10, 86400}},
      {"retention_days", {1, 3650}}, {"min_face_pixels", {20, 4096}}, {"dark_frame_threshold", {0, 255}},
      {"queue_limit", {1, 64}},
  };
  for (const auto& [key, range] : limits) {
    BOOST_TEST_CONTEXT("key " << key) {
      const std::string valid =
          "use a whole number from " + std::to_string(range.first) + " to " + std::to_string(range.second);
      for (long long bad : {static_cast<long long>(range.first) - 1, static_cast<long long>(range.second) + 1,
                            99999999999LL}) {
        const auto e = expect_error(key + " = " + std::to_string(bad) + "\n");
        BOOST_TEST(e.key() == key);
        BOOST_TEST(e.line() == 1);
        BOOST_TEST(contains(e.what(), "is out of range; " + valid));
      }
      for (const char* bad : {"ten", "5s", "1.5", "", "0x10", "5 # five"}) {
        const auto e = expect_error(key + " = " + bad + "\n");
        BOOST_TEST(e.key() == key);
        BOOST_TEST(contains(e.what(), "is not a whole number; " + valid));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(threshold_values) {
  BOOST_TEST(*load_text("threshold = 1.49\n").threshold == 1.49);
  BOOST_TEST(*load_text("threshold = .3\n").threshold == 0.3);
  BOOST_TEST(*load_text("threshold = 1\n").threshold == 1.0);
  for (const char* bad : {"0", "1.5", "-0.2", "2", "0.0"}) {
    const auto e = expect_error(std::string("threshold = ") + bad + "\n");
    BOOST_TEST(e.key() == "threshold");
    BOOST_TEST(contains(e.what(), "out of range"));
    BOOST_TEST(contains(e.what(), "less than 1.5"));
  }
  for (const char* bad : {"low", "0.4.1", "nan", "inf", "1e-1", ""}) {
    const auto e = expect_error(std::string("threshold = ") + bad + "\n");
    BOOST_TEST(contains(e.what(), "is not a decimal number"));
  }
}

BOOST_AUTO_TEST_CASE(paths_must_be_absolute) {
  for (const char* key : {"notice_path", "state_dir", "model_dir"}) {
    const auto e = expect_error(std::string(key) + " = relative/path\n");
    BOOST_TEST(e.key() == key);
    BOOST_TEST(contains(e.what(), "'relative/path' is not an absolute path"));
  }
}

BOOST_AUTO_TEST_CASE(camera_specs) {
  BOOST_TEST(load_text("camera = v4l2:/dev/v4l/by-id/usb-cam-video-index0\n").camera ==
             "v4l2:/dev/v4l/by-id/usb-cam-video-index0");
  BOOST_TEST(load_text("camera = v4l2:/dev/video2?format=grey&timeout_ms=3000\n").camera ==
             "v4l2:/dev/video2?format=grey&timeout_ms=3000");
  const std::pair<const char*, const char*> bad[] = {
      {"usb:/dev/video0", "unknown source kind 'usb'"},
      {"/dev/video0", "has no source kind"},
      {"dir:frames", "must be absolute"},
      {"dir:/x?fps=fast", "option 'fps=fast' is invalid"},
      {"dir:/x?loop=maybe", "option 'loop=maybe' is invalid"},
      {"dir:/x?width=640", "unknown option 'width' for a dir source"},
      {"v4l2:/dev/video0?format=h264", "use rgb24, mjpeg, yuyv, grey or y16"},
      {"v4l2:/dev/video0?loop=1", "unknown option 'loop' for a v4l2 camera"},
      {"v4l2:/dev/video0?width=5", "from 16 to 8192"},
      {"v4l2:/dev/video0?fps=1&fps=2", "given twice"},
      {"v4l2:/dev/video0?fps", "is not name=value"},
      {"v4l2:/dev/video2?emitter=14:6", "use emitter=UNIT:SELECTOR:BYTES"},
      {"v4l2:/dev/video2?emitter=0:6:01", "use emitter=UNIT:SELECTOR:BYTES"},
      {"v4l2:/dev/video2?emitter=14:256:01", "use emitter=UNIT:SELECTOR:BYTES"},
      {"v4l2:/dev/video2?emitter=14:6:0", "use emitter=UNIT:SELECTOR:BYTES"},
      {"v4l2:/dev/video2?emitter=14:6:0x01", "use emitter=UNIT:SELECTOR:BYTES"},
      {"dir:/x?emitter=14:6:01", "unknown option 'emitter' for a dir source"},
  };
  for (const auto& [spec, message] : bad) {
    BOOST_TEST_CONTEXT("camera = " << spec) {
      const auto e = expect_error(std::string("camera = ") + spec + "\n");
      BOOST_TEST(e.key() == "camera");
      BOOST_TEST(contains(e.what(), message), e.what());
    }
  }
}

BOOST_AUTO_TEST_CASE(y4m_camera_specs) {
  BOOST_TEST(load_text("camera = y4m:/x.y4m?fps=10&loop=1\n").camera == "y4m:/x.y4m?fps=10&loop=1");
  const auto y = faceauth::parse_source_spec("y4m:/srv/face video.y4m?fps=10&loop=1");
  BOOST_TEST((y.kind == faceauth::SourceSpec::Kind::y4m));
  BOOST_TEST(y.path == "/srv/face video.y4m");
  BOOST_TEST(y.fps == 10);
  BOOST_TEST(y.fps_given);
  BOOST_TEST(y.loop);
  // Without fps= the file's own rate applies; fps=0 is given (as fast as asked).
  const auto plain = faceauth::parse_source_spec("y4m:/x.y4m");
  BOOST_TEST(!plain.fps_given);
  BOOST_TEST(!plain.loop);
  const auto fast = faceauth::parse_source_spec("y4m:/x.y4m?fps=0");
  BOOST_TEST(fast.fps_given);
  BOOST_TEST(fast.fps == 0);
  BOOST_TEST(!faceauth::parse_source_spec("dir:/x").fps_given);
  const std::pair<const char*, const char*> bad[] = {
      {"y4m:x.y4m", "the path in 'y4m:x.y4m' must be absolute"},
      {"y4m:", "must be absolute"},
      {"y4m:/x.y4m?fps=fast", "option 'fps=fast' is invalid; use a number from 0"},
      {"y4m:/x.y4m?fps=241", "option 'fps=241' is invalid"},
      {"y4m:/x.y4m?loop=2", "option 'loop=2' is invalid"},
      {"y4m:/x.y4m?format=yuyv", "unknown option 'format' for a y4m source; valid options are fps and loop"},
      {"y4m:/x.y4m?loop=1&loop=0", "option 'loop' is given twice"},
      {"y4m:/x.y4m?loop", "is not name=value"},
      {"Y4M:/x.y4m", "unknown source kind 'Y4M'"},
  };
  for (const auto& [spec, message] : bad) {
    BOOST_TEST_CONTEXT("camera = " << spec) {
      const auto e = expect_error(std::string("queue_limit = 4\ncamera = ") + spec + "\n");
      BOOST_TEST(e.key() == "camera");
      BOOST_TEST(e.line() == 2);
      BOOST_TEST(contains(e.what(), ":2: key 'camera': "), e.what());
      BOOST_TEST(contains(e.what(), message), e.what());
    }
  }
  // The texts that list the kinds name y4m.
  const auto e = expect_error("camera = usb:/dev/video0\n");
  BOOST_TEST(contains(e.what(), "dir:/absolute/folder or y4m:/absolute/file.y4m"), e.what());
}

BOOST_AUTO_TEST_CASE(source_spec_fields) {
  const auto d = faceauth::parse_source_spec("dir:/srv/f?fps=12.5&loop=yes");
  BOOST_TEST((d.kind == faceauth::SourceSpec::Kind::dir));
  BOOST_TEST(d.path == "/srv/f");
  BOOST_TEST(d.fps == 12.5);
  BOOST_TEST(d.loop);
  const auto v = faceauth::parse_source_spec("v4l2:/dev/video1?width=1280&height=720&format=yuyv");
  BOOST_TEST((v.kind == faceauth::SourceSpec::Kind::v4l2));
  BOOST_TEST(v.path == "/dev/video1");
  BOOST_TEST(v.width == 1280);
  BOOST_TEST(v.height == 720);
  BOOST_TEST(v.format == "yuyv");
  BOOST_TEST(v.timeout_ms == 2000);
  const auto plain = faceauth::parse_source_spec("v4l2:/dev/video0");
  BOOST_TEST(plain.width == 640);
  BOOST_TEST(plain.format.empty());
  BOOST_TEST(!plain.emitter.has_value());
  const auto ir = faceauth::parse_source_spec("v4l2:/dev/video2?format=grey&emitter=14:6:01030200FF");
  BOOST_REQUIRE(ir.emitter.has_value());
  BOOST_TEST(ir.emitter->unit == 14);
  BOOST_TEST(ir.emitter->selector == 6);
  BOOST_TEST((ir.emitter->data == std::vector<uint8_t>{0x01, 0x03, 0x02, 0x00, 0xff}));
}

BOOST_AUTO_TEST_CASE(ir_usb_ids_are_vendor_product_pairs) {
  BOOST_TEST(load_text("").ir_usb_ids.empty());
  BOOST_TEST((load_text("ir_usb_ids = 04F2:b67c, 5986:1141\n").ir_usb_ids ==
              std::vector<std::string>{"04f2:b67c", "5986:1141"}));
  BOOST_TEST((load_text("ir_usb_ids = 04f2:b67c 5986:1141,\n").ir_usb_ids ==
              std::vector<std::string>{"04f2:b67c", "5986:1141"}));
  for (const char* bad : {"04f2b67c", "04f2:b67", "Integrated IR Camera", "04f2:b67c:00", "zzzz:0001"}) {
    BOOST_TEST_CONTEXT("ir_usb_ids = " << bad) {
      const auto e = expect_error(std::string("ir_usb_ids = ") + bad + "\n");
      BOOST_TEST(e.key() == "ir_usb_ids");
      BOOST_TEST(contains(e.what(), "is not a USB ID; use vendor:product in hexadecimal"), e.what());
    }
  }
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_refused_with_a_suggestion) {
  auto e = expect_error("queue_limit = 3\nlockout_attempt = 3\n");
  BOOST_TEST(e.line() == 2);
  BOOST_TEST(e.key() == "lockout_attempt");
  BOOST_TEST(contains(e.what(), "unknown key; did you mean 'lockout_attempts'?"));
  e = expect_error("Camera = v4l2:/dev/video0\n");
  BOOST_TEST(contains(e.what(), "did you mean 'camera'?"));
  e = expect_error("colour_scheme = dark\n");
  BOOST_TEST(e.key() == "colour_scheme");
  BOOST_TEST(contains(e.what(), "unknown key; see docs/configuration.md"));
  BOOST_TEST(!contains(e.what(), "did you mean"));
}

BOOST_AUTO_TEST_CASE(malformed_lines) {
  auto e = expect_error("[faceauth]\ncamera = v4l2:/dev/video0\n");
  BOOST_TEST(e.line() == 1);
  BOOST_TEST(contains(e.what(), "sections such as '[faceauth]' are not used"));
  e = expect_error("\n\ncamera v4l2:/dev/video0\n");
  BOOST_TEST(e.line() == 3);
  BOOST_TEST(contains(e.what(), "is not a 'key = value' line"));
  e = expect_error("= 5\n");
  BOOST_TEST(contains(e.what(), "no key before '='"));
}

BOOST_AUTO_TEST_CASE(duplicate_key_in_one_file_is_an_error) {
  const auto e = expect_error("queue_limit = 3\n# again\nqueue_limit = 5\n");
  BOOST_TEST(e.line() == 3);
  BOOST_TEST(e.key() == "queue_limit");
  BOOST_TEST(contains(e.what(), "already set on line 1 of this file"));
}

BOOST_AUTO_TEST_CASE(frames_needed_cannot_exceed_frames_window) {
  const auto e = expect_error("frames_window = 4\nframes_needed = 5\n");
  BOOST_TEST(e.line() == 2);
  BOOST_TEST(e.key() == "frames_needed");
  BOOST_TEST(contains(e.what(), "larger than frames_window (4, from " + e.file() + ":1)"));
  // Only the window set, below the default of 2 needed.
  const auto w = expect_error("frames_window = 1\n");
  BOOST_TEST(w.key() == "frames_window");
  BOOST_TEST(contains(w.what(), "frames_needed (2) is larger than frames_window (1"));
}

BOOST_AUTO_TEST_CASE(dropins_apply_in_name_order_later_wins) {
  TempConf t;
  t.write_main("queue_limit = 3\nlockout_attempts = 9\nsecurity_level = strict\n");
  t.write_dropin("20-late.conf", "queue_limit = 20\n");
  t.write_dropin("10-early.conf", "queue_limit = 10\nretention_days = 10\n");
  t.write_dropin("05-first.conf", "retention_days = 5\nlockout_attempts = 5\n");
  t.write_dropin("99-ignored.conf.dpkg-old", "queue_limit = 99\n");
  t.write_dropin(".hidden.conf", "queue_limit = 98\n");
  t.write_dropin("README", "this is not a configuration file\n");
  const Config c = load_config(t.main);
  BOOST_TEST(c.queue_limit == 20);
  BOOST_TEST(c.retention_days == 10);
  BOOST_TEST(c.lockout_attempts == 5);
  BOOST_TEST((c.security_level == SecurityLevel::strict));
  BOOST_REQUIRE(c.files.size() == 4u);
  BOOST_TEST(c.files[0] == t.main);
  BOOST_TEST(c.files[1] == t.main + ".d/05-first.conf");
  BOOST_TEST(c.files[2] == t.main + ".d/10-early.conf");
  BOOST_TEST(c.files[3] == t.main + ".d/20-late.conf");
}

BOOST_AUTO_TEST_CASE(same_key_in_two_files_is_an_override_not_a_duplicate) {
  TempConf t;
  t.write_main("enroll_frames = 3\n");
  t.write_dropin("a.conf", "enroll_frames = 4\n");
  BOOST_TEST(load_config(t.main).enroll_frames == 4);
}

BOOST_AUTO_TEST_CASE(dropins_are_read_without_a_main_file) {
  TempConf t;
  t.write_dropin("local.conf", "camera = dir:/srv/frames\n");
  const Config c = load_config(t.main);
  BOOST_TEST(c.camera == "dir:/srv/frames");
  BOOST_TEST(c.files.size() == 1u);
}

BOOST_AUTO_TEST_CASE(error_in_a_dropin_names_the_dropin) {
  TempConf t;
  t.write_main("queue_limit = 3\n");
  t.write_dropin("50-bad.conf", "# ok\nverify_timeout_seconds = 61\n");
  try {
    load_config(t.main);
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.file() == t.main + ".d/50-bad.conf");
    BOOST_TEST(e.line() == 2);
    BOOST_TEST(std::string(e.what()) == t.main +
                                            ".d/50-bad.conf:2: key 'verify_timeout_seconds': '61' is out of "
                                            "range; use a whole number from 1 to 60");
  }
}

BOOST_AUTO_TEST_CASE(cross_file_frames_check_names_both_places) {
  TempConf t;
  t.write_main("frames_needed = 6\n");
  t.write_dropin("small.conf", "frames_window = 5\n");
  try {
    load_config(t.main);
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.file() == t.main);
    BOOST_TEST(e.line() == 1);
    BOOST_TEST(contains(e.what(), "from " + t.main + ".d/small.conf:1"));
  }
}

BOOST_AUTO_TEST_CASE(unreadable_files_are_errors_naming_them) {
  TempConf t;
  // The main path is a directory.
  fs::create_directories(t.main);
  try {
    load_config(t.main);
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.file() == t.main);
    BOOST_TEST(contains(e.what(), "is not a regular file"));
  }
  fs::remove(t.main);
  // A drop-in that is a directory.
  t.write_main("queue_limit = 3\n");
  fs::create_directories(t.main + ".d/odd.conf");
  try {
    load_config(t.main);
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.file() == t.main + ".d/odd.conf");
  }
  fs::remove(t.main + ".d/odd.conf");
  // A file without read permission (root reads everything, so only as non-root).
  if (::geteuid() != 0) {
    ::chmod(t.main.c_str(), 0);
    try {
      load_config(t.main);
      BOOST_FAIL("no error");
    } catch (const ConfigError& e) {
      BOOST_TEST(contains(e.what(), "permission denied"));
    }
  }
  // The drop-in name is taken by a plain file.
  fs::remove_all(t.main + ".d");
  t.write(t.main + ".d", "not a directory\n");
  try {
    load_config(t.main);
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(e.file() == t.main + ".d");
    BOOST_TEST(contains(e.what(), "is not a directory"));
  }
}

BOOST_AUTO_TEST_CASE(installed_example_loads_and_equals_the_defaults) {
  // The shipped example has every key commented out: loading it must give the defaults.
  const std::string example = faceauth::test::source_dir() + "/daemon/config/faceauth.conf";
  const Config c = load_config(example, true);
  const Config d;
  BOOST_TEST(c.camera == d.camera);
  BOOST_TEST(c.queue_limit == d.queue_limit);
  BOOST_TEST(c.frames_window == d.frames_window);
  BOOST_TEST(c.files.size() == 1u);
  // Every key is mentioned (commented out) in the example, with its default.
  std::ifstream in(example);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* line :
       {"#camera = v4l2:/dev/video0", "#security_level = balanced", "#threshold = ", "#frames_needed = 2",
        "#frames_window = 10", "#verify_timeout_seconds = 5", "#enroll_frames = 5", "#lockout_attempts = 5",
        "#lockout_seconds = 300", "#retention_days = 365", "#notice_path = /usr/share/faceauth/notice.txt",
        "#min_face_pixels = 60", "#dark_frame_threshold = 25", "#queue_limit = 4",
        "#state_dir = /var/lib/faceauth", "#model_dir = ", "#ir_usb_ids ="}) {
    BOOST_TEST(contains(text, line), "example lacks: " << line);
  }
}

BOOST_AUTO_TEST_SUITE_END()
