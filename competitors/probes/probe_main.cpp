// The shared main of every arena_probe_<name>: `arena_probe_<name> CASE` runs
// one case; an unknown or missing case exits with status 2 and a message.
// C++ exceptions are caught only to be reported ("exception"); anything else
// that ends the process is the result.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <typeinfo>

#include <cxxabi.h>

#include "probe.h"

namespace {
const char* current_case = "";  // the case this process runs
}  // namespace

namespace probe {

std::string hex(const void* p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%p", p);
    return buf;
}

std::size_t opaque(std::size_t n) {
    volatile std::size_t v = n;
    return v;
}

void report(const char* result, const std::string& detail) {
    std::string line = std::string("probe\t") + current_case + "\t" + result + "\t";
    for (char c : detail) line += (c == '\t' || c == '\n') ? ' ' : c;
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
}

void report_pointer(const void* p, const std::string& how, std::size_t alignment) {
    if (p == nullptr) {
        report(kNull, how);
    } else if (alignment != 0 && reinterpret_cast<std::uintptr_t>(p) % alignment != 0) {
        report(kMisaligned, how + "; " + hex(p) + " is not " + std::to_string(alignment) + "-aligned");
    } else {
        report(kPointer, how + "; " + hex(p) + (alignment ? " (" + std::to_string(alignment) + "-aligned)" : ""));
    }
}

void report_reuse(std::size_t first, std::size_t second, const std::string& counted_by) {
    std::string counts = "first fill " + std::to_string(first) + " upstream calls, after reset " +
                         std::to_string(second) + "; counted by " + counted_by;
    if (first == 0)
        report(kUnknown, "the hook saw no upstream call on the first fill; " + counts);
    else if (second == 0)
        report(kReused, counts);
    else
        report(kNewMemory, std::to_string(second) + " calls; " + counts);
}

}  // namespace probe

namespace {

struct Case {
    const char* name;
    void (*run)();
};

constexpr Case kCases[] = {
    {"align_4096", probe::align_4096},     {"oversized", probe::oversized},
    {"size_zero", probe::size_zero},       {"size_max", probe::size_max},
    {"reset_reuse", probe::reset_reuse},   {"child_region", probe::child_region},
    {"savepoint", probe::savepoint},       {"destructor", probe::destructor},
    {"statistics", probe::statistics},
};

std::string type_name(const std::type_info& t) {
    int status = 0;
    char* name = abi::__cxa_demangle(t.name(), nullptr, nullptr, &status);
    std::string out = status == 0 && name ? name : t.name();
    std::free(name);
    return out;
}

int usage(const char* program, const char* problem) {
    std::fprintf(stderr, "%s: %s\nusage: %s CASE (one of:", program, problem, program);
    for (const Case& c : kCases) std::fprintf(stderr, " %s", c.name);
    std::fprintf(stderr, "), or --list\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    const char* program = argc > 0 ? argv[0] : "arena_probe";
    if (const char* slash = std::strrchr(program, '/')) program = slash + 1;
    if (argc != 2) return usage(program, "expected one case");
    if (std::strcmp(argv[1], "--list") == 0) {
        for (const Case& c : kCases) std::printf("%s\n", c.name);
        return 0;
    }
    for (const Case& c : kCases) {
        if (std::strcmp(argv[1], c.name) != 0) continue;
        current_case = c.name;
        try {
            c.run();
        } catch (const std::exception& e) {
            probe::report(probe::kException, type_name(typeid(e)) + ": " + e.what());
        }
        return 0;
    }
    return usage(program, (std::string("unknown case '") + argv[1] + "'").c_str());
}
