# faceauth_camera: frame sources (V4L2 through libv4l2, y4m videos, the source factory)
# and the raw-format conversions. Included from daemon/CMakeLists.txt, so
# CMAKE_CURRENT_SOURCE_DIR is daemon/.
pkg_check_modules(V4L2 REQUIRED IMPORTED_TARGET libv4l2)

# Asking a V4L2 node what it is (plain ioctls, no libv4l2): the daemon and
# faceauthctl cameras use it.
add_library(faceauth_camera_probe STATIC ${CMAKE_CURRENT_SOURCE_DIR}/camera/camera_probe.cc)
target_include_directories(faceauth_camera_probe PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/camera)

add_library(faceauth_camera STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/camera/convert.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/camera/mjpeg.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/camera/mjpeg_decode.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/camera/v4l2_device.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/camera/v4l2_source.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/camera/y4m_source.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/camera/source_factory.cc)
target_include_directories(faceauth_camera PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/camera)
target_link_libraries(faceauth_camera PUBLIC
  faceauth_recognition faceauth_config faceauth_camera_probe PkgConfig::V4L2 JPEG::JPEG)
target_link_libraries(faceauth_core INTERFACE faceauth_camera)
