// The JSON value shared by faceauthd's ExportPersonalData and faceauthctl --json
// (a wrapper around nlohmann-json). The texts below are the ones the hand-written
// writer it replaced produced; faceauthctl(1)'s output shapes depend on them.
#include <boost/test/unit_test.hpp>

#include <cmath>
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
  Json j =
      Json::object().set("user", "daemon").set("templates", Json::array().push(Json::object().set("id", 7)));
  Json back = Json::parse(j.dump(2));
  BOOST_TEST(back["user"].str() == "daemon");
  BOOST_TEST(back["templates"].items().at(0)["id"].num() == 7);
  BOOST_TEST(back["missing"].is_null());
}

BOOST_AUTO_TEST_CASE(bad_text_is_an_error) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "\"\\x\"", "nul", "{\"a\":1} x"})
    BOOST_CHECK_THROW(Json::parse(bad), std::runtime_error);
}

BOOST_AUTO_TEST_CASE(numbers_keep_six_significant_digits) {
  auto text = [](double d) { return Json(d).dump(0); };
  BOOST_TEST(text(0.41234567) == "0.412346");
  BOOST_TEST(text(0.944355) == "0.944355");  // nlohmann's own writer: 0.9443550000000001
  BOOST_TEST(text(5.6789e-06) == "5.6789e-06");
  BOOST_TEST(text(0.0001) == "0.0001");
  BOOST_TEST(text(3.0) == "3.0");
  BOOST_TEST(text(-0.0) == "-0.0");
  BOOST_TEST(text(100000.0) == "100000.0");
  BOOST_TEST(text(1234567.0) == "1.23457e+06");
  BOOST_TEST(text(1e300) == "1e+300");
  BOOST_TEST(text(std::nan("")) == "null");
  BOOST_TEST(text(HUGE_VAL) == "null");
  BOOST_TEST(Json(int64_t{-9223372036854775807 - 1}).dump(0) == "-9223372036854775808");
  BOOST_TEST(Json(uint64_t{18446744073709551615u}).dump(0) == "18446744073709551615");
  BOOST_TEST(Json::parse("[1, 1.0, 1e2, -0, 0.1234567]").dump(0) == "[1,1.0,100.0,0,0.123457]");
}

BOOST_AUTO_TEST_CASE(strings_keep_utf8_and_escape_controls) {
  BOOST_TEST(Json("办公室 café 😀 /").dump(0) == "\"办公室 café 😀 /\"");
  BOOST_TEST(Json(std::string("\b\f\n\r\t\x1b\x7f\\\"", 9)).dump(0) ==
             "\"\\u0008\\u000c\\n\\r\\t\\u001b\\u007f\\\\\\\"\"");
  BOOST_TEST(Json(std::string("\0", 1)).dump(0) == "\"\\u0000\"");
  BOOST_TEST(Json("\\b").dump(0) == "\"\\\\b\"");              // a backslash and a b stay so
  BOOST_TEST(Json("a\xffz").dump(0) == "\"a\xef\xbf\xbdz\"");  // invalid UTF-8 becomes U+FFFD
  BOOST_TEST(Json::parse("\"\\u00e9\\ud83d\\ude00\\/\"").str() == "é😀/");
}

BOOST_AUTO_TEST_CASE(indented_text) {
  Json j = Json::object()
               .set("a", Json::array().push(1).push(Json::object()))
               .set("b", Json::object().set("c", Json::array()).set("d", Json()));
  BOOST_TEST(j.dump() ==
             "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {\n    \"c\": [],\n    \"d\": null\n  }\n}");
  BOOST_TEST(j.dump(0) == "{\"a\":[1,{}],\"b\":{\"c\":[],\"d\":null}}");
  BOOST_TEST(Json::array().dump() == "[]");
  BOOST_TEST(Json().dump() == "null");
}

BOOST_AUTO_TEST_CASE(lookups_never_throw) {
  const Json j =
      Json::parse("{\"n\": 2.9, \"s\": \"x\", \"a\": [true, 1], \"o\": {\"k\": null}, \"big\": 1e30}");
  BOOST_TEST(j["n"].num() == 2);
  BOOST_TEST(j["n"].real() == 2.9);
  BOOST_TEST(j["big"].num(-1) == -1);
  BOOST_TEST(j["s"].num(7) == 7);
  BOOST_TEST(j["n"].str("none") == "none");
  BOOST_TEST(j["a"].items().size() == 2u);
  BOOST_TEST(j["a"].items()[0].boolean());
  BOOST_TEST(j["a"]["x"].is_null());
  BOOST_TEST(j["s"].items().empty());
  BOOST_TEST(j["o"]["k"].is_null());
  BOOST_TEST(j["o"]["k"]["deeper"].str("-") == "-");
  Json copy = j["o"];
  copy.set("k", 1);
  BOOST_TEST(j["o"]["k"].is_null());  // lookups return copies
}

BOOST_AUTO_TEST_CASE(parse_errors_say_where_and_quote_no_input) {
  try {
    Json::parse("{\"a\": tru\x1b[2J}");
    BOOST_FAIL("parsed");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    BOOST_CHECK_MESSAGE(what.find("invalid JSON: parse error at line 1, column ") == 0u, what);
    BOOST_CHECK_MESSAGE(what.find('\x1b') == std::string::npos, what);
    BOOST_CHECK_MESSAGE(what.find("json.exception") == std::string::npos, what);
  }
  std::string deep(64, '['), deeper(65, '[');
  BOOST_CHECK_NO_THROW(Json::parse(deep + std::string(64, ']')));
  BOOST_CHECK_THROW(Json::parse(deeper + std::string(65, ']')), std::runtime_error);
  BOOST_CHECK_THROW(Json::parse("\"\xff\""), std::runtime_error);     // invalid UTF-8
  BOOST_CHECK_THROW(Json::parse("\"\\ud800\""), std::runtime_error);  // a lone surrogate
  BOOST_CHECK_THROW(Json::parse("1e999"), std::runtime_error);
}

// text_safety.h (faceauth_common): what may reach an administrator's terminal.
#include "text_safety.h"

BOOST_AUTO_TEST_CASE(terminal_controls_are_found_and_replaced) {
  using faceauth::first_unsafe_char;
  BOOST_TEST(!first_unsafe_char("office").has_value());
  BOOST_TEST(!first_unsafe_char("办公室 café").has_value());
  BOOST_TEST(uint32_t(first_unsafe_char("a\x1b[2J").value()) == 0x1bU);
  BOOST_TEST(uint32_t(first_unsafe_char("a\xc2\x9b"
                                        "31m")
                          .value()) == 0x9bU);  // C1 CSI
  BOOST_TEST(uint32_t(first_unsafe_char("x\xe2\x80\xae"
                                        "txt")
                          .value()) == 0x202eU);                                // RLO
  BOOST_TEST(uint32_t(first_unsafe_char("x\xe2\x81\xa6").value()) == 0x2066U);  // LRI
  BOOST_TEST(uint32_t(first_unsafe_char("\xff").value()) == 0xfffdU);           // invalid UTF-8
  BOOST_TEST(uint32_t(first_unsafe_char("\xc0\xaf").value()) == 0xfffdU);       // overlong
  BOOST_TEST(faceauth::terminal_safe("ok\xe2\x80\xae"
                                     "cba") ==
             "ok\xef\xbf\xbd"
             "cba");
  BOOST_TEST(faceauth::terminal_safe("\x1b[31mred") == "\xef\xbf\xbd[31mred");
  BOOST_TEST(faceauth::terminal_safe("办公室") == "办公室");
  BOOST_TEST(faceauth::describe_char(0x202E).find("U+202E") == 0u);
  BOOST_TEST(faceauth::describe_char(0x9B).find("C1") != std::string::npos);
}
