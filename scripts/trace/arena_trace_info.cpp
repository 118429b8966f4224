// arena_trace_info - checks traces and prints what they hold.
//   arena_trace_info [--json | --records] FILE...
// --records prints every record, one a line (offset, kind, fields).
// Exit status: 0; 1 if a trace is malformed (the reason is printed); 2 for bad
// arguments.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "trace_reader.h"

namespace {

void print_records(const std::string& path) {
    trace::MappedBuffer<char> bytes = trace::read_file(path);
    trace::TraceParser p(std::string_view(bytes.data(), bytes.size()), path);
    std::printf("# %s: version %u, pid %llu, command: %s\n", path.c_str(), p.header().version,
                static_cast<unsigned long long>(p.header().pid), p.header().command.c_str());
    trace::Record r;
    while (p.next(&r)) {
        auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
        std::printf("%10llu ", u(r.offset));
        switch (r.op) {
            case ARENA_TRACE_OP_MALLOC: std::printf("malloc  %llu -> 0x%llx\n", u(r.size), u(r.addr)); break;
            case ARENA_TRACE_OP_CALLOC: std::printf("calloc  %llu -> 0x%llx\n", u(r.size), u(r.addr)); break;
            case ARENA_TRACE_OP_REALLOC:
                std::printf("realloc 0x%llx %llu -> 0x%llx\n", u(r.old_addr), u(r.size), u(r.addr));
                break;
            case ARENA_TRACE_OP_ALIGNED:
                std::printf("aligned %llu %llu -> 0x%llx\n", 1ull << r.align_log2, u(r.size), u(r.addr));
                break;
            case ARENA_TRACE_OP_FREE: std::printf("free    0x%llx\n", u(r.addr)); break;
            case ARENA_TRACE_OP_PHASE:
                std::printf("phase   \"%.*s\" at %llu ns\n", static_cast<int>(r.phase_name.size()), r.phase_name.data(),
                            u(r.time_ns));
                break;
            case ARENA_TRACE_OP_THREAD: std::printf("thread  %llu\n", u(r.thread)); break;
            case ARENA_TRACE_OP_END:
                std::printf("end     %llu records, %llu unrecorded\n", u(r.end_records), u(r.end_unrecorded));
                break;
            default: break;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    bool json = false, raw = false;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (std::strcmp(argv[i], "--records") == 0) {
            raw = true;
        } else if (std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--help") == 0) {
            std::printf("usage: arena_trace_info [--json | --records] FILE...\n");
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            std::fprintf(stderr, "arena_trace_info: unknown option '%s'\n", argv[i]);
            return 2;
        } else {
            files.push_back(argv[i]);
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "usage: arena_trace_info [--json | --records] FILE...\n");
        return 2;
    }
    int status = 0;
    if (json) std::printf("[");
    bool first = true;
    for (const std::string& f : files) {
        try {
            if (raw) {
                print_records(f);
                continue;
            }
            auto t = trace::load_trace(f, trace::trace_name_from_path(f));
            if (json) {
                std::printf("%s%s", first ? "" : ",\n ", trace::describe_json(*t).c_str());
                first = false;
            } else {
                std::printf("%s", trace::describe(*t).c_str());
            }
        } catch (const trace::TraceError& e) {
            std::fprintf(stderr, "arena_trace_info: %s\n", e.what());
            status = 1;
        }
    }
    if (json) std::printf("]\n");
    return status;
}
