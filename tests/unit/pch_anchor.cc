// The translation unit that precompiles <boost/test/unit_test.hpp> once for
// every unit-test executable (faceauth_test_pch in tests/CMakeLists.txt).
