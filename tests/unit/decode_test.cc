// Decoding: real photos decode; empty, garbage, truncated and non-image
// files give clear DecodeErrors and never crash.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

#include "decode.h"
#include "frame_source.h"
#include "test_support.h"

using namespace faceauth;
using faceauth::test::need_faces;
namespace fs = std::filesystem;

namespace {

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

void write_all(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::string salley(int i = 0) {
  return list_image_files(test::faces_dir() + "/identities/John_Salley").at(i);
}

bool message_has(const DecodeError& e, const std::string& part) {
  return std::string(e.what()).find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(decodes_a_real_jpeg, *boost::unit_test::precondition(need_faces)) {
  Image img = load_image_file(salley());
  BOOST_TEST(img.width() == 150);
  BOOST_TEST(img.height() == 150);
  long sum = 0;
  for (size_t i = 0; i < img.size_bytes(); ++i) sum += img.data()[i];
  BOOST_TEST(sum > 0);
}

BOOST_AUTO_TEST_CASE(empty_file_is_a_clear_error) {
  std::string dir = test::make_temp_dir("decode");
  write_all(dir + "/empty.jpg", {});
  BOOST_CHECK_EXCEPTION(load_image_file(dir + "/empty.jpg"), DecodeError,
                        [](const DecodeError& e) { return message_has(e, "empty"); });
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(garbage_file_is_a_clear_error) {
  std::string dir = test::make_temp_dir("decode");
  std::vector<uint8_t> junk(4096);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<uint8_t>(i * 7919 + 13);
  write_all(dir + "/junk.jpg", junk);
  BOOST_CHECK_EXCEPTION(load_image_file(dir + "/junk.jpg"), DecodeError,
                        [](const DecodeError& e) { return message_has(e, "not a JPEG or PNG"); });
  // A JPEG signature followed by garbage is caught by libjpeg, not by a crash.
  junk[0] = 0xFF;
  junk[1] = 0xD8;
  junk[2] = 0xFF;
  write_all(dir + "/junk2.jpg", junk);
  BOOST_CHECK_EXCEPTION(load_image_file(dir + "/junk2.jpg"), DecodeError,
                        [](const DecodeError& e) { return message_has(e, "not a readable JPEG"); });
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(truncated_jpeg_is_a_clear_error, *boost::unit_test::precondition(need_faces)) {
  std::string dir = test::make_temp_dir("decode");
  auto bytes = read_all(salley());
  for (double keep : {0.9, 0.5, 0.1}) {
    std::vector<uint8_t> part(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() * keep));
    write_all(dir + "/cut.jpg", part);
    BOOST_CHECK_THROW(load_image_file(dir + "/cut.jpg"), DecodeError);
  }
  std::vector<uint8_t> part(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2));
  BOOST_CHECK_EXCEPTION(decode_image(part, "cut.jpg"), DecodeError,
                        [](const DecodeError& e) { return message_has(e, "truncated"); });
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(huge_declared_size_is_refused_before_allocating,
                     *boost::unit_test::precondition(need_faces)) {
  // A real JPEG whose frame header claims 9000 x 9000 pixels (81 million).
  auto bytes = read_all(salley());
  bool patched = false;
  for (size_t i = 0; i + 9 < bytes.size(); ++i) {
    if (bytes[i] == 0xFF && (bytes[i + 1] == 0xC0 || bytes[i + 1] == 0xC2)) {
      bytes[i + 5] = 0x23;
      bytes[i + 6] = 0x28;  // height 9000
      bytes[i + 7] = 0x23;
      bytes[i + 8] = 0x28;  // width 9000
      patched = true;
      break;
    }
  }
  BOOST_REQUIRE(patched);
  BOOST_CHECK_EXCEPTION(decode_image(bytes, "huge.jpg"), DecodeError,
                        [](const DecodeError& e) { return message_has(e, "50 million"); });
}

BOOST_AUTO_TEST_CASE(missing_file_and_directory_are_clear_errors) {
  BOOST_CHECK_EXCEPTION(load_image_file("/nonexistent/face.jpg"), DecodeError,
                        [](const DecodeError& e) { return message_has(e, "cannot open"); });
  BOOST_CHECK_THROW(load_image_file("/"), DecodeError);
}

BOOST_AUTO_TEST_CASE(truncated_png_is_a_clear_error) {
  // A minimal valid 1x1 PNG, then cut short.
  const std::vector<uint8_t> png = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D,
                                    0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
                                    0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xDE, 0x00, 0x00, 0x00,
                                    0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
                                    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00,
                                    0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
  Image ok = decode_image(png, "tiny.png");
  BOOST_TEST(ok.width() == 1);
  BOOST_TEST(ok.height() == 1);
  for (size_t cut : {10u, 30u, 45u}) {
    std::vector<uint8_t> part(png.begin(), png.begin() + static_cast<long>(cut));
    BOOST_CHECK_THROW(decode_image(part, "cut.png"), DecodeError);
  }
}

BOOST_AUTO_TEST_CASE(directory_source_serves_files_in_order_and_rereads,
                     *boost::unit_test::precondition(need_faces)) {
  std::string dir = test::make_temp_dir("dirsrc");
  fs::copy_file(salley(0), dir + "/b.jpg");
  fs::copy_file(salley(1), dir + "/a.jpg");
  write_all(dir + "/notes.txt", {'x'});
  auto src = make_directory_source(dir);
  src->open();
  auto f1 = src->next();
  BOOST_REQUIRE(f1);
  BOOST_TEST(f1->origin == "dir:" + dir + "/a.jpg");
  BOOST_REQUIRE(src->next());
  BOOST_TEST(!src->next());
  // The folder is read afresh on each open: a photo added between jobs is served.
  fs::copy_file(salley(2), dir + "/c.jpg");
  src->open();
  int n = 0;
  while (src->next()) ++n;
  BOOST_TEST(n == 3);
  src->close();
  fs::remove_all(dir);
  BOOST_CHECK_THROW(src->open(), FrameSourceError);
}

BOOST_AUTO_TEST_CASE(image_wipe_zeroes_and_releases) {
  Image img(4, 4);
  img.data()[0] = 200;
  Image moved = std::move(img);
  BOOST_TEST(img.empty());
  BOOST_TEST(moved.data()[0] == 200);
  moved.wipe();
  BOOST_TEST(moved.empty());
  BOOST_TEST(moved.width() == 0);
}
