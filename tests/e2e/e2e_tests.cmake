# End-to-end tests: a private system-like dbus-daemon with the project's bus policy, the real
# faceauthd running as the service user "faceauth", calls made with busctl as root and as an
# unprivileged uid. Included from tests/CMakeLists.txt (CMAKE_CURRENT_SOURCE_DIR is tests/).
# They need root (useradd, setpriv), dbus-daemon and busctl; without root or without
# ../shared/faces they skip (exit code 77). How they work: docs/testing.md.

find_program(FACEAUTH_PYTHON3 python3)
find_program(FACEAUTH_DBUS_DAEMON dbus-daemon)
find_program(FACEAUTH_BUSCTL busctl)

# faceauth_e2e_test(NAME TIMEOUT seconds [LABELS label...] [ENV VAR=value...]):
# registers tests/e2e/test_NAME.py as e2e_NAME with the paths every e2e test
# needs (the daemon, models, photos, sources) plus ENV.
function(faceauth_e2e_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "LABELS;ENV" ${ARGN})
  if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_${name}.py)
    message(FATAL_ERROR "e2e test ${name}: tests/e2e/test_${name}.py does not exist")
  endif()
  set(env "FACEAUTHD=$<TARGET_FILE:faceauthd>" "FACEAUTH_MODEL_DIR=${FACEAUTH_MODEL_DIR}"
          "FACEAUTH_SHARED_DIR=${FACEAUTH_SHARED_DIR}" "FACEAUTH_SOURCE_DIR=${CMAKE_SOURCE_DIR}" ${T_ENV})
  add_test(NAME e2e_${name} COMMAND ${FACEAUTH_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_${name}.py)
  set(labels e2e ${T_LABELS})
  set_tests_properties(e2e_${name} PROPERTIES
    ENVIRONMENT "${env}"
    TIMEOUT ${T_TIMEOUT}
    RUN_SERIAL TRUE
    SKIP_RETURN_CODE 77
    LABELS "${labels}")
endfunction()

if(NOT FACEAUTH_PYTHON3 OR NOT FACEAUTH_DBUS_DAEMON OR NOT FACEAUTH_BUSCTL)
  message(STATUS "e2e tests: python3, dbus-daemon or busctl missing; not registered")
elseif(NOT TARGET faceauthd)
  message(STATUS "e2e tests: no faceauthd target yet; not registered")
else()
  # A stand-in for logind that announces a suspend (test_suspend.py).
  add_executable(faceauth-fake-logind e2e/fake_logind.c)
  target_link_libraries(faceauth-fake-logind PRIVATE PkgConfig::SYSTEMD)

  set(FACEAUTH_E2E_TESTS
    bus_policy
    startup
    introspection
    authorization
    validation
    verify
    responsiveness
    disconnect
    polkit
    breach
    suspend
    video_camera
    lockout_race
    embedder
    populations
    hostile
    recycled
    faults
    load)
  foreach(t IN LISTS FACEAUTH_E2E_TESTS)
    faceauth_e2e_test(${t} TIMEOUT 300 ENV "FAKE_LOGIND=$<TARGET_FILE:faceauth-fake-logind>")
  endforeach()
  # The daemon's V4L2 path against the emulated UVC camera (tests/emulated_camera).
  faceauth_e2e_test(emulated_camera TIMEOUT 400
    ENV "FACEAUTH_EMULATED_CAMERA_LIB=$<TARGET_FILE:faceauth_emulated_camera>"
        "FACEAUTHCTL=$<TARGET_FILE:faceauthctl>" "FACEAUTH_LOCALEDIR=${CMAKE_BINARY_DIR}/client/locale")
endif()

# faceauthctl against the real daemon (test_client*.py): the built client is
# passed in FACEAUTHCTL and its translations in FACEAUTH_LOCALEDIR.
if(FACEAUTH_PYTHON3 AND FACEAUTH_DBUS_DAEMON AND FACEAUTH_BUSCTL AND TARGET faceauthd AND TARGET faceauthctl)
  foreach(t client client_polkit client_docs)
    faceauth_e2e_test(${t} TIMEOUT 600 ENV "FACEAUTHCTL=$<TARGET_FILE:faceauthctl>"
                      "FACEAUTH_LOCALEDIR=${CMAKE_BINARY_DIR}/client/locale")
  endforeach()
endif()
