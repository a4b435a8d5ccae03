// Compiles the precompiled header that every test binary reuses (see klab_add_test.cmake).
