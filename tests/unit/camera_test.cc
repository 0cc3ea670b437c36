// Frame conversions on real raw frames made from the shared photos with ffmpeg
// at test time (YUYV, GREY, Y16, MJPEG with and without Huffman tables),
// malformed buffers, the source factory, and the V4L2 source's errors.
// There is no camera on the build machines: the V4L2 capture path itself is
// not exercised here (see docs/camera.md).
#include <sys/stat.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "convert.h"
#include "quality.h"
#include "decode.h"
#include "mjpeg.h"
#include "source_factory.h"
#include "test_support.h"
#include "v4l2_device.h"
#include "v4l2_source.h"

namespace fs = std::filesystem;
using namespace faceauth;

namespace {

const std::string kPortrait = "/identities/John_Salley/000179_02159509.jpg";  // 150x150
const std::string kScene = "/scenes/2008_001322.jpg";                        // 500x375

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Raw frames derived from one photo, written by ffmpeg into a temp dir that
// is removed afterwards.
struct Derived {
  std::string dir = test::make_temp_dir("camera");
  ~Derived() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::vector<uint8_t> make(const std::string& photo, const std::string& args,
                            const std::string& name) const {
    const std::string out = dir + "/" + name;
    const std::string cmd = "ffmpeg -nostdin -hide_banner -loglevel error -y -i '" + photo +
                            "' " + args + " '" + out + "'";
    const int rc = std::system(cmd.c_str());
    BOOST_REQUIRE_MESSAGE(rc == 0, "ffmpeg failed (is it installed? it is a test dependency): "
                                       << cmd);
    return read_bytes(out);
  }
};

double mean_abs_diff(const Image& a, const Image& b) {
  BOOST_REQUIRE_EQUAL(a.width(), b.width());
  BOOST_REQUIRE_EQUAL(a.height(), b.height());
  double sum = 0;
  for (size_t i = 0; i < a.size_bytes(); ++i) {
    sum += std::abs(static_cast<int>(a.data()[i]) - static_cast<int>(b.data()[i]));
  }
  return sum / static_cast<double>(a.size_bytes());
}

// The photo as grey (BT.601 luma replicated), to compare with GREY/Y16 frames.
Image luma_of(const Image& rgb) {
  Image out(rgb.width(), rgb.height());
  for (size_t i = 0; i < rgb.size_bytes(); i += 3) {
    const uint8_t* p = rgb.data() + i;
    const auto y = static_cast<uint8_t>(std::lround(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]));
    out.data()[i] = out.data()[i + 1] = out.data()[i + 2] = y;
  }
  return out;
}

// Removes every DHT segment before the first SOS, as some webcams send frames.
std::vector<uint8_t> strip_dht(const std::vector<uint8_t>& jpeg) {
  std::vector<uint8_t> out(jpeg.begin(), jpeg.begin() + 2);
  size_t i = 2;
  while (i + 4 <= jpeg.size()) {
    BOOST_REQUIRE(jpeg[i] == 0xFF);
    const uint8_t marker = jpeg[i + 1];
    if (marker == 0xDA) break;
    const size_t len = (static_cast<size_t>(jpeg[i + 2]) << 8) | jpeg[i + 3];
    if (marker != 0xC4) out.insert(out.end(), jpeg.begin() + i, jpeg.begin() + i + 2 + len);
    i += 2 + len;
  }
  out.insert(out.end(), jpeg.begin() + i, jpeg.end());
  return out;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const FrameSourceError& e) {
    return e.what();
  }
  BOOST_FAIL("expected a FrameSourceError");
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(camera)

BOOST_AUTO_TEST_CASE(yuyv_from_photos_matches_the_photo, *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  for (const std::string& rel : {kPortrait, kScene}) {
    const std::string photo = test::faces_dir() + rel;
    const Image ref = load_image_file(photo);
    const auto raw = d.make(photo, "-f rawvideo -pix_fmt yuyv422", "frame.yuyv");
    BOOST_REQUIRE_EQUAL(raw.size(), static_cast<size_t>(ref.width()) * ref.height() * 2);
    const Image img = convert_frame({PixelFormat::yuyv, ref.width(), ref.height(), 0, raw});
    const double mad = mean_abs_diff(img, ref);
    BOOST_TEST_MESSAGE("YUYV " << rel << ": mean absolute difference " << mad);
    // Chroma is halved horizontally and the range squeezed to 16..235: a few levels.
    BOOST_TEST(mad < 2.5);
  }
}

BOOST_AUTO_TEST_CASE(grey_and_y16_from_photos_match_the_luma, *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  for (const std::string& rel : {kPortrait, kScene}) {
    const std::string photo = test::faces_dir() + rel;
    const Image ref = luma_of(load_image_file(photo));
    const int w = ref.width(), h = ref.height();
    const auto grey = d.make(photo, "-f rawvideo -pix_fmt gray", "frame.grey");
    const auto y16 = d.make(photo, "-f rawvideo -pix_fmt gray16le", "frame.y16");
    BOOST_REQUIRE_EQUAL(grey.size(), static_cast<size_t>(w) * h);
    BOOST_REQUIRE_EQUAL(y16.size(), static_cast<size_t>(w) * h * 2);
    const Image g = convert_frame({PixelFormat::grey, w, h, 0, grey});
    const Image g16 = convert_frame({PixelFormat::y16, w, h, 0, y16});
    const double mad = mean_abs_diff(g, ref);
    const double mad16 = mean_abs_diff(g16, ref);
    BOOST_TEST_MESSAGE("GREY " << rel << ": " << mad << ", Y16: " << mad16);
    BOOST_TEST(mad < 0.5);
    BOOST_TEST(mad16 < 0.5);
    // gray16le stores g * 257: its high byte is the 8-bit grey exactly.
    BOOST_TEST(mean_abs_diff(g, g16) == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(mjpeg_from_photos_matches_the_photo, *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  for (const std::string& rel : {kPortrait, kScene}) {
    const std::string photo = test::faces_dir() + rel;
    const Image ref = load_image_file(photo);
    const auto jpeg = d.make(photo, "-c:v mjpeg -q:v 2 -f mjpeg", "frame.mjpg");
    BOOST_TEST(mjpeg_has_huffman_tables(jpeg));
    const Image img = convert_frame({PixelFormat::mjpeg, 0, 0, 0, jpeg});
    const double mad = mean_abs_diff(img, ref);
    BOOST_TEST_MESSAGE("MJPEG " << rel << ": mean absolute difference " << mad);
    BOOST_TEST(mad < 2.5);
  }
}

BOOST_AUTO_TEST_CASE(mjpeg_without_huffman_tables_gets_the_standard_ones, *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  for (const std::string& rel : {kPortrait, kScene}) {
    const std::string photo = test::faces_dir() + rel;
    // Encoded with the standard tables, as a webcam does; then the DHT is cut out.
    const auto jpeg = d.make(photo, "-c:v mjpeg -q:v 3 -huffman default -f mjpeg", "std.mjpg");
    const auto bare = strip_dht(jpeg);
    BOOST_REQUIRE(bare.size() < jpeg.size());
    BOOST_TEST(!mjpeg_has_huffman_tables(bare));
    const auto repaired = mjpeg_with_standard_huffman_tables(bare);
    BOOST_TEST(mjpeg_has_huffman_tables(repaired));
    const Image with = convert_mjpeg(jpeg);
    const Image without = convert_mjpeg(bare);
    // The inserted tables are the ones the encoder used: identical pixels.
    BOOST_TEST(mean_abs_diff(with, without) == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(strides_are_honoured) {
  // A 4x2 grey frame with rows padded to 8 bytes; padding bytes must not show.
  const std::vector<uint8_t> grey = {10, 20, 30, 40, 99, 99, 99, 99,
                                     50, 60, 70, 80};
  const Image g = convert_grey(grey, 4, 2, 8);
  BOOST_TEST(g.row(1)[0] == 50);
  BOOST_TEST(g.row(1)[9] == 80);
  BOOST_TEST(g.row(0)[11] == 40);
  // YUYV: Y=235, U=V=128 is white; Y=16 is black (limited range).
  const std::vector<uint8_t> yuyv = {235, 128, 16, 128, 0, 0, 0, 0, 16, 128, 235, 128};
  const Image y = convert_yuyv(yuyv, 2, 2, 8);
  BOOST_TEST(y.row(0)[0] == 255);
  BOOST_TEST(y.row(0)[3] == 0);
  BOOST_TEST(y.row(1)[0] == 0);
  BOOST_TEST(y.row(1)[5] == 255);
  // Pure red in BT.601 limited range: Y=81, U=90, V=240.
  const std::vector<uint8_t> red = {81, 90, 81, 240};
  const Image r = convert_yuyv(red, 2, 1);
  BOOST_TEST(r.data()[0] >= 253);
  BOOST_TEST(r.data()[1] <= 2);
  BOOST_TEST(r.data()[2] <= 2);
  // Y16 keeps the high byte: 0x12AB -> 0x12.
  const std::vector<uint8_t> y16 = {0xAB, 0x12, 0xFF, 0xFF};
  const Image h = convert_y16(y16, 2, 1);
  BOOST_TEST(h.data()[0] == 0x12);
  BOOST_TEST(h.data()[3] == 0xFF);
  const std::vector<uint8_t> rgb = {1, 2, 3, 4, 5, 6};
  const Image c = convert_rgb24(rgb, 2, 1);
  BOOST_TEST(c.data()[5] == 6);
}

BOOST_AUTO_TEST_CASE(wrong_sizes_are_clear_errors) {
  const std::vector<uint8_t> small(100, 128);
  std::string e = error_of([&] { convert_yuyv(small, 640, 480); });
  BOOST_TEST(contains(e, "YUYV frame is truncated: 100 bytes where a 640x480 frame needs 614400"), e);
  e = error_of([&] { convert_grey(small, 11, 10); });
  BOOST_TEST(contains(e, "GREY frame is truncated"), e);
  e = error_of([&] { convert_y16(small, 10, 10); });
  BOOST_TEST(contains(e, "Y16 frame is truncated"), e);
  e = error_of([&] { convert_rgb24(small, 10, 10); });
  BOOST_TEST(contains(e, "RGB24 frame is truncated"), e);
  e = error_of([&] { convert_yuyv(small, 5, 2); });
  BOOST_TEST(contains(e, "width 5 is odd"), e);
  e = error_of([&] { convert_grey(small, 0, 10); });
  BOOST_TEST(contains(e, "impossible size 0x10"), e);
  e = error_of([&] { convert_grey(small, 100000, 1); });
  BOOST_TEST(contains(e, "impossible size"), e);
  e = error_of([&] { convert_grey(small, 10, 5, 4); });
  BOOST_TEST(contains(e, "stride 4 is shorter than a row"), e);
  e = error_of([&] { convert_grey({}, 10, 10); });
  BOOST_TEST(contains(e, "0 bytes"), e);
  // A longer buffer than the frame (driver padding) is accepted.
  BOOST_TEST(convert_grey(small, 9, 9).width() == 9);
}

BOOST_AUTO_TEST_CASE(garbage_mjpeg_is_a_clear_error) {
  std::string e = error_of([] { convert_mjpeg({}); });
  BOOST_TEST(contains(e, "does not start with a JPEG start-of-image marker"), e);
  std::mt19937 rng(7);
  std::vector<uint8_t> noise(5000);
  for (auto& b : noise) b = static_cast<uint8_t>(rng());
  e = error_of([&] { convert_mjpeg(noise); });
  BOOST_TEST(contains(e, "does not start with"), e);
  noise[0] = 0xFF;
  noise[1] = 0xD8;
  e = error_of([&] { convert_mjpeg(noise); });
  BOOST_TEST(contains(e, "corrupt MJPEG frame"), e);
  const std::vector<uint8_t> soi_eoi = {0xFF, 0xD8, 0xFF, 0xD9};
  e = error_of([&] { convert_mjpeg(soi_eoi); });
  BOOST_TEST(contains(e, "corrupt MJPEG frame"), e);
}

BOOST_AUTO_TEST_CASE(truncated_and_damaged_mjpeg_never_crash, *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  const auto jpeg = d.make(test::faces_dir() + kScene, "-c:v mjpeg -q:v 3 -f mjpeg", "f.mjpg");
  // Cut half-way through the scan data: refused, not half grey.
  const std::vector<uint8_t> half(jpeg.begin(), jpeg.begin() + jpeg.size() / 2);
  std::string e = error_of([&] { convert_mjpeg(half); });
  BOOST_TEST(contains(e, "truncated"), e);
  // Every cut point in steps: an image of the right size or a FrameSourceError.
  int refused = 0, decoded = 0;
  for (size_t cut = 0; cut < jpeg.size(); cut += 53) {
    const std::span<const uint8_t> part(jpeg.data(), cut);
    try {
      const Image img = convert_mjpeg(part);
      BOOST_TEST(img.width() == 500);
      ++decoded;
    } catch (const FrameSourceError&) {
      ++refused;
    }
  }
  BOOST_TEST_MESSAGE("cuts: " << refused << " refused, " << decoded << " decoded");
  BOOST_TEST(refused > 0);
  // Random byte damage after the headers: decodes (damaged) or throws, never crashes.
  std::mt19937 rng(42);
  int thrown = 0;
  for (int round = 0; round < 200; ++round) {
    auto damaged = jpeg;
    for (int k = 0; k < 8; ++k) damaged[rng() % damaged.size()] = static_cast<uint8_t>(rng());
    try {
      convert_mjpeg(damaged);
    } catch (const FrameSourceError&) {
      ++thrown;
    }
  }
  BOOST_TEST_MESSAGE("random damage: " << thrown << " of 200 refused");
}

BOOST_AUTO_TEST_CASE(mean_brightness_of_images) {
  Image black(4, 4);
  BOOST_TEST(mean_brightness(black) == 0.0);
  Image white(4, 4);
  std::fill(white.data(), white.data() + white.size_bytes(), 255);
  BOOST_TEST(std::abs(mean_brightness(white) - 255.0) < 0.01);
  // Half the pixels at 100 grey, half black: 50.
  Image half(2, 1);
  half.data()[0] = half.data()[1] = half.data()[2] = 100;
  BOOST_TEST(std::abs(mean_brightness(half) - 50.0) < 0.01);
  BOOST_TEST(mean_brightness(Image{}) == 0.0);
}

BOOST_AUTO_TEST_CASE(missing_camera_device_is_a_clear_error) {
  auto src = make_v4l2_source("/dev/video-faceauth-test-absent");
  BOOST_TEST(src->describe() == "v4l2:/dev/video-faceauth-test-absent");
  const std::string e = error_of([&] { src->open(); });
  BOOST_TEST(contains(e, "camera device /dev/video-faceauth-test-absent does not exist"), e);
  BOOST_TEST(contains(e, "/dev/v4l/by-id/"), e);
  // next() without a successful open() is refused, not a crash.
  BOOST_TEST(contains(error_of([&] { src->next(); }), "is not open"));
  src->close();
  src->close();  // idempotent
}

BOOST_AUTO_TEST_CASE(non_camera_nodes_are_refused) {
  const std::string dir = test::make_temp_dir("camera-node");
  const std::string file = dir + "/video0";
  std::ofstream(file) << "not a device";
  auto src = make_v4l2_source(file);
  std::string e = error_of([&] { src->open(); });
  BOOST_TEST(contains(e, "is not a device node"), e);
  fs::remove_all(dir);
  // A character device that is not V4L2.
  auto null_src = make_v4l2_source("/dev/null");
  e = error_of([&] { null_src->open(); });
  BOOST_TEST(contains(e, "/dev/null is not a V4L2 video capture device"), e);
}

BOOST_AUTO_TEST_CASE(device_error_messages_say_what_to_do) {
  BOOST_TEST(contains(describe_device_error("/dev/video0", "opening the device", EACCES),
                      "add it to the group 'video'"));
  BOOST_TEST(contains(describe_device_error("/dev/video0", "setting format YUYV", EBUSY),
                      "camera /dev/video0: setting format YUYV failed: the camera is busy"));
  BOOST_TEST(contains(describe_device_error("/dev/video0", "reading a frame", ENODEV),
                      "unplugged"));
  BOOST_TEST(fourcc_name(V4L2_PIX_FMT_YUYV) == "YUYV");
  BOOST_TEST(fourcc_name(V4L2_PIX_FMT_MJPEG) == "MJPG");
}

BOOST_AUTO_TEST_CASE(factory_parses_specs) {
  BOOST_TEST(make_frame_source("v4l2:/dev/video0")->describe() == "v4l2:/dev/video0");
  BOOST_TEST(make_frame_source("v4l2:/dev/v4l/by-id/usb-X-video-index0?format=grey")->describe() ==
             "v4l2:/dev/v4l/by-id/usb-X-video-index0");
  BOOST_TEST(make_frame_source("dir:/srv/frames?fps=5&loop=1")->describe() == "dir:/srv/frames");
  for (const char* bad : {"usb:/dev/video0", "", "video0", "dir:relative", "v4l2:/dev/video0?zoom=2"}) {
    const std::string e = error_of([&] { make_frame_source(bad); });
    BOOST_TEST(contains(e, std::string("camera source '") + bad + "'"), e);
  }
  BOOST_TEST(contains(error_of([] { make_frame_source("http://cam/stream"); }),
                      "unknown source kind 'http'"));
}

BOOST_AUTO_TEST_CASE(factory_dir_source_serves_the_photos, *boost::unit_test::precondition(test::need_faces)) {
  const std::string dir = test::faces_dir() + "/identities/John_Salley";
  auto src = make_frame_source("dir:" + dir + "?loop=1");
  src->open();
  int frames = 0;
  for (; frames < 15; ++frames) {  // 11 photos, looped
    auto f = src->next();
    BOOST_REQUIRE(f.has_value());
    BOOST_TEST(f->image.width() == 150);
    BOOST_TEST(contains(f->origin, dir));
  }
  src->close();
  auto once = make_frame_source("dir:" + dir);
  once->open();
  int served = 0;
  while (once->next()) ++served;
  BOOST_TEST(served == 11);
}

BOOST_AUTO_TEST_SUITE_END()
