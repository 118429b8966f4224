// How the model reports a violated check: by exception, so that one failed
// check ends the run with a description and the harness still releases
// every arena it holds.
#ifndef ARENA_TESTS_MODEL_CHECK_H
#define ARENA_TESTS_MODEL_CHECK_H

#include <string>

#include "arena/arena.h"

namespace arena_model {

struct Violation {
    std::string what;
};

[[noreturn]] void violated(const char *file, int line, const char *condition, const std::string &detail);

#define MODEL_CHECK(cond, detail)                                                                  \
    do {                                                                                           \
        if (!(cond)) ::arena_model::violated(__FILE__, __LINE__, #cond, (detail));                 \
    } while (0)

std::string describe(const ArenaStats &stats);

inline ArenaStats stats_of(const Arena *arena, int flags = 0) {
    ArenaStats stats;
    arena_get_stats(arena, &stats, flags);
    return stats;
}

} // namespace arena_model

#endif
