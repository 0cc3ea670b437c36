# faceauth_store: the encrypted template store (issue 3). Included from
# daemon/CMakeLists.txt, so CMAKE_CURRENT_SOURCE_DIR is daemon/ here.
add_library(faceauth_store STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/store/secure_buffer.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_error.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_key.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_files.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/sqlite_db.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_schema.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/template_crypto.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/audit_log.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_people.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/store/store_accounts.cc)
target_include_directories(faceauth_store PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/store)
target_link_libraries(faceauth_store PUBLIC PkgConfig::SODIUM PkgConfig::SQLITE Threads::Threads)
target_link_libraries(faceauth_core INTERFACE faceauth_store)
