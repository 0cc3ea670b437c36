# Unit tests of the template store (issue 3). Included from tests/CMakeLists.txt.
faceauth_unit_test(store_test unit/store_test.cc LIBS faceauth_store)
faceauth_unit_test(store_audit_test unit/store_audit_test.cc LIBS faceauth_store)
faceauth_unit_test(store_crash_test unit/store_crash_test.cc LIBS faceauth_store)
faceauth_unit_test(store_accounts_test unit/store_accounts_test.cc LIBS faceauth_store)
