// trace_synth.h - a deterministic synthetic trace shaped like a compiler: a
// start phase with long-lived tables, then one phase per "unit" in which most
// objects are temporaries that die in the unit (power-law sizes, a growing
// buffer made with realloc, some calloc, some aligned), a few survive into
// later units, a few are never freed; an exit phase frees part of the rest.
// Addresses are reused after frees as a real heap would. It needs no recorded
// program, so the smoke runs and the tests always have a trace.
#ifndef WORKLOADS_TRACE_TRACE_SYNTH_H
#define WORKLOADS_TRACE_TRACE_SYNTH_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "trace_writer.h"

namespace trace {

struct SynthOptions {
    unsigned units = 8;              // phases after "start"
    unsigned allocs_per_unit = 400;  // allocations per unit phase
    std::uint64_t seed = 0x7ace;
};

// Returns the bytes of a complete trace.
inline std::string synthetic_trace(const SynthOptions& o = {}) {
    std::uint64_t state = o.seed;
    auto next = [&] {
        std::uint64_t x = (state += 0x9e3779b97f4a7c15ull);
        x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
        x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
        return x ^ (x >> 31);
    };
    auto below = [&](std::uint64_t n) { return next() % n; };
    auto size_pl = [&] {  // power law on [16, 65536], alpha 1.3
        double u = (static_cast<double>(next() >> 11) + 1.0) * (1.0 / 9007199254740992.0);
        double s = 16.0 * std::pow(u, -1.0 / 1.3);
        return static_cast<std::uint64_t>(s > 65536.0 ? 65536.0 : s);
    };
    // Fake heap addresses: fresh ones grow upward, freed ones are reused.
    std::uint64_t fresh = 0x10000000;
    std::vector<std::uint64_t> reusable;
    auto address = [&](std::uint64_t size, unsigned align_log2) {
        if (!reusable.empty() && align_log2 <= 4 && below(2) == 0) {
            std::size_t i = below(reusable.size());
            std::uint64_t a = reusable[i];
            reusable[i] = reusable.back();
            reusable.pop_back();
            return a;
        }
        std::uint64_t align = std::uint64_t{1} << (align_log2 > 4 ? align_log2 : 4);
        fresh = (fresh + align - 1) & ~(align - 1);
        std::uint64_t a = fresh;
        fresh += (size + 31) & ~std::uint64_t{15};
        return a;
    };

    TraceWriter w("synthetic compiler-shaped trace");
    w.thread(1);
    w.phase("start");
    std::vector<std::uint64_t> globals, survivors;
    for (int i = 0; i < 64; ++i) {
        std::uint64_t size = 16 + below(1024);
        std::uint64_t a = address(size, 0);
        w.malloc(size, a);
        globals.push_back(a);
    }
    w.phase("main");
    std::uint64_t now = 1000;
    for (unsigned unit = 0; unit < o.units; ++unit) {
        w.phase("unit" + std::to_string(unit) + ".src", now += 1000);
        std::vector<std::uint64_t> temps;
        std::uint64_t buffer = 0, buffer_size = 0;
        for (unsigned i = 0; i < o.allocs_per_unit; ++i) {
            std::uint64_t r = below(100);
            if (r < 6) {  // the unit's growing buffer
                std::uint64_t size = buffer_size == 0 ? 64 : std::min<std::uint64_t>(buffer_size * 2, 131072);
                std::uint64_t a = address(size, 0);
                if (buffer == 0) {
                    w.malloc(size, a);
                } else {
                    w.realloc(buffer, size, a);
                    reusable.push_back(buffer);
                }
                buffer = a;
                buffer_size = size;
                continue;
            }
            std::uint64_t size = size_pl();
            std::uint64_t a;
            if (r < 14) {
                a = address(size, 0);
                w.calloc(size, a);
            } else if (r < 16) {
                unsigned lg = below(2) == 0 ? 6 : 12;
                a = address(size, lg);
                w.aligned(lg, size, a);
            } else {
                a = address(size, 0);
                w.malloc(size, a);
            }
            std::uint64_t fate = below(100);
            if (fate < 4) {
                survivors.push_back(a);
            } else if (fate < 6) {
                globals.push_back(a);  // never freed
            } else {
                temps.push_back(a);
            }
            // Free some temporaries as we go (not in allocation order).
            while (temps.size() > 24 || (!temps.empty() && below(3) == 0)) {
                std::size_t k = below(temps.size());
                w.free(temps[k]);
                reusable.push_back(temps[k]);
                temps[k] = temps.back();
                temps.pop_back();
            }
        }
        for (std::uint64_t a : temps) {
            w.free(a);
            reusable.push_back(a);
        }
        if (buffer != 0) {
            w.free(buffer);
            reusable.push_back(buffer);
        }
        // Some survivors of earlier units die now.
        for (std::size_t k = 0; k < survivors.size();) {
            if (below(4) == 0) {
                w.free(survivors[k]);
                reusable.push_back(survivors[k]);
                survivors[k] = survivors.back();
                survivors.pop_back();
            } else {
                ++k;
            }
        }
    }
    w.phase("exit", now + 1000);
    for (std::uint64_t a : survivors) w.free(a);
    return w.end();
}

}  // namespace trace

#endif  // WORKLOADS_TRACE_TRACE_SYNTH_H
