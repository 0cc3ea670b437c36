faceauth_unit_test(camera_test unit/camera_test.cc LIBS faceauth_camera)
