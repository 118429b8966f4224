// corpus.h - where the realistic workloads' inputs come from.
//
// Scheme sources: every *.scm under ARENA_BENCH_SCHEME_DIRS (colon-separated),
//   default /usr/share/guile/3.0:/usr/share/slib (Debian guile-3.0-libs, slib).
// JSON documents: every *.json under ARENA_BENCH_JSON_DIRS, default
//   /usr/share/iso-codes/json and /usr/share/cmake-*/ (Debian iso-codes,
//   cmake-data).
// ARENA_BENCH_INPUTS=generated forces the generated inputs (generate.h).
//
// Files are read once per process, sorted by path, and each is parsed once
// (on private memory) to validate it: a file that does not parse is left out
// with its error in Corpus::skipped. The run scale sets a byte budget; above
// it a deterministic sample of whole files is taken (spread over the
// directories, not the first files alphabetically). When the default
// directories hold nothing usable the corpus is generated and says so in
// origin/describe() (the benchmark label), so a number measured on generated
// input is never mistaken for one measured on the Debian files. Directories
// given explicitly that hold nothing usable are an error (InputError).
#ifndef WORKLOADS_REALISTIC_CORPUS_H
#define WORKLOADS_REALISTIC_CORPUS_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bench::realistic {

class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class InputKind { kScheme, kJson };

struct InputFile {
    std::string path;
    std::string text;
};

struct Corpus {
    InputKind kind = InputKind::kScheme;
    std::vector<InputFile> files;
    std::size_t bytes = 0;            // of the files used
    std::size_t available_files = 0;  // usable files found before sampling
    std::size_t available_bytes = 0;
    bool generated = false;
    bool sampled = false;             // the budget left files out
    std::string origin;                // directories, or why the input is generated
    std::vector<std::string> skipped;  // "path: error" of files left out
    std::uint64_t digest = 0;          // of every path and text (caches key on it)
    // One line for the benchmark label, e.g.
    // "debian 41 files 389 KiB (of 483, 6.8 MiB)" or "GENERATED 12 files 384 KiB (...)".
    std::string describe() const;
};

// Returns "" if text is a valid input, else the error message.
using Validator = std::function<std::string(const std::string& path, const std::string& text)>;

// Directories searched for kind: the environment variable if set, else the
// defaults. *explicit_dirs tells which.
std::vector<std::string> input_dirs(InputKind kind, bool* explicit_dirs);

// Regular files under dirs (recursively) whose names end in ext, sorted.
std::vector<std::string> find_files(const std::vector<std::string>& dirs, std::string_view ext);

// Loads, validates and samples (budget bytes; 0 = everything). Falls back to
// generated input (generated_bytes) when the default directories hold no
// usable file; throws InputError when explicitly given ones do not, or when
// ARENA_BENCH_INPUTS has a value other than "generated" or "debian".
Corpus load_corpus(InputKind kind, std::size_t budget, std::size_t generated_bytes, const Validator& validate);

// A corpus made only of generated input (tests, the fallback): files of
// about 32 KiB up to `bytes` in total.
Corpus generated_corpus(InputKind kind, std::size_t bytes, std::string reason);

// Validators: a full parse on private memory.
std::string validate_scheme(const std::string& path, const std::string& text);
std::string validate_json(const std::string& path, const std::string& text);

// The corpora for the current run scale, loaded on first use (thread-safe).
const Corpus& scheme_corpus();
const Corpus& json_corpus();

// Budgets per scale (bytes): smoke, quick, full.
std::size_t scheme_budget();
std::size_t json_budget();

// Called when the workloads are registered: loads the corpora now if their
// settings are explicit (environment), and ends the process with status 2 on
// a bad setting, before anything runs. Adds the input settings to the
// benchmark context. program names the binary in the message.
void check_input_settings(const char* program);

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_CORPUS_H
