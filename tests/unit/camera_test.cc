// Frame conversions on real raw frames made from the shared photos with ffmpeg
// at test time (YUYV, GREY, Y16, MJPEG with and without Huffman tables),
// malformed buffers, the source factory, the V4L2 source's errors, and the
// y4m (YUV4MPEG2 video) source on videos ffmpeg makes from the photos.
// The V4L2 capture path itself runs in emulated_camera_test.cc (against an
// emulated UVC camera, see docs/camera.md).
#include <sys/stat.h>

#include <chrono>
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
#include "y4m_source.h"

namespace fs = std::filesystem;
using namespace faceauth;

namespace {

const std::string kPortrait = "/identities/John_Salley/000179_02159509.jpg";  // 150x150
const std::string kScene = "/scenes/2008_001322.jpg";                         // 500x375

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
    const std::string cmd =
        "ffmpeg -nostdin -hide_banner -loglevel error -y -i '" + photo + "' " + args + " '" + out + "'";
    const int rc = std::system(cmd.c_str());
    BOOST_REQUIRE_MESSAGE(rc == 0, "ffmpeg failed (is it installed? it is a test dependency): " << cmd);
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

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

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

// A YUV4MPEG2 video of `seconds` at `rate` frames per second showing one photo,
// written by ffmpeg into d.dir; returns its path.
std::string make_y4m(const Derived& d, const std::string& photo, const std::string& pix_fmt,
                     const std::string& name, int rate = 5, const std::string& seconds = "1") {
  const std::string out = d.dir + "/" + name;
  const std::string cmd = "ffmpeg -nostdin -hide_banner -loglevel error -y -loop 1 -i '" + photo + "' -t " +
                          seconds + " -r " + std::to_string(rate) + " -pix_fmt " + pix_fmt +
                          " -strict -1 -f yuv4mpegpipe '" + out + "'";
  const int rc = std::system(cmd.c_str());
  BOOST_REQUIRE_MESSAGE(rc == 0, "ffmpeg failed (is it installed? it is a test dependency): " << cmd);
  return out;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string read_text(const std::string& path) {
  const auto b = read_bytes(path);
  return std::string(b.begin(), b.end());
}

// Serves every frame of an opened source; returns how many there were.
int count_frames(FrameSource& src) {
  int n = 0;
  while (src.next()) ++n;
  return n;
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

BOOST_AUTO_TEST_CASE(grey_and_y16_from_photos_match_the_luma,
                     *boost::unit_test::precondition(test::need_faces)) {
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

BOOST_AUTO_TEST_CASE(mjpeg_larger_than_negotiated_is_refused_before_decoding,
                     *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  const auto jpeg = d.make(test::faces_dir() + kScene, "-c:v mjpeg -q:v 3 -f mjpeg", "big.mjpg");
  const Image full = convert_frame({PixelFormat::mjpeg, 0, 0, 0, jpeg});
  BOOST_REQUIRE(full.width() > 100);
  const std::string e = error_of([&] {
    convert_frame({PixelFormat::mjpeg, full.width() / 2, full.height() / 2, 0, jpeg});
  });
  BOOST_TEST(e.find("larger than the") != std::string::npos, e);
  BOOST_TEST(e.find("refused before decoding") != std::string::npos, e);
  BOOST_CHECK_NO_THROW(convert_frame({PixelFormat::mjpeg, full.width(), full.height(), 0, jpeg}));
}

BOOST_AUTO_TEST_CASE(mjpeg_without_huffman_tables_gets_the_standard_ones,
                     *boost::unit_test::precondition(test::need_faces)) {
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
  const std::vector<uint8_t> grey = {10, 20, 30, 40, 99, 99, 99, 99, 50, 60, 70, 80};
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

BOOST_AUTO_TEST_CASE(truncated_and_damaged_mjpeg_never_crash,
                     *boost::unit_test::precondition(test::need_faces)) {
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
  BOOST_TEST(contains(describe_device_error("/dev/video0", "reading a frame", ENODEV), "unplugged"));
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
  BOOST_TEST(
      contains(error_of([] { make_frame_source("http://cam/stream"); }), "unknown source kind 'http'"));
}

BOOST_AUTO_TEST_CASE(a_recorded_source_others_can_write_is_refused) {
  // Whoever can put photos there can log in as anyone enrolled.
  const std::string dir = test::make_temp_dir("camera-trust");
  std::filesystem::permissions(dir, std::filesystem::perms::all);  // 0777
  const std::string msg = error_of([&] { make_frame_source("dir:" + dir); });
  BOOST_TEST(contains(msg, "not trusted"), msg);
  BOOST_TEST(contains(msg, dir), msg);
  BOOST_TEST(contains(msg, "chmod go-w"), msg);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
  BOOST_CHECK_NO_THROW(make_frame_source("dir:" + dir));
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(factory_dir_source_serves_the_photos,
                     *boost::unit_test::precondition(test::need_faces)) {
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

BOOST_AUTO_TEST_CASE(a_dir_source_refilled_while_it_runs_shows_the_new_photos,
                     *boost::unit_test::precondition(test::need_faces)) {
  namespace fs = std::filesystem;
  const std::string dir = test::make_temp_dir("camera-refill");
  fs::permissions(dir, fs::perms::owner_all);
  const auto salley = list_image_files(test::faces_dir() + "/identities/John_Salley");
  const auto simm = list_image_files(test::faces_dir() + "/identities/John_Simm");
  fs::copy_file(salley[0], dir + "/0000_a.jpg");
  fs::copy_file(salley[1], dir + "/0001_b.jpg");
  auto src = make_frame_source("dir:" + dir + "?loop=1");
  src->open();
  BOOST_TEST(contains(src->next()->origin, "0000_a.jpg"));
  // The folder is emptied and refilled, as a test or demo updates its camera.
  fs::remove(dir + "/0000_a.jpg");
  fs::remove(dir + "/0001_b.jpg");
  fs::copy_file(simm[0], dir + "/0000_c.jpg");
  BOOST_TEST(contains(src->next()->origin, "0000_c.jpg"));
  BOOST_TEST(contains(src->next()->origin, "0000_c.jpg"));  // looped
  // A file that is there but damaged stays an error.
  std::ofstream(dir + "/0000_c.jpg", std::ios::trunc) << "not a jpeg";
  BOOST_CHECK_THROW(src->next(), FrameSourceError);
  // An emptied folder is a camera gone: an error, not the end of a recording.
  fs::copy_file(simm[0], dir + "/0000_c.jpg", fs::copy_options::overwrite_existing);
  BOOST_TEST(contains(src->next()->origin, "0000_c.jpg"));
  fs::remove(dir + "/0000_c.jpg");
  BOOST_CHECK_THROW(src->next(), FrameSourceError);
  src->close();
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(y4m_videos_match_the_photo, *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  for (const std::string& rel : {kPortrait, kScene}) {  // the scene is 500x375: odd chroma rows
    const std::string photo = test::faces_dir() + rel;
    const Image ref = load_image_file(photo);
    const Image ref_luma = luma_of(ref);
    struct Case {
      const char* pix_fmt;
      const char* header;
      const Image* against;
      double bound;
    };
    const Case cases[] = {
        // Chroma halved both ways and the range squeezed to 16..235: a few levels.
        {"yuv420p", " C420jpeg ", &ref, 2.5},
        // Full chroma: only the limited range's rounding is left.
        {"yuv444p", " C444 ", &ref, 1.0},
        // ffmpeg's gray is full-range luma, marked XCOLORRANGE=FULL.
        {"gray", " Cmono ", &ref_luma, 0.5},
    };
    for (const Case& c : cases) {
      const std::string path = make_y4m(d, photo, c.pix_fmt, std::string(c.pix_fmt) + ".y4m");
      BOOST_TEST(contains(read_text(path).substr(0, 100), c.header), c.pix_fmt);
      auto src = make_y4m_source(path, 0.0);
      BOOST_TEST(src->describe() == "y4m:" + path);
      src->open();
      int frames = 0;
      double worst = 0;
      while (auto f = src->next()) {
        BOOST_TEST(f->origin == "y4m:" + path + "#" + std::to_string(frames));
        worst = std::max(worst, mean_abs_diff(f->image, *c.against));
        ++frames;
      }
      src->close();
      BOOST_TEST_MESSAGE("y4m " << c.pix_fmt << " " << rel << ": " << frames
                                << " frames, mean absolute difference " << worst);
      BOOST_TEST(frames == 5, c.pix_fmt << ": 1 s at 5 fps");
      BOOST_TEST(worst < c.bound, c.pix_fmt << " " << rel << ": " << worst);
    }
  }
}

BOOST_AUTO_TEST_CASE(y4m_is_paced_loops_and_is_read_afresh,
                     *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  const std::string path = make_y4m(d, test::faces_dir() + kPortrait, "yuv420p", "v.y4m");
  using Clock = std::chrono::steady_clock;
  const auto seconds_for = [](FrameSource& src, int frames) {
    const auto t0 = Clock::now();
    for (int i = 0; i < frames; ++i) BOOST_REQUIRE(src.next().has_value());
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  // The header's F5:1: 5 frames are 4 periods of 0.2 s.
  auto paced = make_frame_source("y4m:" + path);
  paced->open();
  const double header_rate = seconds_for(*paced, 5);
  BOOST_TEST(!paced->next().has_value());
  paced->close();
  auto fps5 = make_frame_source("y4m:" + path + "?fps=5");
  fps5->open();
  const double option_rate = seconds_for(*fps5, 5);
  fps5->close();
  auto fast = make_frame_source("y4m:" + path + "?fps=0");
  fast->open();
  const double unpaced = seconds_for(*fast, 5);
  fast->close();
  BOOST_TEST_MESSAGE("y4m pacing: 5 frames in " << header_rate << " s (header F5:1), " << option_rate
                                                << " s (fps=5), " << unpaced << " s (fps=0)");
  BOOST_TEST(header_rate >= 0.7);
  BOOST_TEST(header_rate < 3.0);
  BOOST_TEST(option_rate >= 0.7);
  BOOST_TEST(unpaced < 0.3);

  // loop=1: starts again after the 5th frame.
  auto looped = make_frame_source("y4m:" + path + "?fps=0&loop=1");
  looped->open();
  for (int i = 0; i < 12; ++i) {
    auto f = looped->next();
    BOOST_REQUIRE_MESSAGE(f.has_value(), "frame " << i << " of a looped video");
    BOOST_TEST(f->image.width() == 150);
    BOOST_TEST(f->origin == "y4m:" + path + "#" + std::to_string(i));
  }
  looped->close();
  BOOST_TEST(contains(error_of([&] { looped->next(); }), "is not open"));

  // Each job opens the file afresh: a new recording in its place is what the next job sees.
  auto src = make_frame_source("y4m:" + path + "?fps=0");
  src->open();
  BOOST_TEST(count_frames(*src) == 5);
  BOOST_TEST(!src->next().has_value());  // stays at the end
  src->close();
  make_y4m(d, test::faces_dir() + kPortrait, "yuv420p", "v.y4m", 5, "0.6");
  src->open();
  BOOST_TEST(count_frames(*src) == 3);
  src->close();
  src->close();  // idempotent
}

BOOST_AUTO_TEST_CASE(truncated_y4m_is_a_clear_error, *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  const std::string path = make_y4m(d, test::faces_dir() + kPortrait, "yuv420p", "whole.y4m");
  const std::string whole = read_text(path);
  const size_t header = whole.find('\n') + 1;
  const size_t frame = 6 + 150 * 150 * 3 / 2;  // "FRAME\n" and the planes
  BOOST_REQUIRE_EQUAL(whole.size(), header + 5 * frame);
  const std::string cut = d.dir + "/cut.y4m";
  const auto open_cut = [&](size_t size) {
    write_bytes(cut, whole.substr(0, size));
    auto src = make_y4m_source(cut, 0.0);
    src->open();
    return src;
  };
  // Cut in the middle of the third frame: two frames, then the error.
  auto src = open_cut(header + 2 * frame + frame / 2);
  BOOST_TEST(src->next().has_value());
  BOOST_TEST(src->next().has_value());
  std::string e = error_of([&] { src->next(); });
  BOOST_TEST(contains(e, "video file " + cut + " is truncated: frame 2 has 16872 of its 33750 bytes"), e);
  // Cut inside the FRAME line of the second frame.
  src = open_cut(header + frame + 3);
  BOOST_TEST(src->next().has_value());
  e = error_of([&] { src->next(); });
  BOOST_TEST(contains(e, "is truncated: it ends inside the header of frame 1"), e);
  // Cut inside the first frame, or right after the header: refused at open.
  e = error_of([&] { open_cut(header + frame - 1); });
  BOOST_TEST(contains(e, "video file " + cut + " is truncated: its first frame needs"), e);
  e = error_of([&] { open_cut(header); });
  BOOST_TEST(contains(e, "video file " + cut + " has no frames"), e);
  e = error_of([&] { open_cut(header - 1); });  // the header line has lost its '\n'
  BOOST_TEST(contains(e, "its header line has no end"), e);
  e = error_of([&] { open_cut(0); });
  BOOST_TEST(contains(e, "is empty"), e);
  // Every cut point in steps: whole frames, then a FrameSourceError or the clean end.
  int refused = 0;
  for (size_t size = 0; size < whole.size(); size += 997) {
    write_bytes(cut, whole.substr(0, size));
    auto s = make_y4m_source(cut, 0.0);
    try {
      s->open();
      int frames = 0;
      while (s->next()) ++frames;
      BOOST_TEST((size - header) % frame == 0, "a cut at " << size << " served " << frames);
    } catch (const FrameSourceError&) {
      ++refused;
    }
  }
  BOOST_TEST(refused > 100);
}

BOOST_AUTO_TEST_CASE(bad_y4m_headers_and_garbage_are_clear_errors) {
  const std::string dir = test::make_temp_dir("y4m-bad");
  const std::string file = dir + "/bad.y4m";
  const std::string planes(3 * 4 * 2, '\x80');  // a 4x2 4:4:4 frame
  const auto open_text = [&](const std::string& text) {
    write_bytes(file, text);
    return error_of([&] {
      auto src = make_y4m_source(file);  // paced at the header's rate
      src->open();
    });
  };
  const std::pair<std::string, std::string> bad[] = {
      {std::string("RIFF\x10\0\0\0WAVEfmt \n", 17) + planes,
       "is not a YUV4MPEG2 file (it does not start with 'YUV4MPEG2 ')"},
      {"RIFF" + planes, "is not a YUV4MPEG2 file (its header line has no end)"},
      {"YUV4MPEG2X W4 H2\nFRAME\n" + planes, "is not a YUV4MPEG2 file"},
      {"YUV4MPEG2 W4 F25:1 C444\nFRAME\n" + planes, "has no height (H) in its YUV4MPEG2 header"},
      {"YUV4MPEG2 H2 C444\nFRAME\n" + planes, "has no width (W)"},
      {"YUV4MPEG2 W0 H2 C444\nFRAME\n" + planes,
       "bad header field 'W0'; the width (W) and height (H) must be 1 to 8192"},
      {"YUV4MPEG2 W4 H8193 C444\nFRAME\n" + planes, "bad header field 'H8193'"},
      {"YUV4MPEG2 W4 H99999999999 C444\nFRAME\n" + planes, "bad header field 'H99999999999'"},
      {"YUV4MPEG2 W-4 H2 C444\nFRAME\n" + planes, "bad header field 'W-4'"},
      {"YUV4MPEG2 W4 H2 F25 C444\nFRAME\n" + planes,
       "bad header field 'F25'; the frame rate is F<num>:<den>"},
      {"YUV4MPEG2 W4 H2 F25:0 C444\nFRAME\n" + planes, "the frame rate must be positive"},
      {"YUV4MPEG2 W4 H2 Ix C444\nFRAME\n" + planes, "interlacing is Ip, It, Ib, Im or I?"},
      {"YUV4MPEG2 W4 H2 C444 Z7\nFRAME\n" + planes, "bad header field 'Z7'; a YUV4MPEG2 header has only"},
      {"YUV4MPEG2 W4 H2 C444\nFRAMES\n" + planes, "has no FRAME after its header"},
      {"YUV4MPEG2 W4 H2 C444\n" + std::string(100, '\xff'), "has no FRAME after its header"},
      {"YUV4MPEG2 W4 H2 C444 XCOLORRANGE=FULL\nFRAME\n" + planes,
       "is full-range YUV (XCOLORRANGE=FULL), which is not supported"},
      {"YUV4MPEG2 W4 H2 F1:2 C444\nFRAME\n" + planes,
       "has the frame rate F1:2, below 1 frame per second; set fps="},
      {"YUV4MPEG2 W8192 H8192 C444\nFRAME\n" + planes,
       "is truncated: its first frame needs at least 201326598 bytes"},
      {"YUV4MPEG2 " + std::string(5000, 'X') + "\n", "has a header line longer than 4096 bytes at byte 0"},
  };
  for (const auto& [text, message] : bad) {
    BOOST_TEST_CONTEXT("header " << text.substr(0, text.find('\n')).substr(0, 60)) {
      const std::string e = open_text(text);
      BOOST_TEST(contains(e, "video file " + file + " "), e);
      BOOST_TEST(contains(e, message), e);
    }
  }
  // The unsupported colour spaces name what is read.
  for (const char* colour : {"422", "420p10", "411", "444alpha", "mono16", "yuv420p"}) {
    const std::string e = open_text(std::string("YUV4MPEG2 W4 H2 C") + colour + "\nFRAME\n" + planes);
    BOOST_TEST(contains(e, "video file " + file + " has the colour space '" + colour +
                               "', which is not supported; faceauth reads 8-bit 420jpeg, 420paldv, "
                               "420mpeg2, 420, 444 and mono"),
               e);
  }
  // fps= overrides a header rate that is too slow to pace at.
  write_bytes(file, "YUV4MPEG2 W4 H2 F1:2 C444\nFRAME\n" + planes);
  auto slow = make_frame_source("y4m:" + file + "?fps=0");
  slow->open();
  BOOST_TEST(count_frames(*slow) == 1);
  // Garbage where the second frame should begin: the first frame, then an error.
  write_bytes(file, "YUV4MPEG2 W4 H2 F25:1 C444\nFRAME\n" + planes + "GARBAGE\n" + planes);
  auto src = make_y4m_source(file, 0.0);
  src->open();
  BOOST_TEST(src->next().has_value());
  std::string e = error_of([&] { src->next(); });
  BOOST_TEST(contains(e, "has no FRAME header where frame 1 should begin (byte 57)"), e);
  // Not a file, or no file at all.
  BOOST_TEST(contains(error_of([&] { make_y4m_source(dir)->open(); }),
                      "video file " + dir + " is not a regular file"));
  BOOST_TEST(
      contains(error_of([&] { make_y4m_source(dir + "/absent.y4m")->open(); }), "absent.y4m does not exist"));
  BOOST_TEST(contains(error_of([&] { make_y4m_source(file)->next(); }), "is not open (open() first)"));
  BOOST_TEST(
      contains(error_of([&] { make_y4m_source(file, -1.0); }), "frame rate must be between 0 and 1000"));
  // Random damage to a small valid video: frames or FrameSourceErrors, never a crash.
  const std::string good = "YUV4MPEG2 W6 H3 F25:1 Ip A1:1 C420mpeg2\nFRAME\n" +
                           std::string(6 * 3 + 2 * 3 * 2, 'x') + "FRAME Ixyz\n" +
                           std::string(6 * 3 + 2 * 3 * 2, 'y');
  write_bytes(file, good);
  src = make_y4m_source(file, 0.0);
  src->open();
  BOOST_TEST(count_frames(*src) == 2);  // frame parameters after "FRAME " are allowed
  std::mt19937 rng(11);
  int thrown = 0;
  for (int round = 0; round < 500; ++round) {
    std::string damaged = good;
    for (int k = 0; k < 3; ++k) damaged[rng() % damaged.size()] = static_cast<char>(rng());
    if (rng() % 2) damaged.resize(rng() % damaged.size());
    write_bytes(file, damaged);
    try {
      auto s = make_y4m_source(file, 0.0, true);
      s->open();
      for (int i = 0; i < 5; ++i) BOOST_TEST(s->next()->image.width() > 0);
    } catch (const FrameSourceError&) {
      ++thrown;
    }
  }
  BOOST_TEST_MESSAGE("y4m random damage: " << thrown << " of 500 refused");
  BOOST_TEST(thrown > 0);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(unsupported_y4m_colour_spaces_from_ffmpeg,
                     *boost::unit_test::precondition(test::need_faces)) {
  Derived d;
  const std::string photo = test::faces_dir() + kPortrait;
  const std::pair<const char*, const char*> refused[] = {
      {"yuv422p",
       "has the colour space '422', which is not supported; faceauth reads 8-bit "
       "420jpeg, 420paldv, 420mpeg2, 420, 444 and mono (e.g. ffmpeg -i IN -pix_fmt yuv420p OUT.y4m)"},
      {"yuv420p10le", "has the colour space '420p10', which is not supported"},
      {"yuvj420p", "is full-range YUV (XCOLORRANGE=FULL), which is not supported"},
  };
  for (const auto& [pix_fmt, message] : refused) {
    const std::string path = make_y4m(d, photo, pix_fmt, std::string(pix_fmt) + ".y4m");
    auto src = make_frame_source("y4m:" + path);
    const std::string e = error_of([&] { src->open(); });
    BOOST_TEST(contains(e, "video file " + path + " " + message), e);
    BOOST_TEST(contains(error_of([&] { src->next(); }), "is not open"));  // open() left it closed
  }
}

BOOST_AUTO_TEST_CASE(planar_conversions_by_the_pixel) {
  // I420, 3x3 (odd): Y then 2x2 U and V. Left column pairs and top row pairs share chroma.
  std::vector<uint8_t> i420 = {235, 235, 16,         // Y row 0
                               235, 235, 16,         // Y row 1
                               81,  81,  235,        // Y row 2
                               128, 128, 90,  128,   // U: (0,0) (1,0) / (0,1) (1,1)
                               128, 128, 240, 128};  // V
  Image img = convert_i420(i420, 3, 3);
  BOOST_TEST(img.row(0)[0] == 255);  // white
  BOOST_TEST(img.row(1)[3 + 2] == 255);
  BOOST_TEST(img.row(0)[6] == 0);    // black, through the last (single-column) chroma sample
  BOOST_TEST(img.row(2)[0] >= 253);  // red: Y=81, U=90, V=240
  BOOST_TEST(img.row(2)[1] <= 2);
  BOOST_TEST(img.row(2)[4] <= 2);
  BOOST_TEST(img.row(2)[6] == 255);  // white in the last row, last column
  // 4:4:4, 2x1: each pixel its own chroma.
  const std::vector<uint8_t> yuv444 = {81, 235, 90, 128, 240, 128};
  img = convert_yuv444(yuv444, 2, 1);
  BOOST_TEST(img.data()[0] >= 253);
  BOOST_TEST(img.data()[2] <= 2);
  BOOST_TEST(img.data()[3] == 255);
  BOOST_TEST(img.data()[5] == 255);
  // Mono: full range as is; limited range stretched (16 -> 0, 235 -> 255, 126 -> 128).
  const std::vector<uint8_t> mono = {16, 126, 235};
  img = convert_mono(mono, 3, 1, true);
  BOOST_TEST(img.data()[0] == 16);
  BOOST_TEST(img.data()[8] == 235);
  img = convert_mono(mono, 3, 1, false);
  BOOST_TEST(img.data()[0] == 0);
  BOOST_TEST(img.data()[4] == 128);
  BOOST_TEST(img.data()[8] == 255);
  // Short buffers and impossible sizes, as for the packed formats.
  const std::vector<uint8_t> small(100, 128);
  std::string e = error_of([&] { convert_i420(small, 640, 480); });
  BOOST_TEST(contains(e, "I420 frame is truncated: 100 bytes where a 640x480 frame needs 460800"), e);
  e = error_of([&] { convert_i420(small, 9, 9); });  // Y fits, chroma (2 x 5x5) does not
  BOOST_TEST(contains(e, "needs 131"), e);
  e = error_of([&] { convert_yuv444(small, 6, 6); });
  BOOST_TEST(contains(e, "YUV444 frame is truncated: 100 bytes where a 6x6 frame needs 108"), e);
  e = error_of([&] { convert_mono(small, 11, 10, false); });
  BOOST_TEST(contains(e, "mono frame is truncated"), e);
  e = error_of([&] { convert_i420(small, 0, 4); });
  BOOST_TEST(contains(e, "I420 frame has an impossible size 0x4"), e);
  e = error_of([&] { convert_yuv444(small, 8193, 1); });
  BOOST_TEST(contains(e, "impossible size 8193x1"), e);
  BOOST_TEST(convert_i420(small, 8, 8).width() == 8);  // a longer buffer is accepted
}

BOOST_AUTO_TEST_CASE(y4m_through_the_factory) {
  BOOST_TEST(make_frame_source("y4m:/srv/face.y4m?fps=10&loop=1")->describe() == "y4m:/srv/face.y4m");
  for (const char* bad : {"y4m:face.y4m", "y4m:/x.y4m?width=2", "y4m:/x.y4m?fps=-1"}) {
    const std::string e = error_of([&] { make_frame_source(bad); });
    BOOST_TEST(contains(e, std::string("camera source '") + bad + "'"), e);
  }
}

BOOST_AUTO_TEST_SUITE_END()
