# Warnings and sanitizers as interface targets, so no flag is set globally.
add_library(klab_warnings INTERFACE)
target_compile_options(klab_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                                               -Wnon-virtual-dtor -Wno-missing-field-initializers)

option(KLAB_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
add_library(klab_sanitizers INTERFACE)
if(KLAB_SANITIZE)
  target_compile_options(klab_sanitizers INTERFACE -fsanitize=address,undefined
                                                   -fno-omit-frame-pointer -fno-sanitize-recover=all
                                                   # GCC 12 reports false positives in <regex>
                                                   # and <functional> under ASan.
                                                   -Wno-maybe-uninitialized)
  target_link_options(klab_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# Every project target links this one interface target.
add_library(klab_build_options INTERFACE)
target_link_libraries(klab_build_options INTERFACE klab_warnings klab_sanitizers)
