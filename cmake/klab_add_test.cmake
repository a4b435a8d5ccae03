# klab_add_test(NAME <name> SOURCES <files...> [LIBS <targets...>] LABELS <labels...>
#               [TIMEOUT <s>] [COST <s>])
#
# COST: the binary's usual run time in seconds. CTest starts costly tests first, so on a fresh
# clone (no timing history yet) a long test does not begin last and run alone at the end.
# Labels: unit (no network), mock (librdkafka mock cluster), broker (real cluster),
# cluster3 (needs 3 nodes), chaos (kills/pauses nodes), e2e, and the phase (p1 ... p8).
# Each binary writes a GoogleTest JSON report that `klab progress` reads.
function(klab_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT;COST" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_NAME OR NOT T_SOURCES OR NOT T_LABELS)
    message(FATAL_ERROR "klab_add_test needs NAME, SOURCES and LABELS")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest klab_build_options)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES
    LABELS "${T_LABELS}"
    TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "GTEST_OUTPUT=json:${KLAB_RESULTS_DIR}/${T_NAME}.json;KLAB_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
  if(T_COST)
    set_tests_properties(${T_NAME} PROPERTIES COST ${T_COST})
  endif()
endfunction()
