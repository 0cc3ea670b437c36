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
