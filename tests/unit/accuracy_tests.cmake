# Fusion arithmetic and the accuracy regression test (issue 8).
faceauth_unit_test(fusion_test unit/fusion_test.cc LIBS faceauth_recognition)
# Re-runs the login protocol on every population (lfw-dev, casia5, NUAA) for
# the default embedder; seconds with a warm embedding cache, ~1 min on 2 cores
# when the cache is cold.
faceauth_unit_test(accuracy_test unit/accuracy_test.cc LIBS faceauth_calibration)
# Per-frame compute at 640x480 as a ratio of a reference computation measured
# in the same run (issue 16, point 5); prints the figures and a JSON line.
faceauth_unit_test(frame_cost_test unit/frame_cost_test.cc LIBS faceauth_recognition)
