// Per-creation-site statistics (ARENA_STATS) and the initial-capacity
// override (ARENA_CAPACITY, ARENA_CAPACITY_CHILDREN), read from the
// environment at the first arena creation. See arena/STATS.md.
//
// Cost when the variables are unset: create tests sites_state, reset and
// destroy test arena->site; nothing else runs and the inline fast path is
// untouched. When on, creation and destruction take one process-wide mutex
// (creating arenas is rare next to allocating from them).
//
// Written against libc only (pthread, dladdr, stdio): C programs link the
// static library with a C compiler, so nothing here may need libstdc++ at
// link time. C++ names are demangled through __cxa_demangle found with
// dlsym, which is present exactly when the program is C++.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 // dladdr, dladdr1
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "arena_internal.h"

using namespace arena_detail;

namespace arena_detail {

int sites_state = kSitesUnread;

// What one site's arenas add up to (destroyed ones; live ones are added at exit).
struct SiteFigures {
    size_t arenas;
    size_t alive_at_exit;
    size_t resets;
    size_t peak_used_since_reset; // max
    size_t committed_bytes;       // max
    size_t blocks;                // max
    size_t upstream_allocations;
    size_t dedicated_blocks;
    size_t abandoned_bytes;
    size_t requested_capacity; // max
    size_t capacity_used;      // max
    size_t suggested_initial_capacity; // max
    size_t upstream_allocations_avoided;
};

struct SiteRecord {
    const void *address; // return address in the caller
    bool child;
    char *name;   // demangled function without parameters, else "object+0xOFFSET"
    char *object; // absolute path of the executable or shared library ("" if unknown)
    uintptr_t offset; // address - object's load base
    uintptr_t vaddr;  // address as linked (what addr2line wants), address - l_addr
    size_t capacity_override; // 0: none
    SiteFigures figures;
};

} // namespace arena_detail

namespace {

constexpr size_t kSuggestionGranule = 4096; // as arena_get_stats: whole pages

enum class Output { none, table, json };

struct CapacityEntry {
    char *name;
    size_t capacity;
};

// All state behind one mutex; records are never freed (arenas destroyed
// after the report still point at them).
pthread_once_t g_once = PTHREAD_ONCE_INIT;
pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
Output g_output = Output::none;
char *g_path = nullptr; // ARENA_STATS path, %p not yet replaced
pid_t g_pid = 0;        // the process that read the environment
size_t g_capacity = 0;  // global override; 0: none
bool g_capacity_children = false;
CapacityEntry *g_entries = nullptr;
size_t g_entry_count = 0;
SiteRecord **g_table = nullptr; // open addressing on the address
size_t g_table_size = 0;
size_t g_site_count = 0;
Arena *g_live = nullptr; // live arenas with a record, newest first

void warn(const char *format, ...) {
    va_list args;
    va_start(args, format);
    std::fputs("arena: ", stderr);
    std::vfprintf(stderr, format, args);
    std::fputc('\n', stderr);
    va_end(args);
}

char *copy_string(const char *text, size_t length) {
    char *copy = static_cast<char *>(std::malloc(length + 1));
    if (copy == nullptr) return nullptr;
    std::memcpy(copy, text, length);
    copy[length] = '\0';
    return copy;
}

bool ends_with(const char *text, const char *suffix) {
    size_t n = std::strlen(text), m = std::strlen(suffix);
    return n >= m && std::strcmp(text + n - m, suffix) == 0;
}

// "64K", "1M", "4096": bytes (K/M/G are powers of 1024). false if invalid.
bool parse_size(const char *text, size_t length, size_t *bytes) {
    size_t value = 0, i = 0;
    if (length == 0) return false;
    for (; i < length && text[i] >= '0' && text[i] <= '9'; ++i) {
        if (value > (kMaxRequest - 9) / 10) return false;
        value = value * 10 + static_cast<size_t>(text[i] - '0');
    }
    if (i == 0) return false;
    int shift = 0;
    if (i < length) {
        switch (text[i]) {
        case 'K': case 'k': shift = 10; break;
        case 'M': case 'm': shift = 20; break;
        case 'G': case 'g': shift = 30; break;
        default: return false;
        }
        if (++i != length) return false;
    }
    if (value == 0 || value > (kMaxRequest >> shift)) return false;
    *bytes = value << shift;
    return true;
}

void free_entries(CapacityEntry *entries, size_t count) {
    for (size_t i = 0; i < count; ++i) std::free(entries[i].name);
    std::free(entries);
}

// ARENA_CAPACITY=SIZE | NAME=SIZE[,NAME=SIZE...] (a bare SIZE among them is
// the global value). Any invalid part: one warning, the whole value ignored.
void parse_capacity(const char *text) {
    size_t global = 0;
    CapacityEntry *entries = nullptr;
    size_t count = 0;
    bool ok = true;
    for (const char *item = text; ok;) {
        const char *end = std::strchr(item, ',');
        size_t length = end ? static_cast<size_t>(end - item) : std::strlen(item);
        const char *equals = static_cast<const char *>(std::memchr(item, '=', length));
        size_t bytes = 0;
        if (equals == nullptr) {
            ok = global == 0 && parse_size(item, length, &bytes);
            global = bytes;
        } else {
            size_t name_length = static_cast<size_t>(equals - item);
            ok = name_length > 0 && parse_size(equals + 1, length - name_length - 1, &bytes);
            if (ok) {
                auto *grown = static_cast<CapacityEntry *>(std::realloc(entries, (count + 1) * sizeof *entries));
                char *name = grown ? copy_string(item, name_length) : nullptr;
                if (grown) entries = grown;
                ok = name != nullptr;
                if (ok) entries[count++] = {name, bytes};
            }
        }
        if (end == nullptr) break;
        item = end + 1;
    }
    if (!ok) {
        warn("ARENA_CAPACITY=\"%s\" is not SIZE or NAME=SIZE[,NAME=SIZE...] with SIZE a positive "
             "number of bytes with an optional K, M or G suffix; ignored",
             text);
        free_entries(entries, count);
        return;
    }
    g_capacity = global;
    g_entries = entries;
    g_entry_count = count;
}

void report_at_exit();

// Forked children must not deadlock on a mutex another thread held at fork.
void lock_before_fork() { pthread_mutex_lock(&g_mutex); }
void unlock_after_fork() { pthread_mutex_unlock(&g_mutex); }

void read_environment() {
    int saved_errno = errno;
    bool on = false;
    const char *stats = std::getenv("ARENA_STATS");
    if (stats != nullptr && stats[0] != '\0' && std::strcmp(stats, "0") != 0) {
        if (std::strcmp(stats, "1") == 0 || std::strcmp(stats, "stderr") == 0) {
            g_output = Output::table;
        } else if (ends_with(stats, ".json") && std::strlen(stats) > 5) {
            g_path = copy_string(stats, std::strlen(stats));
            if (g_path != nullptr) g_output = Output::json;
        } else {
            warn("ARENA_STATS=\"%s\" is not 0, 1, stderr or a path ending in .json; ignored", stats);
        }
    }
    if (g_output != Output::none) {
        g_pid = getpid();
        if (std::atexit(report_at_exit) == 0 && pthread_atfork(lock_before_fork, unlock_after_fork, unlock_after_fork) == 0) {
            on = true;
        } else {
            warn("ARENA_STATS: cannot register the report at exit; ignored");
            g_output = Output::none;
        }
    }
    const char *capacity = std::getenv("ARENA_CAPACITY");
    if (capacity != nullptr && capacity[0] != '\0') parse_capacity(capacity);
    const char *children = std::getenv("ARENA_CAPACITY_CHILDREN");
    if (children != nullptr && children[0] != '\0') {
        if (std::strcmp(children, "1") == 0) {
            g_capacity_children = true;
        } else if (std::strcmp(children, "0") != 0) {
            warn("ARENA_CAPACITY_CHILDREN=\"%s\" is not 0 or 1; ignored", children);
        }
    }
    if (g_capacity != 0 || g_entry_count != 0) on = true;
    __atomic_store_n(&sites_state, on ? kSitesOn : kSitesOff, __ATOMIC_RELEASE);
    errno = saved_errno;
}

// "ns::f(int) const" -> "ns::f": drops the trailing parameter list.
void drop_parameters(char *name) {
    size_t n = std::strlen(name);
    while (n > 0 && name[n - 1] != ')') --n; // " const", " &&", ...
    if (n == 0) return;
    int depth = 0;
    for (size_t i = n; i-- > 0;) {
        if (name[i] == ')') depth += 1;
        if (name[i] == '(' && --depth == 0) {
            if (i > 0) name[i] = '\0';
            return;
        }
    }
}

char *demangle(const char *symbol) {
    using Demangle = char *(*)(const char *, char *, size_t *, int *);
    if (std::strncmp(symbol, "_Z", 2) == 0) {
        if (auto fn = reinterpret_cast<Demangle>(dlsym(RTLD_DEFAULT, "__cxa_demangle"))) {
            int status = -1;
            if (char *name = fn(symbol, nullptr, nullptr, &status)) {
                if (status == 0) {
                    drop_parameters(name);
                    return name;
                }
                std::free(name);
            }
        }
    }
    return copy_string(symbol, std::strlen(symbol));
}

const char *base_name(const char *path) {
    const char *slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}

// Absolute path of the running executable (static buffer: call under the mutex).
const char *executable_path() {
    static char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    path[n > 0 ? n : 0] = '\0';
    return path;
}

void resolve(SiteRecord *record) {
    // Look up the call instruction, not the one after it (which may already
    // belong to the next function after a call that does not return).
    const char *address = static_cast<const char *>(record->address);
    Dl_info info;
    struct link_map *map = nullptr;
    const char *object = "";
    if (dladdr1(address - 1, &info, reinterpret_cast<void **>(&map), RTLD_DL_LINKMAP) != 0) {
        record->offset = reinterpret_cast<uintptr_t>(address) - reinterpret_cast<uintptr_t>(info.dli_fbase);
        record->vaddr = map ? reinterpret_cast<uintptr_t>(address) - map->l_addr : record->offset;
        // The main program's link map has an empty name.
        object = (map && map->l_name[0] == '\0') || info.dli_fname == nullptr || info.dli_fname[0] == '\0'
                     ? executable_path()
                     : info.dli_fname;
        if (info.dli_sname != nullptr) record->name = demangle(info.dli_sname);
    } else {
        record->offset = record->vaddr = reinterpret_cast<uintptr_t>(address);
    }
    record->object = copy_string(object, std::strlen(object));
    if (record->name == nullptr) {
        char buffer[4200];
        std::snprintf(buffer, sizeof buffer, "%s+0x%zx", object[0] ? base_name(object) : "?",
                      static_cast<size_t>(record->offset));
        record->name = copy_string(buffer, std::strlen(buffer));
    }
}

// NAME matches the site's name, or OBJECT+0xOFFSET its object (full path or
// basename) and offset.
bool matches(const char *pattern, const SiteRecord *record) {
    if (record->name != nullptr && std::strcmp(pattern, record->name) == 0) return true;
    const char *plus = std::strrchr(pattern, '+');
    if (plus == nullptr || record->object == nullptr) return false;
    char *end = nullptr;
    unsigned long long offset = std::strtoull(plus + 1, &end, 16);
    if (end == plus + 1 || *end != '\0' || offset != record->offset) return false;
    size_t length = static_cast<size_t>(plus - pattern);
    const char *candidates[] = {record->object, base_name(record->object)};
    for (const char *candidate : candidates)
        if (std::strlen(candidate) == length && std::strncmp(candidate, pattern, length) == 0) return true;
    return false;
}

size_t slot_of(const void *address, size_t size) {
    uintptr_t h = reinterpret_cast<uintptr_t>(address);
    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(h >> 20) & (size - 1);
}

bool grow_table() {
    size_t size = g_table_size ? g_table_size * 2 : 64;
    auto **table = static_cast<SiteRecord **>(std::calloc(size, sizeof(SiteRecord *)));
    if (table == nullptr) return false;
    for (size_t i = 0; i < g_table_size; ++i) {
        if (SiteRecord *record = g_table[i]) {
            size_t slot = slot_of(record->address, size);
            while (table[slot]) slot = (slot + 1) & (size - 1);
            table[slot] = record;
        }
    }
    std::free(g_table);
    g_table = table;
    g_table_size = size;
    return true;
}

// The record of (address, child), made and resolved on first sight. Under the mutex.
SiteRecord *find_site(const void *address, bool child) {
    if (g_table_size != 0) {
        for (size_t slot = slot_of(address, g_table_size); g_table[slot]; slot = (slot + 1) & (g_table_size - 1))
            if (g_table[slot]->address == address && g_table[slot]->child == child) return g_table[slot];
    }
    if ((g_site_count + 1) * 2 > g_table_size && !grow_table()) return nullptr;
    auto *record = static_cast<SiteRecord *>(std::calloc(1, sizeof(SiteRecord)));
    if (record == nullptr) return nullptr;
    record->address = address;
    record->child = child;
    resolve(record);
    for (size_t i = 0; i < g_entry_count; ++i)
        if (matches(g_entries[i].name, record)) {
            record->capacity_override = g_entries[i].capacity;
            break;
        }
    size_t slot = slot_of(address, g_table_size);
    while (g_table[slot]) slot = (slot + 1) & (g_table_size - 1);
    g_table[slot] = record;
    g_site_count += 1;
    return record;
}

// One arena's contribution to its site's figures.
void add_arena(SiteFigures *f, const Arena *arena) {
    size_t used = used_bytes(arena);
    size_t peak = arena->peak_used > used ? arena->peak_used : used;
    size_t committed = arena->peak_committed > arena->committed ? arena->peak_committed : arena->committed;
    size_t blocks = arena->peak_blocks > arena->block_count ? arena->peak_blocks : arena->block_count;
    size_t suggested = peak < kSuggestionGranule ? kSuggestionGranule : round_up(peak, kSuggestionGranule);
    f->resets += arena->reset_count;
    if (peak > f->peak_used_since_reset) f->peak_used_since_reset = peak;
    if (committed > f->committed_bytes) f->committed_bytes = committed;
    if (blocks > f->blocks) f->blocks = blocks;
    f->upstream_allocations += arena->upstream_allocations;
    f->dedicated_blocks += arena->dedicated_obtained;
    f->abandoned_bytes += arena->abandoned_total + arena->abandoned;
    if (suggested > f->suggested_initial_capacity) f->suggested_initial_capacity = suggested;
    // A first block of the suggested size holds the peak, so the arena would
    // have needed one upstream allocation (as long as resets keep it).
    if (arena->upstream_allocations > 1) f->upstream_allocations_avoided += arena->upstream_allocations - 1;
}

struct Row {
    const SiteRecord *record;
    SiteFigures figures;
};

int compare_rows(const void *a, const void *b) {
    const Row *x = static_cast<const Row *>(a), *y = static_cast<const Row *>(b);
    if (x->figures.upstream_allocations != y->figures.upstream_allocations)
        return x->figures.upstream_allocations > y->figures.upstream_allocations ? -1 : 1;
    return std::strcmp(x->record->name, y->record->name);
}

void print_table(const Row *rows, size_t count) {
    int width = 4;
    for (size_t i = 0; i < count; ++i) {
        int n = static_cast<int>(std::strlen(rows[i].record->name));
        if (n > width) width = n;
    }
    std::fprintf(stderr, "arena: statistics per creation site (ARENA_STATS), pid %d, sorted by upstream allocations\n",
                 static_cast<int>(getpid()));
    std::fprintf(stderr, "%-*s %-5s %6s %5s %7s %10s %10s %6s %8s %9s %9s %10s %10s %10s %7s\n", width, "site",
                 "kind", "arenas", "alive", "resets", "peak", "committed", "blocks", "upstream", "dedicated",
                 "abandoned", "asked", "capacity", "suggested", "avoided");
    for (size_t i = 0; i < count; ++i) {
        const SiteFigures &f = rows[i].figures;
        std::fprintf(stderr, "%-*s %-5s %6zu %5zu %7zu %10zu %10zu %6zu %8zu %9zu %9zu %10zu %10zu %10zu %7zu\n",
                     width, rows[i].record->name, rows[i].record->child ? "child" : "top", f.arenas,
                     f.alive_at_exit, f.resets, f.peak_used_since_reset, f.committed_bytes, f.blocks,
                     f.upstream_allocations, f.dedicated_blocks, f.abandoned_bytes, f.requested_capacity,
                     f.capacity_used, f.suggested_initial_capacity, f.upstream_allocations_avoided);
    }
    std::fprintf(stderr, "arena: peak/committed/blocks/asked/capacity/suggested are the max over a site's arenas, "
                         "the rest totals; bytes. Set ARENA_CAPACITY=SITE=SUGGESTED to try a suggestion.\n");
}

void json_string(FILE *out, const char *text) {
    std::fputc('"', out);
    for (const unsigned char *c = reinterpret_cast<const unsigned char *>(text); *c; ++c) {
        if (*c == '"' || *c == '\\') {
            std::fprintf(out, "\\%c", *c);
        } else if (*c < 0x20) {
            std::fprintf(out, "\\u%04x", *c);
        } else {
            std::fputc(*c, out);
        }
    }
    std::fputc('"', out);
}

void write_json(FILE *out, const Row *rows, size_t count) {
    std::fprintf(out, "{\n  \"format\": \"arena-stats\",\n  \"version\": 1,\n  \"pid\": %d,\n  \"program\": ",
                 static_cast<int>(getpid()));
    json_string(out, executable_path());
    std::fputs(",\n  \"sites\": [", out);
    for (size_t i = 0; i < count; ++i) {
        const SiteRecord *r = rows[i].record;
        const SiteFigures &f = rows[i].figures;
        std::fputs(i ? ",\n    {\n      \"site\": " : "\n    {\n      \"site\": ", out);
        json_string(out, r->name);
        std::fputs(",\n      \"object\": ", out);
        json_string(out, r->object ? r->object : "");
        std::fprintf(out,
                     ",\n      \"offset\": \"0x%zx\",\n      \"vaddr\": \"0x%zx\",\n      \"kind\": \"%s\",\n"
                     "      \"arenas\": %zu,\n      \"alive_at_exit\": %zu,\n      \"resets\": %zu,\n"
                     "      \"peak_used_since_reset\": %zu,\n      \"committed_bytes\": %zu,\n      \"blocks\": %zu,\n"
                     "      \"upstream_allocations\": %zu,\n      \"dedicated_blocks\": %zu,\n"
                     "      \"abandoned_bytes\": %zu,\n      \"requested_capacity\": %zu,\n"
                     "      \"capacity_used\": %zu,\n      \"suggested_initial_capacity\": %zu,\n"
                     "      \"upstream_allocations_avoided\": %zu\n    }",
                     static_cast<size_t>(r->offset), static_cast<size_t>(r->vaddr), r->child ? "child" : "top",
                     f.arenas, f.alive_at_exit, f.resets, f.peak_used_since_reset, f.committed_bytes, f.blocks,
                     f.upstream_allocations, f.dedicated_blocks, f.abandoned_bytes, f.requested_capacity,
                     f.capacity_used, f.suggested_initial_capacity, f.upstream_allocations_avoided);
    }
    std::fputs(count ? "\n  ]\n}\n" : "]\n}\n", out);
}

// ARENA_STATS's path with every %p replaced by the pid.
char *expand_path(const char *pattern, pid_t pid) {
    char digits[24];
    int n = std::snprintf(digits, sizeof digits, "%d", static_cast<int>(pid));
    size_t length = 0;
    for (const char *c = pattern; *c; ++c) length += (c[0] == '%' && c[1] == 'p') ? (++c, static_cast<size_t>(n)) : 1;
    char *path = static_cast<char *>(std::malloc(length + 1));
    if (path == nullptr) return nullptr;
    char *out = path;
    for (const char *c = pattern; *c; ++c) {
        if (c[0] == '%' && c[1] == 'p') {
            std::memcpy(out, digits, static_cast<size_t>(n));
            out += n;
            ++c;
        } else {
            *out++ = *c;
        }
    }
    *out = '\0';
    return path;
}

// Temp file beside the target, fsync, rename: readers never see half a file.
void write_json_file(const Row *rows, size_t count) {
    char *path = expand_path(g_path, getpid());
    if (path == nullptr) return;
    size_t length = std::strlen(path) + 32;
    char *temporary = static_cast<char *>(std::malloc(length));
    if (temporary == nullptr) {
        std::free(path);
        return;
    }
    std::snprintf(temporary, length, "%s.tmp.%d", path, static_cast<int>(getpid()));
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : nullptr;
    bool ok = out != nullptr;
    if (ok) {
        write_json(out, rows, count);
        ok = std::fflush(out) == 0 && !std::ferror(out) && fsync(fd) == 0;
        ok = std::fclose(out) == 0 && ok;
        ok = ok && std::rename(temporary, path) == 0;
    } else if (fd >= 0) {
        close(fd);
    }
    if (!ok) {
        warn("ARENA_STATS: cannot write %s: %s", path, std::strerror(errno));
        if (fd >= 0) unlink(temporary);
    }
    std::free(temporary);
    std::free(path);
}

void report_at_exit() {
    int saved_errno = errno;
    // A forked child reports only to a path of its own.
    bool forked = getpid() != g_pid;
    if (forked && (g_output != Output::json || std::strstr(g_path, "%p") == nullptr)) return;
    pthread_mutex_lock(&g_mutex);
    Row *rows = static_cast<Row *>(std::calloc(g_site_count ? g_site_count : 1, sizeof(Row)));
    size_t count = 0;
    if (rows != nullptr) {
        for (size_t i = 0; i < g_table_size; ++i) {
            if (SiteRecord *record = g_table[i]) {
                if (record->figures.arenas == 0) continue; // capacity lookups only, or failed creations
                rows[count++] = {record, record->figures};
            }
        }
        // Arenas still alive: included, and counted as such.
        for (const Arena *arena = g_live; arena != nullptr; arena = arena->site_next) {
            for (size_t i = 0; i < count; ++i) {
                if (rows[i].record == arena->site) {
                    add_arena(&rows[i].figures, arena);
                    rows[i].figures.alive_at_exit += 1;
                    break;
                }
            }
        }
        std::qsort(rows, count, sizeof(Row), compare_rows);
        if (g_output == Output::table) {
            print_table(rows, count);
        } else {
            write_json_file(rows, count);
        }
        std::free(rows);
    }
    pthread_mutex_unlock(&g_mutex);
    errno = saved_errno;
}

} // namespace

namespace arena_detail {

SiteRecord *site_before_create(const void *return_address, bool child, ArenaOptions *options) {
    pthread_once(&g_once, read_environment);
    if (__atomic_load_n(&sites_state, __ATOMIC_ACQUIRE) != kSitesOn) return nullptr;
    bool stats = g_output != Output::none;
    bool may_override = !child || g_capacity_children;
    SiteRecord *record = nullptr;
    if (stats || (may_override && g_entry_count != 0)) {
        int saved_errno = errno;
        pthread_mutex_lock(&g_mutex);
        record = find_site(return_address, child);
        pthread_mutex_unlock(&g_mutex);
        errno = saved_errno;
    }
    if (may_override) {
        size_t capacity = record && record->capacity_override ? record->capacity_override : g_capacity;
        if (capacity != 0) {
            options->initial_capacity = capacity;
            // A cap below the first block would make the options invalid.
            if (options->max_block_size != 0 && options->max_block_size < capacity) options->max_block_size = capacity;
        }
    }
    return stats ? record : nullptr;
}

void site_created(Arena *arena, SiteRecord *site, size_t requested_capacity) {
    int saved_errno = errno;
    pthread_mutex_lock(&g_mutex);
    arena->site = site;
    arena->site_next = g_live;
    if (g_live != nullptr) g_live->site_prev = arena;
    g_live = arena;
    site->figures.arenas += 1;
    if (requested_capacity > site->figures.requested_capacity) site->figures.requested_capacity = requested_capacity;
    if (arena->initial_capacity > site->figures.capacity_used) site->figures.capacity_used = arena->initial_capacity;
    pthread_mutex_unlock(&g_mutex);
    errno = saved_errno;
}

// Only this arena's fields: its owner is the one thread resetting it.
void site_reset(Arena *arena) { arena->abandoned_total += arena->abandoned; }

void site_destroy(Arena *arena) {
    int saved_errno = errno;
    pthread_mutex_lock(&g_mutex);
    add_arena(&arena->site->figures, arena);
    if (arena->site_prev) {
        arena->site_prev->site_next = arena->site_next;
    } else {
        g_live = arena->site_next;
    }
    if (arena->site_next) arena->site_next->site_prev = arena->site_prev;
    pthread_mutex_unlock(&g_mutex);
    arena->site = nullptr;
    errno = saved_errno;
}

} // namespace arena_detail
