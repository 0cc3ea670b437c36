// The JSON value shared by faceauthd's ExportPersonalData and faceauthctl --json.
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

#include "json.h"

using faceauth::Json;

BOOST_AUTO_TEST_CASE(writes_compact_and_escaped) {
  Json j = Json::object()
               .set("a\"b", std::string("x\ny\x01"))
               .set("n", int64_t{-3})
               .set("t", true)
               .set("l", Json::array().push("1").push(Json()));
  BOOST_TEST(j.dump(0) == "{\"a\\\"b\":\"x\\ny\\u0001\",\"n\":-3,\"t\":true,\"l\":[\"1\",null]}");
}

BOOST_AUTO_TEST_CASE(keeps_key_order_and_replaces_members) {
  Json j = Json::object().set("z", 1).set("a", 2).set("z", 3);
  BOOST_TEST(j.dump(0) == "{\"z\":3,\"a\":2}");
}

BOOST_AUTO_TEST_CASE(parses_what_it_writes) {
  Json j = Json::object().set("user", "daemon").set("templates", Json::array().push(Json::object().set("id", 7)));
  Json back = Json::parse(j.dump(2));
  BOOST_TEST(back["user"].str() == "daemon");
  BOOST_TEST(back["templates"].items().at(0)["id"].num() == 7);
  BOOST_TEST(back["missing"].is_null());
}

BOOST_AUTO_TEST_CASE(bad_text_is_an_error) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "\"\\x\"", "nul", "{\"a\":1} x"})
    BOOST_CHECK_THROW(Json::parse(bad), std::runtime_error);
}

// text_safety.h (faceauth_common): what may reach an administrator's terminal.
#include "text_safety.h"

BOOST_AUTO_TEST_CASE(terminal_controls_are_found_and_replaced) {
  using faceauth::first_unsafe_char;
  BOOST_TEST(!first_unsafe_char("office").has_value());
  BOOST_TEST(!first_unsafe_char("办公室 café").has_value());
  BOOST_TEST(uint32_t(first_unsafe_char("a\x1b[2J").value()) == 0x1bU);
  BOOST_TEST(uint32_t(first_unsafe_char("a\xc2\x9b" "31m").value()) == 0x9bU);              // C1 CSI
  BOOST_TEST(uint32_t(first_unsafe_char("x\xe2\x80\xae" "txt").value()) == 0x202eU);        // RLO
  BOOST_TEST(uint32_t(first_unsafe_char("x\xe2\x81\xa6").value()) == 0x2066U);              // LRI
  BOOST_TEST(uint32_t(first_unsafe_char("\xff").value()) == 0xfffdU);                       // invalid UTF-8
  BOOST_TEST(uint32_t(first_unsafe_char("\xc0\xaf").value()) == 0xfffdU);                   // overlong
  BOOST_TEST(faceauth::terminal_safe("ok\xe2\x80\xae" "cba") == "ok\xef\xbf\xbd" "cba");
  BOOST_TEST(faceauth::terminal_safe("\x1b[31mred") == "\xef\xbf\xbd[31mred");
  BOOST_TEST(faceauth::terminal_safe("办公室") == "办公室");
  BOOST_TEST(faceauth::describe_char(0x202E).find("U+202E") == 0u);
  BOOST_TEST(faceauth::describe_char(0x9B).find("C1") != std::string::npos);
}
