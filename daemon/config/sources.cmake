# faceauth_config: the configuration file parser (no devices, no dlib).
# Included from daemon/CMakeLists.txt, so CMAKE_CURRENT_SOURCE_DIR is daemon/.
add_library(faceauth_config STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/config/embedder_kind.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config/config.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config/config_keys.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config/source_spec.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/config/value_parse.cc)
# A leaf: nothing of the recognition code (faceauthctl reads configurations
# without linking models, dlib or libsodium); trusted_path comes from common.
target_include_directories(faceauth_config PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/config
                           PRIVATE ${CMAKE_BINARY_DIR}/generated)
target_link_libraries(faceauth_config PUBLIC faceauth_common)
target_link_libraries(faceauth_core INTERFACE faceauth_config)
# The commented example: every key at its default, so installing it changes nothing.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/config/faceauth.conf
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/faceauth)
