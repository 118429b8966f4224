// arena_trace_synth - writes the synthetic compiler-shaped trace (trace_synth.h)
// to a file, for tests and for trying the tools without recording a program.
//   arena_trace_synth OUT [UNITS [ALLOCS_PER_UNIT [SEED]]]
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "trace_synth.h"

namespace {

bool number(const char* s, unsigned long long* out) {
    char* end = nullptr;
    errno = 0;
    *out = std::strtoull(s, &end, 0);
    return errno == 0 && end != s && *end == '\0';
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 5) {
        std::fprintf(stderr, "usage: arena_trace_synth OUT [UNITS [ALLOCS_PER_UNIT [SEED]]]\n");
        return 2;
    }
    trace::SynthOptions o;
    unsigned long long v;
    if (argc > 2) {
        if (!number(argv[2], &v) || v == 0 || v > 100000) {
            std::fprintf(stderr, "arena_trace_synth: bad UNITS '%s' (1..100000)\n", argv[2]);
            return 2;
        }
        o.units = static_cast<unsigned>(v);
    }
    if (argc > 3) {
        if (!number(argv[3], &v) || v == 0 || v > 10000000) {
            std::fprintf(stderr, "arena_trace_synth: bad ALLOCS_PER_UNIT '%s' (1..10000000)\n", argv[3]);
            return 2;
        }
        o.allocs_per_unit = static_cast<unsigned>(v);
    }
    if (argc > 4) {
        if (!number(argv[4], &v)) {
            std::fprintf(stderr, "arena_trace_synth: bad SEED '%s'\n", argv[4]);
            return 2;
        }
        o.seed = v;
    }
    std::string bytes = trace::synthetic_trace(o);
    std::FILE* f = std::fopen(argv[1], "wb");
    if (f == nullptr) {
        std::fprintf(stderr, "arena_trace_synth: cannot create %s: %s\n", argv[1], std::strerror(errno));
        return 1;
    }
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = std::fclose(f) == 0 && ok;
    if (!ok) {
        std::fprintf(stderr, "arena_trace_synth: cannot write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
