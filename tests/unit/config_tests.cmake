faceauth_unit_test(config_test unit/config_test.cc LIBS faceauth_config)
