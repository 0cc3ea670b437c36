# faceauth_config: the configuration file parser (no devices, no dlib).
# Included from daemon/CMakeLists.txt, so CMAKE_CURRENT_SOURCE_DIR is daemon/.
add_library(faceauth_config STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/config/config.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config/config_keys.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config/source_spec.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config/value_parse.cc)
target_include_directories(faceauth_config PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/config)
target_link_libraries(faceauth_config PUBLIC faceauth_recognition faceauth_common)  # default_model_dir(), trusted_path
target_link_libraries(faceauth_core INTERFACE faceauth_config)
# The commented example: every key at its default, so installing it changes nothing.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/config/faceauth.conf
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/faceauth)
