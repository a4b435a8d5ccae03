# klab_add_test(NAME <name> SOURCES <files...> [LIBS <targets...>] LABELS <labels...>
#               [TIMEOUT <s>] [COST <s>] [SHARDS <gtest filter>...])
#
# SHARDS: run the binary as several CTest entries (<name>.1, <name>.2, ...), one per GoogleTest
# filter given (positive patterns only) plus a last one with every test the filters leave out, each with its own cluster
# and report: a long binary whose tests mostly wait on brokers then runs side by side instead of
# alone at the end. Filters are chosen by measured test times; COST is that of the longest shard.
# COST: the binary's usual run time in seconds. CTest starts costly tests first, so on a fresh
# clone (no timing history yet) a long test does not begin last and run alone at the end.
# Labels: unit (no network), mock (librdkafka mock cluster), broker (real cluster),
# cluster3 (needs 3 nodes), chaos (kills/pauses nodes), e2e, and the phase (p1 ... p8).
# A cluster3 test counts as two of `ctest -j`'s slots: three JVMs starting and failing over keep
# two cores busy, while the single-node and mock tests mostly wait on brokers and timeouts.
# Each binary writes a GoogleTest JSON report to .klab/results (LabPaths::results_dir) that
# `klab progress` and the console read.
# One precompiled header for every test binary: GoogleTest/GoogleMock and nlohmann-json are
# parsed once instead of in each of about 100 test sources (about 5 s each under the asan preset).
# Only headers whose meaning no target-specific macro changes belong here.
add_library(klab_test_pch STATIC ${CMAKE_CURRENT_LIST_DIR}/test_pch.cpp)
target_link_libraries(klab_test_pch PRIVATE GTest::gmock GTest::gtest nlohmann_json::nlohmann_json
                                            klab_build_options)
target_precompile_headers(klab_test_pch PRIVATE
  <gmock/gmock.h> <gtest/gtest.h> <nlohmann/json.hpp>
  <chrono> <functional> <map> <memory> <optional> <set> <string> <thread> <vector>)

function(klab_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT;COST" "SOURCES;LIBS;LABELS;SHARDS" ${ARGN})
  if(NOT T_NAME OR NOT T_SOURCES OR NOT T_LABELS)
    message(FATAL_ERROR "klab_add_test needs NAME, SOURCES and LABELS")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gmock GTest::gtest
                                           nlohmann_json::nlohmann_json klab_build_options)
  target_precompile_headers(${T_NAME} REUSE_FROM klab_test_pch)
  set(filters "")
  if(T_SHARDS)
    list(JOIN T_SHARDS ":" covered)
    set(filters ${T_SHARDS} "-${covered}")
  else()
    set(filters "*")
  endif()
  list(LENGTH filters shard_count)
  set(shard 0)
  foreach(filter IN LISTS filters)
    math(EXPR shard "${shard} + 1")
    set(test_name ${T_NAME})
    set(env "")
    if(shard_count GREATER 1)
      set(test_name ${T_NAME}.${shard})
      set(env "GTEST_FILTER=${filter};")
    endif()
    add_test(NAME ${test_name} COMMAND ${T_NAME})
    set_tests_properties(${test_name} PROPERTIES
      LABELS "${T_LABELS}"
      TIMEOUT ${T_TIMEOUT}
      ENVIRONMENT "${env}GTEST_OUTPUT=json:${CMAKE_SOURCE_DIR}/.klab/results/${test_name}.json;KLAB_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
    if(T_COST)
      set_tests_properties(${test_name} PROPERTIES COST ${T_COST})
    endif()
    if("cluster3" IN_LIST T_LABELS)
      set_tests_properties(${test_name} PROPERTIES PROCESSORS 2)
    endif()
  endforeach()
endfunction()
