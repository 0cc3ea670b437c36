# End-to-end tests: a private system-like dbus-daemon with the project's bus policy, the real
# faceauthd running as the service user "faceauth", calls made with busctl as root and as an
# unprivileged uid. Included from tests/CMakeLists.txt (CMAKE_CURRENT_SOURCE_DIR is tests/).
# They need root (useradd, setpriv), dbus-daemon and busctl; without root or without
# ../shared/faces they skip (exit code 77). How they work: docs/testing.md.

find_program(FACEAUTH_PYTHON3 python3)
find_program(FACEAUTH_DBUS_DAEMON dbus-daemon)
find_program(FACEAUTH_BUSCTL busctl)

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
    lockout_race)
  foreach(t IN LISTS FACEAUTH_E2E_TESTS)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_${t}.py)
      add_test(NAME e2e_${t} COMMAND ${FACEAUTH_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_${t}.py)
      set_tests_properties(e2e_${t} PROPERTIES
        ENVIRONMENT "FACEAUTHD=$<TARGET_FILE:faceauthd>;FAKE_LOGIND=$<TARGET_FILE:faceauth-fake-logind>;FACEAUTH_MODEL_DIR=${FACEAUTH_MODEL_DIR};FACEAUTH_SHARED_DIR=${FACEAUTH_SHARED_DIR};FACEAUTH_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
        TIMEOUT 300
        RUN_SERIAL TRUE
        SKIP_RETURN_CODE 77
        LABELS e2e)
    endif()
  endforeach()
endif()

# faceauthctl against the real daemon (test_client*.py): the built client is
# passed in FACEAUTHCTL and its translations in FACEAUTH_LOCALEDIR.
if(FACEAUTH_PYTHON3 AND FACEAUTH_DBUS_DAEMON AND FACEAUTH_BUSCTL AND TARGET faceauthd AND TARGET faceauthctl)
  foreach(t client client_polkit client_docs)
    add_test(NAME e2e_${t} COMMAND ${FACEAUTH_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_${t}.py)
    set_tests_properties(e2e_${t} PROPERTIES
      ENVIRONMENT "FACEAUTHD=$<TARGET_FILE:faceauthd>;FACEAUTHCTL=$<TARGET_FILE:faceauthctl>;FACEAUTH_LOCALEDIR=${CMAKE_BINARY_DIR}/client/locale;FACEAUTH_MODEL_DIR=${FACEAUTH_MODEL_DIR};FACEAUTH_SHARED_DIR=${FACEAUTH_SHARED_DIR};FACEAUTH_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
      TIMEOUT 600
      RUN_SERIAL TRUE
      SKIP_RETURN_CODE 77
      LABELS e2e)
  endforeach()
endif()
