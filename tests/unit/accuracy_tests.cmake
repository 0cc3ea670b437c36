# Fusion arithmetic and the accuracy regression test (issue 8).
faceauth_unit_test(fusion_test unit/fusion_test.cc LIBS faceauth_recognition)
