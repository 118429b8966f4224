# Configures the whole project with Google Benchmark made unfindable
# (CMAKE_DISABLE_FIND_PACKAGE_benchmark) and checks that configuration fails
# with a message naming the Debian package and -DARENA_BUILD_SUITE=OFF.
#   cmake -DSOURCE_DIR=<repository> -DWORK_DIR=<scratch build dir> -DCC=<C compiler> -DCXX=<C++ compiler>
#         -P missing_dependency.cmake
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR} -DCMAKE_C_COMPILER=${CC} -DCMAKE_CXX_COMPILER=${CXX}
          -DARENA_BUILD_TESTS=OFF -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE_RECURSE ${WORK_DIR})
set(all "${out}${err}")
if(result EQUAL 0)
  message(FATAL_ERROR "configuration without Google Benchmark succeeded:\n${all}")
endif()
# The message may be wrapped across lines: compare with whitespace collapsed.
string(REGEX REPLACE "[ \t\r\n]+" " " flat "${all}")
foreach(want "apt-get install libbenchmark-dev" "-DARENA_BUILD_SUITE=OFF")
  string(FIND "${flat}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the configure error does not say '${want}':\n${all}")
  endif()
endforeach()
message(STATUS "configuration stopped as expected")
