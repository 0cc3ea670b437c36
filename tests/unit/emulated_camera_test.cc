// The daemon's V4L2 capture path (daemon/camera/v4l2_*, libv4l2 and
// libv4lconvert unchanged) against the emulated UVC camera of
// tests/emulated_camera, which ctest preloads into this program
// (LD_PRELOAD, FACEAUTH_EMULATED_CAMERA). Recorded material: test patterns
// ffmpeg writes as JPEG files at test time. Covered: the formats and sizes a
// UVC webcam offers and S_FMT's adjustment, every format delivering the
// recorded frames, warm-up frames dark, pacing at the asked rate, busy,
// unplugged mid-capture and back, a stuck camera, and an IR node whose
// emitter lights every other frame.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <chrono>
#include <cmath>

#include "camera_probe.h"
#include "decode.h"
#include "quality.h"
#include "test_support.h"
#include "v4l2_device.h"
#include "source_spec.h"
#include "v4l2_source.h"

namespace fs = std::filesystem;
using namespace faceauth;

namespace {

const std::string kWebcam = "/dev/video-emulated0";
const std::string kIr = "/dev/video-emulated1";
const std::string kIrWithControl = "/dev/video-emulated2";  // emitter needs its XU control
const std::string kEmitter = "14:6:0103020000000000";

struct Emulation {
  std::string root, frames, control, control_ir, events;
  bool active = false;
  std::vector<Image> material;
};

Emulation& emulation() {
  static Emulation e;
  return e;
}

bool preloaded() {
  const char* p = std::getenv("LD_PRELOAD");
  return p && std::string(p).find("faceauth-emulated-camera") != std::string::npos;
}

// Writes the emulation's configuration and names it in FACEAUTH_EMULATED_CAMERA
// before anything touches a device path: the preloaded library reads it at
// the first open() or stat() that finds the file named there.
struct Setup {
  Setup() {
    if (!preloaded()) return;
    Emulation& e = emulation();
    e.root = test::make_temp_dir("emulated-camera");
    e.frames = e.root + "/frames";
    e.control = e.root + "/control";
    e.control_ir = e.root + "/control-ir";
    e.events = e.root + "/events";
    fs::create_directories(e.frames);
    fs::create_directories(e.control);
    fs::create_directories(e.control_ir);
    const std::string cmd =
        "ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "
        "testsrc=size=640x480:rate=1 -frames:v 4 -q:v 2 '" +
        e.frames + "/%02d.jpg'";
    if (std::system(cmd.c_str()) != 0) return;  // the tests then fail on "no material"
    for (const auto& entry : fs::directory_iterator(e.frames)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
      e.material.push_back(decode_jpeg(bytes, entry.path().string()));
    }
    const std::string conf_path = e.root + "/camera.conf";
    std::ofstream conf(conf_path);
    conf << "device = " << kWebcam << "\nkind = webcam\nframes = " << e.frames << "\ncontrol = " << e.control
         << "\nevents = " << e.events << "\nwarmup = 3\n"
         << "usb_id = 046d:0825\n"
         << "device = " << kIr << "\nkind = ir\nemitter = alternate\nframes = " << e.frames
         << "\ncontrol = " << e.control_ir << "\nwarmup = 2\nusb_id = 04F2:B67C\n"
         << "device = " << kIrWithControl << "\nkind = ir\nemitter = alternate\nframes = " << e.frames
         << "\nwarmup = 2\nemitter_control = " << kEmitter << "\n";
    conf.close();
    e.active = conf.good() && setenv("FACEAUTH_EMULATED_CAMERA", conf_path.c_str(), 1) == 0;
  }
  ~Setup() {
    if (!emulation().root.empty()) fs::remove_all(emulation().root);
  }
};
BOOST_TEST_GLOBAL_FIXTURE(Setup);

boost::test_tools::assertion_result need_emulation(boost::unit_test::test_unit_id) {
  if (emulation().active && emulation().material.size() == 4) return true;
  boost::test_tools::assertion_result r(false);
  r.message() << (preloaded() ? "the emulated camera's material could not be made (ffmpeg "
                                "testsrc into JPEG files failed)"
                              : "skipped: run through ctest, which preloads "
                                "libfaceauth-emulated-camera.so and sets FACEAUTH_EMULATED_CAMERA");
  return r;
}

void switch_on(const std::string& dir, const std::string& name) { std::ofstream(dir + "/" + name); }
void switch_off(const std::string& dir, const std::string& name) { fs::remove(dir + "/" + name); }

// Mean absolute difference per channel between `a` and the nearest of the
// material's pictures (the camera may drop frames, so which one is unknown).
double distance_to_material(const Image& a) {
  double best = 1e9;
  for (const Image& m : emulation().material) {
    if (m.width() != a.width() || m.height() != a.height()) continue;
    double sum = 0;
    for (size_t i = 0; i < a.size_bytes(); ++i) sum += std::abs(int(a.data()[i]) - int(m.data()[i]));
    best = std::min(best, sum / double(a.size_bytes()));
  }
  return best;
}

std::string read_events() {
  std::ifstream in(emulation().events);
  return {std::istreambuf_iterator<char>(in), {}};
}

V4l2Options options(const std::string& format, int w = 640, int h = 480, double fps = 30) {
  V4l2Options o;
  o.format = format;
  o.width = w;
  o.height = h;
  o.fps = fps;
  o.timeout_ms = 1500;
  return o;
}

std::string error_of(FrameSource& source, bool open_only) {
  try {
    source.open();
    if (!open_only) {
      for (int i = 0; i < 100; ++i) source.next();
    }
  } catch (const FrameSourceError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(emulated_camera, *boost::unit_test::precondition(need_emulation))

BOOST_AUTO_TEST_CASE(the_webcam_offers_the_formats_and_sizes_of_a_uvc_webcam) {
  V4l2Device device(kWebcam);
  device.open();
  const uint32_t caps = device.capabilities();
  BOOST_TEST((caps & V4L2_CAP_VIDEO_CAPTURE) != 0u);
  BOOST_TEST((caps & V4L2_CAP_STREAMING) != 0u);
  std::string names;
  for (uint32_t f : device.formats()) names += fourcc_name(f) + " ";
  BOOST_TEST_MESSAGE("formats through libv4l2: " << names);
  BOOST_TEST(names.find("YUYV") != std::string::npos);
  BOOST_TEST(names.find("MJPG") != std::string::npos);
  BOOST_TEST(names.find("RGB3") != std::string::npos);  // libv4lconvert's emulated format
  BOOST_TEST(names.find("GREY") == std::string::npos);

  auto got = device.set_format(V4L2_PIX_FMT_MJPEG, 1280, 720);
  BOOST_TEST(fourcc_name(got.pixelformat) == "MJPG");
  BOOST_TEST(got.width == 1280u);
  BOOST_TEST(got.height == 720u);
  got = device.set_format(V4L2_PIX_FMT_YUYV, 800, 600);  // not offered: the nearest size
  BOOST_TEST(fourcc_name(got.pixelformat) == "YUYV");
  BOOST_TEST(got.width == 640u);
  BOOST_TEST(got.height == 480u);
  BOOST_TEST(got.bytesperline == 1280u);
  got = device.set_format(V4L2_PIX_FMT_GREY, 640, 480);  // not offered at all
  BOOST_TEST(fourcc_name(got.pixelformat) != "GREY");
  device.close();
}

BOOST_AUTO_TEST_CASE(every_format_delivers_the_recorded_frames_after_dark_warm_up_frames) {
  for (const std::string format : {"yuyv", "mjpeg", "rgb24", ""}) {
    BOOST_TEST_CONTEXT("format '" << format << "'") {
      auto source = make_v4l2_source(kWebcam, options(format));
      source->open();
      std::vector<double> brightness, distance;
      for (int i = 0; i < 8; ++i) {
        auto frame = source->next();
        BOOST_REQUIRE(frame.has_value());
        BOOST_TEST(frame->image.width() == 640);
        BOOST_TEST(frame->image.height() == 480);
        brightness.push_back(mean_brightness(frame->image));
        distance.push_back(distance_to_material(frame->image));
      }
      source->close();
      // The first frame after STREAMON is a warm-up frame (the first three
      // are); a slow reader may miss the others, never the first.
      BOOST_TEST(brightness[0] < 25.0, "first frame brightness " << brightness[0]);
      BOOST_TEST(distance[0] > 40.0);
      // The last frames show the material: close to one picture, pixel for pixel.
      for (int i = 5; i < 8; ++i) {
        BOOST_TEST(brightness[i] > 60.0, "frame " << i << " brightness " << brightness[i]);
        BOOST_TEST(distance[i] < 12.0, "frame " << i << " differs by " << distance[i]);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_size_the_camera_lacks_is_adjusted_and_1280x720_mjpeg_is_delivered) {
  auto source = make_v4l2_source(kWebcam, options("mjpeg", 1280, 720));
  source->open();
  for (int i = 0; i < 5; ++i) {
    auto frame = source->next();
    BOOST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->image.width() == 1280);
    BOOST_TEST(frame->image.height() == 720);
  }
  source->close();
  auto small = make_v4l2_source(kWebcam, options("yuyv", 352, 288));  // CIF: not offered
  small->open();
  auto frame = small->next();
  BOOST_REQUIRE(frame.has_value());
  BOOST_TEST(frame->image.width() == 320);
  BOOST_TEST(frame->image.height() == 240);
  small->close();
}

BOOST_AUTO_TEST_CASE(frames_come_at_the_rate_asked_for) {
  // A lower bound only (a camera cannot be faster than its rate); how much
  // slower a busy machine makes it is not this test's business. Measured
  // from before open(): the 11th frame cannot exist before 11 frame times
  // after STREAMON. (Between two frames a reader that fell behind may get
  // frames already waiting in the queue at once, as from a real camera.)
  for (const double fps : {30.0, 10.0}) {
    auto source = make_v4l2_source(kWebcam, options("yuyv", 640, 480, fps));
    const auto t0 = std::chrono::steady_clock::now();
    source->open();
    for (int i = 0; i < 11; ++i) source->next();
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    source->close();
    BOOST_TEST_MESSAGE("11 frames at " << fps << " fps took " << took << " s");
    BOOST_TEST(took >= 11.0 / fps * 0.99, "11 frames at " << fps << " fps in " << took << " s");
  }
}

BOOST_AUTO_TEST_CASE(the_camera_is_held_only_between_open_and_close) {
  fs::remove(emulation().events);
  auto source = make_v4l2_source(kWebcam, options("yuyv"));
  source->open();
  source->next();
  BOOST_TEST(read_events().find("close") == std::string::npos);
  source->close();
  const std::string events = read_events();
  BOOST_TEST_MESSAGE("events:\n" << events);
  BOOST_TEST(events.find("open") == 0u);
  BOOST_TEST(events.find("streamon YUYV 640x480") != std::string::npos);
  BOOST_TEST(events.rfind("close") == events.size() - 6);
  // Another program (a second descriptor) can stream once it is closed.
  auto again = make_v4l2_source(kWebcam, options("mjpeg"));
  again->open();
  BOOST_TEST(again->next().has_value());
  again->close();
}

BOOST_AUTO_TEST_CASE(a_busy_camera_is_reported_as_busy) {
  const std::string dir = emulation().control;
  switch_on(dir, "busy");
  auto source = make_v4l2_source(kWebcam, options("yuyv"));
  const std::string at_open = error_of(*source, true);
  switch_off(dir, "busy");
  BOOST_TEST(at_open.find("busy; another program is using it") != std::string::npos, at_open);

  switch_on(dir, "busy-streaming");  // uvcvideo's way: open works, S_FMT says EBUSY
  const std::string at_format = error_of(*source, true);
  switch_off(dir, "busy-streaming");
  BOOST_TEST(at_format.find("busy") != std::string::npos, at_format);
  BOOST_TEST(error_of(*source, true).empty());
  source->close();
}

BOOST_AUTO_TEST_CASE(a_camera_unplugged_mid_capture_fails_the_read_and_works_once_back) {
  const std::string dir = emulation().control;
  auto source = make_v4l2_source(kWebcam, options("yuyv"));
  source->open();
  for (int i = 0; i < 3; ++i) source->next();
  switch_on(dir, "unplugged");
  std::string error;
  try {
    source->next();
  } catch (const FrameSourceError& e) {
    error = e.what();
  }
  source->close();
  BOOST_TEST(error.find("the device is gone") != std::string::npos, error);
  const std::string reopen = error_of(*source, true);
  BOOST_TEST(reopen.find("does not exist") != std::string::npos, reopen);
  switch_off(dir, "unplugged");
  source->open();
  BOOST_TEST(source->next().has_value());
  source->close();
}

BOOST_AUTO_TEST_CASE(a_stuck_camera_times_out_after_the_frame_timeout) {
  const std::string dir = emulation().control;
  switch_on(dir, "stuck");
  V4l2Options o = options("yuyv");
  o.timeout_ms = 400;
  auto source = make_v4l2_source(kWebcam, o);
  source->open();
  const auto t0 = std::chrono::steady_clock::now();
  std::string error;
  try {
    source->next();
  } catch (const FrameSourceError& e) {
    error = e.what();
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  source->close();
  switch_off(dir, "stuck");
  BOOST_TEST(error.find("sent no frame within 400 ms") != std::string::npos, error);
  BOOST_TEST(took >= 0.39);
}

BOOST_AUTO_TEST_CASE(the_ir_node_offers_grey_and_its_emitter_lights_every_other_frame) {
  V4l2Device device(kIr);
  device.open();
  std::string names;
  for (uint32_t f : device.formats()) names += fourcc_name(f) + " ";
  device.close();
  BOOST_TEST_MESSAGE("IR node formats: " << names);
  BOOST_TEST(names.find("GREY") != std::string::npos);
  BOOST_TEST(names.find("YUYV") == std::string::npos);
  BOOST_TEST(names.find("MJPG") == std::string::npos);

  auto source = make_v4l2_source(kIr, options("grey"));
  source->open();
  int lit = 0, dark = 0;
  for (int i = 0; i < 12; ++i) {
    auto frame = source->next();
    BOOST_REQUIRE(frame.has_value());
    const double b = mean_brightness(frame->image);
    (b < 25.0 ? dark : lit)++;
  }
  source->close();
  BOOST_TEST_MESSAGE("IR frames: " << lit << " lit, " << dark << " dark");
  BOOST_TEST(lit >= 3);
  BOOST_TEST(dark >= 3);
}

BOOST_AUTO_TEST_CASE(the_probe_reports_native_formats_and_the_usb_id) {
  const CameraProbe webcam = probe_camera(kWebcam);
  BOOST_TEST(webcam.error.empty(), webcam.error);
  BOOST_TEST(webcam.driver == "uvcvideo");
  BOOST_TEST(webcam.capture);
  BOOST_TEST((webcam.formats == std::vector<std::string>{"YUYV", "MJPG"}));  // not libv4l2's emulated ones
  BOOST_TEST(webcam.usb_id == "046d:0825");
  std::string why;
  BOOST_TEST(!is_ir_camera(webcam, {"046d:0825"}, &why));
  BOOST_TEST(why == "offers the colour format YUYV");

  const CameraProbe ir = probe_camera(kIr);
  BOOST_TEST((ir.formats == std::vector<std::string>{"GREY"}));
  BOOST_TEST(ir.usb_id == "04f2:b67c");
  BOOST_TEST(!is_ir_camera(ir, {}, &why));
  BOOST_TEST(why == "greyscale only, but its USB ID 04f2:b67c is not listed in ir_usb_ids");
  BOOST_TEST(is_ir_camera(ir, {"5986:1141", "04f2:b67c"}, &why));
  BOOST_TEST(why == "greyscale only and USB ID 04f2:b67c listed in ir_usb_ids");
  // Its name says "IR Camera": that alone never makes it one.
  BOOST_TEST(ir.card.find("IR") != std::string::npos);
  const CameraProbe no_id = probe_camera(kIrWithControl);
  BOOST_TEST(no_id.usb_id.empty());
  BOOST_TEST(!is_ir_camera(no_id, {"04f2:b67c"}, &why));
  BOOST_TEST(why == "greyscale only, but its USB ID is unknown");

  const CameraProbe missing = probe_camera("/dev/video-emulated-none");
  BOOST_TEST(missing.error.find("cannot look it up") == 0u, missing.error);
  BOOST_TEST(!is_ir_camera(missing, {"04f2:b67c"}, &why));
}

int lit_frames(const std::string& spec_options) {
  V4l2Options o = options("grey");
  if (!spec_options.empty())
    o.emitter = parse_source_spec("v4l2:" + kIrWithControl + "?" + spec_options).emitter;
  auto source = make_v4l2_source(kIrWithControl, o);
  source->open();
  int lit = 0;
  for (int i = 0; i < 10; ++i) lit += mean_brightness(source->next()->image) >= 25.0;
  source->close();
  return lit;
}

BOOST_AUTO_TEST_CASE(the_emitter_lights_only_once_its_extension_unit_control_is_set) {
  BOOST_TEST(lit_frames("") == 0);  // the emitter stays off: every frame dark
  BOOST_TEST(lit_frames("emitter=" + kEmitter) >= 3);
  BOOST_TEST(lit_frames("emitter=14:6:0103020000000001") == 0);  // the wrong bytes
  BOOST_TEST(lit_frames("") == 0);                               // the camera forgot it when closed
  std::string error;
  try {
    lit_frames("emitter=9:6:0103020000000000");
  } catch (const FrameSourceError& e) {
    error = e.what();
  }
  BOOST_TEST(error.find("setting the extension-unit control (unit 9, selector 6, 8 bytes) for the IR "
                        "emitter failed") != std::string::npos,
             error);
}

BOOST_AUTO_TEST_SUITE_END()
