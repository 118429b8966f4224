# Compares a bench binary's --benchmark_list_tests at smoke scale with the
# pinned list, so that a change cannot rename, drop or reorder benchmarks
# unnoticed (scripts and reports key on the names).
#   cmake -DBENCH=<bench binary> -DEXPECTED=<list file> -DACTUAL=<file to write> -P check_bench_list.cmake
# A deliberate change: copy ACTUAL over EXPECTED and commit it.
cmake_minimum_required(VERSION 3.20)
foreach(var BENCH EXPECTED ACTUAL)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_bench_list.cmake: -D${var}=... is required")
  endif()
endforeach()

# The list must not depend on the environment the test runs in: no recorded
# traces, no explicit realistic inputs (empty means unset to the binaries).
foreach(var ARENA_TRACE_FILES ARENA_BENCH_SCALE ARENA_BENCH_INPUTS ARENA_BENCH_SCHEME_DIRS ARENA_BENCH_JSON_DIRS)
  set(ENV{${var}} "")
endforeach()

execute_process(COMMAND ${BENCH} --scale=smoke --benchmark_list_tests
  OUTPUT_VARIABLE actual ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${BENCH} --benchmark_list_tests failed (${status}):\n${errors}")
endif()
file(WRITE ${ACTUAL} "${actual}")
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
  string(REPLACE "\n" ";" actual_lines "${actual}")
  string(REPLACE "\n" ";" expected_lines "${expected}")
  set(report "")
  foreach(line IN LISTS expected_lines)
    if(line AND NOT line IN_LIST actual_lines)
      string(APPEND report "  missing: ${line}\n")
    endif()
  endforeach()
  foreach(line IN LISTS actual_lines)
    if(line AND NOT line IN_LIST expected_lines)
      string(APPEND report "  new:     ${line}\n")
    endif()
  endforeach()
  if(report STREQUAL "")
    set(report "  the same names in another order\n")
  endif()
  message(FATAL_ERROR "${BENCH}: benchmark list differs from ${EXPECTED}:\n${report}"
    "(the list is in ${ACTUAL}; if the change is deliberate, copy it over the pinned file)")
endif()
