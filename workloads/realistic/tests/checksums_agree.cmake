# Runs the realistic workloads of every bench binary in BENCHES (a list of
# paths) at smoke scale and fails unless, per workload, every allocator
# reports the same checksum (and every binary succeeded).
#   cmake -DBENCHES="a;b;c" -P checksums_agree.cmake
if(NOT BENCHES)
  message(FATAL_ERROR "checksums_agree: BENCHES is empty")
endif()
set(workloads scheme_reader compiler_nested json_dom binary_trees request_reset)
list(JOIN workloads "|" alternatives)
set(filter "^(${alternatives})/")
foreach(w IN LISTS workloads)
  set(runs_${w} 0)
endforeach()

foreach(bench IN LISTS BENCHES)
  execute_process(
    COMMAND ${bench} --scale=smoke --benchmark_filter=${filter} --benchmark_min_time=0.0001
            --benchmark_repetitions=1 --benchmark_format=json
    RESULT_VARIABLE status OUTPUT_VARIABLE json ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "checksums_agree: ${bench} failed (${status}):\n${errors}")
  endif()
  string(JSON count LENGTH "${json}" benchmarks)
  if(count EQUAL 0)
    message(FATAL_ERROR "checksums_agree: ${bench} ran no realistic workload")
  endif()
  math(EXPR last "${count} - 1")
  foreach(i RANGE ${last})
    string(JSON name GET "${json}" benchmarks ${i} name)
    string(JSON checksum GET "${json}" benchmarks ${i} checksum)
    string(REGEX MATCH "^[a-z_]+" workload "${name}")
    if(DEFINED seen_${workload})
      if(NOT seen_${workload} STREQUAL checksum)
        message(FATAL_ERROR "checksums_agree: ${name} checksum ${checksum} differs from "
                            "${seen_from_${workload}}'s ${seen_${workload}}")
      endif()
    else()
      set(seen_${workload} ${checksum})
      set(seen_from_${workload} ${name})
    endif()
    math(EXPR runs_${workload} "${runs_${workload}} + 1")
  endforeach()
endforeach()

list(LENGTH BENCHES n)
foreach(w IN LISTS workloads)
  if(NOT DEFINED seen_${w})
    message(FATAL_ERROR "checksums_agree: no result for ${w}")
  endif()
  if(NOT runs_${w} EQUAL n)
    message(FATAL_ERROR "checksums_agree: ${w} ran ${runs_${w}} times for ${n} allocators")
  endif()
  message(STATUS "${w}: checksum ${seen_${w}} on all ${n} allocators")
endforeach()
