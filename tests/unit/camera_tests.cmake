faceauth_unit_test(camera_test unit/camera_test.cc LIBS faceauth_camera)

# The V4L2 capture path against the emulated UVC camera (tests/emulated_camera),
# preloaded here; the test names its configuration file itself.
faceauth_unit_test(emulated_camera_test unit/emulated_camera_test.cc LIBS faceauth_camera)
add_dependencies(emulated_camera_test faceauth_emulated_camera)
set_tests_properties(emulated_camera_test PROPERTIES ENVIRONMENT
  "LD_PRELOAD=$<TARGET_FILE:faceauth_emulated_camera>;FACEAUTH_EMULATED_CAMERA=${CMAKE_BINARY_DIR}/test-tmp/emulated-camera-not-written-yet.conf")
if(FACEAUTH_SANITIZE)
  # The preloaded library comes before the sanitizer runtime in the link order.
  set_tests_properties(emulated_camera_test PROPERTIES
    ENVIRONMENT_MODIFICATION "ASAN_OPTIONS=string_append::verify_asan_link_order=0")
endif()
