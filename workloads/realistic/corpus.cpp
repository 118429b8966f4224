// corpus.cpp - input discovery, loading, validation and sampling (corpus.h).
#include "corpus.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "generate.h"
#include "heap.h"
#include "json.h"
#include "measure.h"
#include "reader.h"

namespace bench::realistic {

namespace fs = std::filesystem;

namespace {

std::string human_bytes(std::size_t n) {
    char buf[32];
    if (n >= (std::size_t{1} << 20)) {
        std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1 << 20));
    } else {
        std::snprintf(buf, sizeof buf, "%zu KiB", (n + 1023) / 1024);
    }
    return buf;
}

std::vector<std::string> split_dirs(const char* value) {
    std::vector<std::string> dirs;
    std::string s(value);
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t colon = s.find(':', start);
        if (colon == std::string::npos) colon = s.size();
        if (colon > start) dirs.push_back(s.substr(start, colon - start));
        start = colon + 1;
    }
    return dirs;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

bool read_file(const std::string& path, std::string* text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return false;
    *text = ss.str();
    return true;
}

const char* kind_name(InputKind kind) { return kind == InputKind::kScheme ? "Scheme" : "JSON"; }
const char* extension(InputKind kind) { return kind == InputKind::kScheme ? ".scm" : ".json"; }
const char* env_name(InputKind kind) {
    return kind == InputKind::kScheme ? "ARENA_BENCH_SCHEME_DIRS" : "ARENA_BENCH_JSON_DIRS";
}
const char* packages(InputKind kind) { return kind == InputKind::kScheme ? "guile-3.0-libs slib" : "iso-codes"; }

void seal(Corpus& c) {
    std::uint64_t h = 0x636f72707573ull;
    for (const InputFile& f : c.files) {
        h = mix64(h ^ hash_bytes(f.path.data(), f.path.size()));
        h = mix64(h ^ hash_bytes(f.text.data(), f.text.size()));
    }
    c.digest = h;
}

}  // namespace

std::string Corpus::describe() const {
    std::string s = generated ? "GENERATED " : "debian ";
    s += std::to_string(files.size()) + " files " + human_bytes(bytes);
    if (generated) {
        s += " (" + origin + ")";
    } else if (sampled) {
        s += " (sample of " + std::to_string(available_files) + " files, " + human_bytes(available_bytes) + ")";
    }
    if (!skipped.empty()) s += ", " + std::to_string(skipped.size()) + " unreadable skipped";
    return s;
}

std::vector<std::string> input_dirs(InputKind kind, bool* explicit_dirs) {
    const char* env = std::getenv(env_name(kind));
    if (env != nullptr && *env != '\0') {
        *explicit_dirs = true;
        return split_dirs(env);
    }
    *explicit_dirs = false;
    if (kind == InputKind::kScheme) return {"/usr/share/guile/3.0", "/usr/share/slib"};
    std::vector<std::string> dirs = {"/usr/share/iso-codes/json"};
    std::error_code ec;
    std::vector<std::string> cmake;
    for (const auto& e : fs::directory_iterator("/usr/share", ec)) {
        std::string name = e.path().filename().string();
        if (name.rfind("cmake-", 0) == 0 && e.is_directory(ec)) cmake.push_back(e.path().string());
    }
    std::sort(cmake.begin(), cmake.end());
    dirs.insert(dirs.end(), cmake.begin(), cmake.end());
    return dirs;
}

std::vector<std::string> find_files(const std::vector<std::string>& dirs, std::string_view ext) {
    std::vector<std::string> out;
    for (const std::string& dir : dirs) {
        std::error_code ec;
        if (!fs::is_directory(dir, ec)) continue;
        fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
        for (; !ec && it != end; it.increment(ec)) {
            const fs::directory_entry& e = *it;
            std::error_code ec2;
            if (!e.is_regular_file(ec2)) continue;
            std::string p = e.path().string();
            if (p.size() >= ext.size() && p.compare(p.size() - ext.size(), ext.size(), ext) == 0) out.push_back(p);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Corpus generated_corpus(InputKind kind, std::size_t bytes, std::string reason) {
    Corpus c;
    c.kind = kind;
    c.generated = true;
    c.origin = std::move(reason);
    constexpr std::size_t kFileBytes = 32 * 1024;
    for (std::uint64_t i = 0; c.bytes < bytes; ++i) {
        std::size_t want = std::min(kFileBytes, bytes - c.bytes);
        InputFile f;
        char name[64];
        std::snprintf(name, sizeof name, "generated/%03u%s", static_cast<unsigned>(i), extension(kind));
        f.path = name;
        f.text = kind == InputKind::kScheme ? generate_scheme(0x5c4e3e + i, want) : generate_json(0x150c0de + i, want);
        c.bytes += f.text.size();
        c.files.push_back(std::move(f));
    }
    c.available_files = c.files.size();
    c.available_bytes = c.bytes;
    seal(c);
    return c;
}

Corpus load_corpus(InputKind kind, std::size_t budget, std::size_t generated_bytes, const Validator& validate) {
    const char* mode = std::getenv("ARENA_BENCH_INPUTS");
    std::string m = mode != nullptr ? mode : "";
    if (!m.empty() && m != "generated" && m != "debian" && m != "auto") {
        throw InputError("ARENA_BENCH_INPUTS='" + m + "': expected generated, debian or auto");
    }
    if (m == "generated") {
        return generated_corpus(kind, generated_bytes, "ARENA_BENCH_INPUTS=generated");
    }
    bool explicit_dirs = false;
    std::vector<std::string> dirs = input_dirs(kind, &explicit_dirs);
    std::vector<std::string> paths = find_files(dirs, extension(kind));

    Corpus c;
    c.kind = kind;
    c.origin = join(dirs, ":");
    // Sizes first (no reading), for the sample and the "of N files" figure.
    struct Candidate {
        std::uint64_t order;
        std::string path;
        std::size_t size;
    };
    std::vector<Candidate> candidates;
    for (const std::string& p : paths) {
        std::error_code ec;
        auto size = fs::file_size(p, ec);
        if (ec) {
            c.skipped.push_back(p + ": " + ec.message());
            continue;
        }
        candidates.push_back({mix64(hash_bytes(p.data(), p.size())), p, static_cast<std::size_t>(size)});
        c.available_bytes += static_cast<std::size_t>(size);
    }
    c.available_files = candidates.size();
    // A deterministic spread: files in hash order, taken while they fit.
    if (budget != 0) {
        std::sort(candidates.begin(), candidates.end(),
                  [](const Candidate& a, const Candidate& b) { return a.order < b.order || (a.order == b.order && a.path < b.path); });
    }
    for (const Candidate& cand : candidates) {
        if (budget != 0 && c.bytes + cand.size > budget) {
            c.sampled = true;
            continue;
        }
        InputFile f;
        f.path = cand.path;
        if (!read_file(cand.path, &f.text)) {
            c.skipped.push_back(cand.path + ": cannot read");
            continue;
        }
        std::string error = validate ? validate(f.path, f.text) : std::string();
        if (!error.empty()) {
            c.skipped.push_back(error);
            continue;
        }
        c.bytes += f.text.size();
        c.files.push_back(std::move(f));
    }
    std::sort(c.files.begin(), c.files.end(), [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
    for (const std::string& s : c.skipped) std::fprintf(stderr, "realistic inputs: skipped %s\n", s.c_str());

    if (c.files.empty()) {
        std::string why = std::string("no usable ") + extension(kind) + " file under " + c.origin;
        if (explicit_dirs) throw InputError(std::string(env_name(kind)) + ": " + why);
        if (m == "debian") {
            throw InputError(std::string("ARENA_BENCH_INPUTS=debian but ") + why + "; install " + packages(kind));
        }
        Corpus g = generated_corpus(kind, generated_bytes, why + "; install " + packages(kind));
        g.skipped = std::move(c.skipped);
        std::fprintf(stderr, "realistic inputs: %s input generated (%s)\n", kind_name(kind), g.origin.c_str());
        return g;
    }
    seal(c);
    return c;
}

std::string validate_scheme(const std::string& path, const std::string& text) {
    RefAdapter ref;
    CountProbe probe;
    Heap<RefAdapter, CountProbe> h(ref, probe);
    try {
        SymbolTable* table = make_symbol_table(h);
        Reader<Heap<RefAdapter, CountProbe>, Heap<RefAdapter, CountProbe>> reader(&h, h, table, text, path);
        Value v;
        while (reader.next(&v)) {
        }
    } catch (const ReadError& e) {
        return e.what();
    }
    return {};
}

std::string validate_json(const std::string& path, const std::string& text) {
    RefAdapter ref;
    CountProbe probe;
    Heap<RefAdapter, CountProbe> h(ref, probe);
    HeapResource<Heap<RefAdapter, CountProbe>> mr(h);
    try {
        json::parse(text, &mr, path);
    } catch (const json::JsonError& e) {
        return e.what();
    }
    return {};
}

std::size_t scheme_budget() { return pick<std::size_t>(48 << 10, 320 << 10, 0); }
std::size_t json_budget() { return pick<std::size_t>(32 << 10, 512 << 10, 0); }

const Corpus& scheme_corpus() {
    static const Corpus c =
        load_corpus(InputKind::kScheme, scheme_budget(), pick<std::size_t>(48 << 10, 320 << 10, 4 << 20), validate_scheme);
    return c;
}

const Corpus& json_corpus() {
    static const Corpus c =
        load_corpus(InputKind::kJson, json_budget(), pick<std::size_t>(32 << 10, 512 << 10, 2 << 20), validate_json);
    return c;
}

void check_input_settings(const char* program) {
    static bool done = false;
    if (done) return;
    done = true;
    const char* mode = std::getenv("ARENA_BENCH_INPUTS");
    bool scheme_explicit = false, json_explicit = false;
    std::vector<std::string> scheme_dirs = input_dirs(InputKind::kScheme, &scheme_explicit);
    std::vector<std::string> json_dirs = input_dirs(InputKind::kJson, &json_explicit);
    try {
        if ((mode != nullptr && *mode != '\0') || scheme_explicit) scheme_corpus();
        if ((mode != nullptr && *mode != '\0') || json_explicit) json_corpus();
    } catch (const InputError& e) {
        std::fprintf(stderr, "%s: bad input setting: %s\n", program, e.what());
        std::exit(2);
    }
    auto join = [](const std::vector<std::string>& dirs) {
        std::string s;
        for (const std::string& d : dirs) s += (s.empty() ? "" : ":") + d;
        return s;
    };
    benchmark::AddCustomContext("realistic_inputs",
                                std::string("mode=") + (mode != nullptr && *mode ? mode : "auto") +
                                    "; scheme dirs=" + join(scheme_dirs) + "; json dirs=" + join(json_dirs) +
                                    " (each row's label says what was used)");
}

}  // namespace bench::realistic
