// tune_wrap.cpp - what makes bench_arena_tune out of bench_arena: the same
// bench_main.cpp and ArenaAdapter, linked with -Wl,--wrap for the arena's
// constructors, reset and destroy. The wraps
//   - give every top-level arena (and with ARENA_TUNE_CHILDREN=1 every child)
//     the initial capacity ARENA_TUNE_INITIAL_CAPACITY (bytes) and growth
//     factor ARENA_TUNE_GROWTH_FACTOR instead of what the code asked for;
//   - read the statistics of each top-level arena just before it is reset or
//     destroyed (its fullest moment) and write the fullest one at exit to
//     ARENA_TUNE_STATS_OUT as JSON: committed bytes, blocks, waste, the
//     arena's own suggested capacity.
// scripts/tune runs it once per setting, one benchmark per process.
#include <arena/arena.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

extern "C" {
Arena* __real_arena_create(size_t initial_capacity);
Arena* __real_arena_create_ex(const ArenaOptions* options);
Arena* __real_arena_create_child(Arena* parent, size_t initial_capacity);
Arena* __real_arena_create_child_ex(Arena* parent, const ArenaOptions* options);
void __real_arena_reset(Arena* arena);
void __real_arena_destroy(Arena* arena);
}

namespace {

struct Setting {
    std::size_t capacity = 0;  // 0: leave as asked
    double growth = 0;         // 0: leave as asked
    bool children = false;
    std::string stats_out;
};

[[noreturn]] void bad(const char* what, const char* value) {
    std::fprintf(stderr, "bench_arena_tune: bad %s '%s'\n", what, value);
    std::exit(2);
}

Setting read_setting() {
    Setting s;
    if (const char* v = std::getenv("ARENA_TUNE_INITIAL_CAPACITY"); v != nullptr && *v != '\0') {
        char* end = nullptr;
        errno = 0;
        unsigned long long n = std::strtoull(v, &end, 10);
        if (errno != 0 || *end != '\0' || n == 0) bad("ARENA_TUNE_INITIAL_CAPACITY (bytes, > 0)", v);
        s.capacity = static_cast<std::size_t>(n);
    }
    if (const char* v = std::getenv("ARENA_TUNE_GROWTH_FACTOR"); v != nullptr && *v != '\0') {
        char* end = nullptr;
        double g = std::strtod(v, &end);
        if (*end != '\0' || !(g >= 1.0 && g <= 16.0)) bad("ARENA_TUNE_GROWTH_FACTOR (1 to 16)", v);
        s.growth = g;
    }
    if (const char* v = std::getenv("ARENA_TUNE_CHILDREN"); v != nullptr) s.children = std::strcmp(v, "1") == 0;
    if (const char* v = std::getenv("ARENA_TUNE_STATS_OUT"); v != nullptr) s.stats_out = v;
    return s;
}

const Setting& setting() {
    static const Setting s = read_setting();
    return s;
}

ArenaOptions tuned(const ArenaOptions* asked) {
    ArenaOptions o;
    if (asked != nullptr) {
        o = *asked;
    } else {
        arena_options_init(&o);
    }
    if (setting().capacity != 0) o.initial_capacity = setting().capacity;
    if (setting().growth != 0) o.growth_factor = setting().growth;
    return o;
}

// The fullest moment seen of any tracked arena.
class Recorder {
public:
    void track(Arena* a) {
        std::lock_guard<std::mutex> l(mutex_);
        for (Arena*& slot : tracked_) {
            if (slot == nullptr) {
                slot = a;
                return;
            }
        }
    }
    void snapshot(Arena* a, bool forget) {
        std::lock_guard<std::mutex> l(mutex_);
        for (Arena*& slot : tracked_) {
            if (slot != a) continue;
            ArenaStats s;
            arena_get_stats(a, &s, ARENA_STATS_INCLUDE_CHILDREN);
            ++snapshots_;
            if (s.committed_bytes > best_.committed_bytes) best_ = s;
            if (s.suggested_initial_capacity > suggested_) suggested_ = s.suggested_initial_capacity;
            if (forget) slot = nullptr;
            return;
        }
    }
    void write() {
        const Setting& st = setting();
        if (st.stats_out.empty()) return;
        std::FILE* f = std::fopen(st.stats_out.c_str(), "w");
        if (f == nullptr) {
            std::fprintf(stderr, "bench_arena_tune: cannot write %s\n", st.stats_out.c_str());
            return;
        }
        std::fprintf(f,
                     "{\"initial_capacity\": %zu, \"growth_factor\": %g, \"children\": %s, \"snapshots\": %zu, "
                     "\"committed_bytes\": %zu, \"blocks\": %zu, \"requested_bytes\": %zu, \"used_bytes\": %zu, "
                     "\"waste_bytes\": %zu, \"peak_used_bytes\": %zu, \"suggested_capacity_bytes\": %zu}\n",
                     st.capacity, st.growth, st.children ? "true" : "false", snapshots_, best_.committed_bytes,
                     best_.block_count, best_.requested_bytes, best_.used_bytes,
                     best_.committed_bytes - best_.requested_bytes, best_.peak_used_bytes, suggested_);
        std::fclose(f);
    }

private:
    std::mutex mutex_;
    Arena* tracked_[256] = {};
    ArenaStats best_{};
    std::size_t suggested_ = 0;
    std::size_t snapshots_ = 0;
};

// Never destroyed (arenas may be destroyed late); written by an atexit handler.
Recorder& recorder() {
    static Recorder* r = [] {
        auto* p = new Recorder;
        std::atexit([] { recorder().write(); });
        return p;
    }();
    return *r;
}

// Read the environment (and fail on bad values) before any benchmark runs.
[[maybe_unused]] const bool kChecked = (setting(), recorder(), true);

}  // namespace

extern "C" {

Arena* __wrap_arena_create_ex(const ArenaOptions* options) {
    ArenaOptions o = tuned(options);
    Arena* a = __real_arena_create_ex(&o);
    if (a != nullptr) recorder().track(a);
    return a;
}

Arena* __wrap_arena_create(size_t initial_capacity) {
    ArenaOptions o;
    arena_options_init(&o);
    o.initial_capacity = initial_capacity;
    return __wrap_arena_create_ex(&o);
}

Arena* __wrap_arena_create_child_ex(Arena* parent, const ArenaOptions* options) {
    if (!setting().children) return __real_arena_create_child_ex(parent, options);
    ArenaOptions o = tuned(options);
    return __real_arena_create_child_ex(parent, &o);
}

Arena* __wrap_arena_create_child(Arena* parent, size_t initial_capacity) {
    if (!setting().children) return __real_arena_create_child(parent, initial_capacity);
    ArenaOptions o;
    arena_options_init(&o);
    o.initial_capacity = initial_capacity;
    return __wrap_arena_create_child_ex(parent, &o);
}

void __wrap_arena_reset(Arena* arena) {
    if (arena != nullptr) recorder().snapshot(arena, false);
    __real_arena_reset(arena);
}

void __wrap_arena_destroy(Arena* arena) {
    if (arena != nullptr) recorder().snapshot(arena, true);
    __real_arena_destroy(arena);
}

}  // extern "C"
