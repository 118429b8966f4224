# The arena model's sources, one list for the unit tests (arena/tests) and
# the fuzzer (arena/fuzz, a separate clang project).
set(ARENA_MODEL_DIR ${CMAKE_CURRENT_LIST_DIR})
set(ARENA_MODEL_SOURCES
  ${ARENA_MODEL_DIR}/harness.cpp
  ${ARENA_MODEL_DIR}/arenas.cpp
  ${ARENA_MODEL_DIR}/allocations.cpp
  ${ARENA_MODEL_DIR}/lifetime.cpp
  ${ARENA_MODEL_DIR}/bad_input.cpp
  ${ARENA_MODEL_DIR}/invariants.cpp
  ${ARENA_MODEL_DIR}/upstream.cpp
)
