// Helpers shared by the unit tests: where the shared photos and models are,
// and a Boost.Test precondition that skips (with the reason) when they are absent.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string>

namespace faceauth::test {

std::string shared_dir();  // ../shared (FACEAUTH_SHARED_DIR or the build-time default)
std::string faces_dir();   // shared_dir()/faces
std::string model_dir();   // FACEAUTH_MODEL_DIR or the build-time default
std::string source_dir();
std::string binary_dir();

// A fresh empty directory under the build tree's temp area, removed by the caller.
std::string make_temp_dir(const std::string& tag);

// Use as a decorator:  BOOST_AUTO_TEST_CASE(x, *boost::unit_test::precondition(need_faces))
boost::test_tools::assertion_result need_faces(boost::unit_test::test_unit_id);

}  // namespace faceauth::test
