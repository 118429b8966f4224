// ARENA_STATS / ARENA_CAPACITY: the environment is read once per process, so
// every case runs the example program (arena/examples/two_sites.c) or
// stats_probe as a child process with its own environment and checks what it
// printed and wrote. Expected figures are worked out by hand in the comments.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

extern char **environ;

namespace {

namespace fs = std::filesystem;

struct Result {
    int status = -1; // exit status, or -1 if it did not exit normally
    pid_t pid = 0;
    std::string out, err;
};

std::string slurp(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A fresh directory per test, removed at the end.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "arena-site-stats-XXXXXX").string();
        path_ = mkdtemp(pattern.data()) ? pattern : "";
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    const fs::path &path() const { return path_; }
    std::vector<std::string> files() const {
        std::vector<std::string> names;
        for (const auto &entry : fs::directory_iterator(path_))
            if (entry.path().filename().string().rfind("std", 0) != 0) names.push_back(entry.path().filename().string());
        return names;
    }

private:
    fs::path path_;
};

// Runs program with the parent's environment minus every ARENA_* variable,
// plus env; in dir, stdout and stderr captured.
Result run(const TempDir &dir, const std::string &program, const std::vector<std::string> &args,
           const std::map<std::string, std::string> &env) {
    std::vector<std::string> environment;
    for (char **e = environ; *e; ++e)
        if (std::strncmp(*e, "ARENA_", 6) != 0) environment.emplace_back(*e);
    for (const auto &[name, value] : env) environment.push_back(name + "=" + value);
    std::vector<char *> envp, argv{const_cast<char *>(program.c_str())};
    for (auto &e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);

    std::string out = (dir.path() / "stdout").string(), err = (dir.path() / "stderr").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addchdir_np(&actions, dir.path().c_str());
    Result result;
    int error = posix_spawn(&result.pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(error, 0) << program;
    if (error != 0) return result;
    int status = 0;
    waitpid(result.pid, &status, 0);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.out = slurp(out);
    result.err = slurp(err);
    return result;
}

Result run_example(const TempDir &dir, const std::map<std::string, std::string> &env) {
    return run(dir, ARENA_EXAMPLE_TWO_SITES, {}, env);
}

// The flat JSON of arena/STATS.md: top-level scalars and the "sites" objects.
using Fields = std::map<std::string, std::string>;
struct Report {
    Fields top;
    std::vector<Fields> sites;
    const Fields *site(const std::string &name, const std::string &kind = "top") const {
        for (const auto &s : sites)
            if (s.at("site") == name && s.at("kind") == kind) return &s;
        return nullptr;
    }
};

Fields fields_of(const std::string &text) {
    static const std::regex field("\"(\\w+)\": (\"([^\"]*)\"|-?[0-9]+)");
    Fields fields;
    for (std::sregex_iterator it(text.begin(), text.end(), field), end; it != end; ++it)
        fields[(*it)[1]] = (*it)[3].matched ? (*it)[3].str() : (*it)[2].str();
    return fields;
}

Report parse(const std::string &json) {
    Report report;
    size_t sites = json.find("\"sites\"");
    EXPECT_NE(sites, std::string::npos) << json;
    if (sites == std::string::npos) return report;
    report.top = fields_of(json.substr(0, sites));
    for (size_t open = json.find('{', sites); open != std::string::npos; open = json.find('{', open + 1)) {
        size_t close = json.find('}', open);
        report.sites.push_back(fields_of(json.substr(open, close - open)));
    }
    EXPECT_EQ(json.back(), '\n');
    return report;
}

size_t number(const Fields *site, const char *key) {
    EXPECT_NE(site, nullptr);
    if (site == nullptr || !site->count(key)) {
        ADD_FAILURE() << "missing " << key;
        return 0;
    }
    return std::stoull(site->at(key));
}

// What the unset run prints: every other run must print the same.
std::string baseline_stdout() {
    static std::string text;
    if (text.empty()) {
        TempDir dir;
        text = run_example(dir, {}).out;
    }
    return text;
}

size_t lines(const std::string &text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(SiteStats, UnsetEmptyOrZeroDoNothing) {
    for (const char *value : std::initializer_list<const char *>{nullptr, "", "0"}) {
        TempDir dir;
        std::map<std::string, std::string> env;
        if (value) env["ARENA_STATS"] = value;
        Result r = run_example(dir, env);
        EXPECT_EQ(r.status, 0);
        EXPECT_EQ(r.err, "") << (value ? value : "unset");
        EXPECT_EQ(r.out, "two_sites: checksum 63422\n");
        EXPECT_TRUE(dir.files().empty());
    }
}

// The example's figures, worked out by hand:
// parse_file: 3 arenas asking 4096; per pass 100 allocations of 200 bytes
// (208 with padding) = 20800 bytes: 19 fit the 4096 block (tail 144
// abandoned), 39 the 8192 block (tail 80), 42 the 16384 block. 3 blocks of
// 4096+8192+16384 plus 3 headers of 32 = 28768 committed, 3 upstream
// allocations per arena; 4 passes, 3 resets per arena; abandoned 224 per
// pass. Suggestion round_up(20800, 4096) = 24576, which avoids 2 per arena.
// render: 1 arena asking 65536 (alive at exit), 10 * 1008 + one 300000 byte
// request larger than any grown block: a dedicated block. Peak 310080,
// committed 65536 + 300000 + 2 * 32, suggestion 311296, avoids 1.
TEST(SiteStats, ExampleJsonFieldByField) {
    TempDir dir;
    Result r = run_example(dir, {{"ARENA_STATS", "stats-%p.json"}});
    ASSERT_EQ(r.status, 0);
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out, baseline_stdout());
    fs::path file = dir.path() / ("stats-" + std::to_string(r.pid) + ".json");
    ASSERT_TRUE(fs::exists(file)) << "files: " << dir.files().size();
    EXPECT_EQ(dir.files(), std::vector<std::string>{file.filename().string()}); // no temp file left
    Report report = parse(slurp(file));
    EXPECT_EQ(report.top["format"], "arena-stats");
    EXPECT_EQ(report.top["version"], "1");
    EXPECT_EQ(report.top["pid"], std::to_string(r.pid));
    EXPECT_EQ(fs::path(report.top["program"]), fs::canonical(ARENA_EXAMPLE_TWO_SITES));
    ASSERT_EQ(report.sites.size(), 2u);
    EXPECT_EQ(report.sites[0]["site"], "parse_file"); // sorted by upstream allocations
    EXPECT_EQ(report.sites[1]["site"], "render");

    const Fields *parse_file = report.site("parse_file");
    ASSERT_NE(parse_file, nullptr);
    EXPECT_EQ(fs::path(parse_file->at("object")), fs::canonical(ARENA_EXAMPLE_TWO_SITES));
    EXPECT_EQ(parse_file->at("offset").rfind("0x", 0), 0u);
    EXPECT_EQ(parse_file->at("vaddr").rfind("0x", 0), 0u);
    EXPECT_EQ(number(parse_file, "arenas"), 3u);
    EXPECT_EQ(number(parse_file, "alive_at_exit"), 0u);
    EXPECT_EQ(number(parse_file, "resets"), 9u);
    EXPECT_EQ(number(parse_file, "peak_used_since_reset"), 20800u);
    EXPECT_EQ(number(parse_file, "committed_bytes"), 28768u);
    EXPECT_EQ(number(parse_file, "blocks"), 3u);
    EXPECT_EQ(number(parse_file, "upstream_allocations"), 9u);
    EXPECT_EQ(number(parse_file, "dedicated_blocks"), 0u);
    EXPECT_EQ(number(parse_file, "abandoned_bytes"), 3u * 4u * 224u);
    EXPECT_EQ(number(parse_file, "requested_capacity"), 4096u);
    EXPECT_EQ(number(parse_file, "capacity_used"), 4096u);
    EXPECT_EQ(number(parse_file, "suggested_initial_capacity"), 24576u);
    EXPECT_EQ(number(parse_file, "upstream_allocations_avoided"), 6u);

    const Fields *render = report.site("render");
    ASSERT_NE(render, nullptr);
    EXPECT_EQ(number(render, "arenas"), 1u);
    EXPECT_EQ(number(render, "alive_at_exit"), 1u);
    EXPECT_EQ(number(render, "resets"), 0u);
    EXPECT_EQ(number(render, "peak_used_since_reset"), 310080u);
    EXPECT_EQ(number(render, "committed_bytes"), 65536u + 300000u + 64u);
    EXPECT_EQ(number(render, "blocks"), 2u);
    EXPECT_EQ(number(render, "upstream_allocations"), 2u);
    EXPECT_EQ(number(render, "dedicated_blocks"), 1u);
    EXPECT_EQ(number(render, "abandoned_bytes"), 0u);
    EXPECT_EQ(number(render, "requested_capacity"), 65536u);
    EXPECT_EQ(number(render, "capacity_used"), 65536u);
    EXPECT_EQ(number(render, "suggested_initial_capacity"), 311296u);
    EXPECT_EQ(number(render, "upstream_allocations_avoided"), 1u);
}

// Closing the loop: the suggestion, fed back by name, by object+offset (full
// path or basename) or globally, leaves one upstream allocation per arena.
TEST(SiteStats, CapacityAtTheSuggestionMakesOneUpstreamAllocationPerArena) {
    TempDir first;
    Result r = run_example(first, {{"ARENA_STATS", "s.json"}});
    ASSERT_EQ(r.status, 0);
    Report before = parse(slurp(first.path() / "s.json"));
    const Fields *site = before.site("parse_file");
    ASSERT_NE(site, nullptr);
    std::string suggested = site->at("suggested_initial_capacity");
    std::string object = site->at("object"), offset = site->at("offset");
    std::string base = fs::path(object).filename().string();

    for (const std::string &setting : std::vector<std::string>{"parse_file=" + suggested, object + "+" + offset + "=" + suggested,
                                       base + "+" + offset + "=" + suggested, "render=1M,parse_file=24K",
                                       suggested}) {
        TempDir dir;
        Result tuned = run_example(dir, {{"ARENA_STATS", "s.json"}, {"ARENA_CAPACITY", setting}});
        ASSERT_EQ(tuned.status, 0) << setting;
        EXPECT_EQ(tuned.err, "") << setting;
        EXPECT_EQ(tuned.out, baseline_stdout());
        Report after = parse(slurp(dir.path() / "s.json"));
        const Fields *tuned_site = after.site("parse_file");
        EXPECT_EQ(number(tuned_site, "upstream_allocations"), 3u) << setting;
        EXPECT_EQ(number(tuned_site, "blocks"), 1u) << setting;
        EXPECT_EQ(number(tuned_site, "upstream_allocations_avoided"), 0u) << setting;
        EXPECT_EQ(number(tuned_site, "abandoned_bytes"), 0u) << setting;
        EXPECT_EQ(number(tuned_site, "requested_capacity"), 4096u) << setting;
        EXPECT_EQ(number(tuned_site, "capacity_used"), 24576u) << setting;
        EXPECT_EQ(number(tuned_site, "peak_used_since_reset"), 20800u) << setting;
    }
    // Per site: the other site keeps what its code asked for.
    TempDir dir;
    ASSERT_EQ(run_example(dir, {{"ARENA_STATS", "s.json"}, {"ARENA_CAPACITY", "parse_file=24K"}}).status, 0);
    EXPECT_EQ(number(parse(slurp(dir.path() / "s.json")).site("render"), "capacity_used"), 65536u);
    // Globally, render's arena gets it too: 512K holds its peak in one block.
    TempDir global;
    ASSERT_EQ(run_example(global, {{"ARENA_STATS", "s.json"}, {"ARENA_CAPACITY", "512K"}}).status, 0);
    Report report = parse(slurp(global.path() / "s.json"));
    const Fields *render = report.site("render");
    EXPECT_EQ(number(render, "capacity_used"), 512u * 1024u);
    EXPECT_EQ(number(render, "upstream_allocations"), 1u);
    EXPECT_EQ(number(render, "dedicated_blocks"), 0u);
}

TEST(SiteStats, TableOnStderrSortedByUpstreamAllocations) {
    for (const char *value : {"1", "stderr"}) {
        TempDir dir;
        Result r = run_example(dir, {{"ARENA_STATS", value}});
        EXPECT_EQ(r.status, 0);
        EXPECT_EQ(r.out, baseline_stdout());
        EXPECT_TRUE(dir.files().empty());
        size_t header = r.err.find("site ");
        size_t parse_file = r.err.find("\nparse_file ");
        size_t render = r.err.find("\nrender ");
        ASSERT_NE(header, std::string::npos) << r.err;
        ASSERT_NE(parse_file, std::string::npos) << r.err;
        ASSERT_NE(render, std::string::npos) << r.err;
        EXPECT_LT(header, parse_file);
        EXPECT_LT(parse_file, render);
        // The parse_file row: kind, arenas, alive, resets, peak, committed,
        // blocks, upstream, dedicated, abandoned, asked, capacity, suggested, avoided.
        std::string row = r.err.substr(parse_file + 1, r.err.find('\n', parse_file + 1) - parse_file - 1);
        EXPECT_TRUE(std::regex_search(row, std::regex("^parse_file +top +3 +0 +9 +20800 +28768 +3 +9 +0 +2688 +4096 "
                                                      "+4096 +24576 +6$")))
            << row;
    }
}

// One warning line each, and the program behaves as without the variable.
TEST(SiteStats, BadValuesWarnOnceAndChangeNothing) {
    const std::vector<std::map<std::string, std::string>> cases = {
        {{"ARENA_STATS", "banana"}},
        {{"ARENA_STATS", "stats.txt"}},
        {{"ARENA_STATS", ".json"}},
        {{"ARENA_CAPACITY", "12Q"}},
        {{"ARENA_CAPACITY", "0"}},
        {{"ARENA_CAPACITY", "-4K"}},
        {{"ARENA_CAPACITY", "parse_file="}},
        {{"ARENA_CAPACITY", "=4K"}},
        {{"ARENA_CAPACITY", "1M,2M"}},
        {{"ARENA_CAPACITY", "99999999999999999999G"}},
        {{"ARENA_CAPACITY", "parse_file=1M,,render=2M"}},
        {{"ARENA_CAPACITY_CHILDREN", "yes"}},
        {{"ARENA_STATS", "/nonexistent-dir/stats.json"}}, // unwritable path
    };
    for (const auto &env : cases) {
        TempDir dir;
        Result r = run_example(dir, env);
        std::string what = env.begin()->first + "=" + env.begin()->second;
        EXPECT_EQ(r.status, 0) << what;
        EXPECT_EQ(r.out, baseline_stdout()) << what;
        EXPECT_EQ(lines(r.err), 1u) << what << ": " << r.err;
        EXPECT_EQ(r.err.rfind("arena: ", 0), 0u) << what << ": " << r.err;
        EXPECT_TRUE(dir.files().empty()) << what;
    }
    // An invalid ARENA_CAPACITY is ignored whole: the report shows the code's capacities.
    TempDir dir;
    Result r = run_example(dir, {{"ARENA_STATS", "s.json"}, {"ARENA_CAPACITY", "parse_file=1M,render=lots"}});
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_EQ(number(parse(slurp(dir.path() / "s.json")).site("parse_file"), "capacity_used"), 4096u);
}

TEST(SiteStats, UnwritableDirectoryWarnsOnce) {
    TempDir dir;
    fs::create_directory(dir.path() / "ro");
    fs::permissions(dir.path() / "ro", fs::perms::owner_read | fs::perms::owner_exec);
    // root writes there anyway: then a path through a regular file instead.
    bool root_like = access((dir.path() / "ro").c_str(), W_OK) == 0;
    std::ofstream(dir.path() / "plain") << "not a directory\n";
    Result r = run_example(dir, {{"ARENA_STATS", root_like ? "plain/stats.json" : "ro/stats.json"}});
    fs::permissions(dir.path() / "ro", fs::perms::owner_all);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.out, baseline_stdout());
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::is_empty(dir.path() / "ro"));
}

// thread_site: 60 * 112 bytes = 6720: the 4096 block takes 36 (tail 64
// abandoned), an 8192 block the rest; one reset, then 10 allocations.
TEST(SiteStats, ArenasFromManyThreadsAreAllCounted) {
    TempDir dir;
    constexpr size_t kThreads = 8, kPerThread = 50, kArenas = kThreads * kPerThread;
    Result r = run(dir, ARENA_STATS_PROBE, {"threads", std::to_string(kThreads), std::to_string(kPerThread)},
                   {{"ARENA_STATS", "s.json"}});
    ASSERT_EQ(r.status, 0) << r.err;
    Report report = parse(slurp(dir.path() / "s.json"));
    ASSERT_EQ(report.sites.size(), 1u);
    const Fields *site = report.site("thread_site");
    EXPECT_EQ(number(site, "arenas"), kArenas);
    EXPECT_EQ(number(site, "alive_at_exit"), 0u);
    EXPECT_EQ(number(site, "resets"), kArenas);
    EXPECT_EQ(number(site, "upstream_allocations"), 2 * kArenas);
    EXPECT_EQ(number(site, "upstream_allocations_avoided"), kArenas);
    EXPECT_EQ(number(site, "abandoned_bytes"), 64 * kArenas);
    EXPECT_EQ(number(site, "peak_used_since_reset"), 6720u);
    EXPECT_EQ(number(site, "blocks"), 2u);
    EXPECT_EQ(number(site, "suggested_initial_capacity"), 8192u);
}

TEST(SiteStats, ForkedChildWritesItsOwnFileOnlyWithPid) {
    {
        TempDir dir;
        Result r = run(dir, ARENA_STATS_PROBE, {"fork"}, {{"ARENA_STATS", "s-%p.json"}});
        ASSERT_EQ(r.status, 0) << r.err;
        int child = std::atoi(r.out.c_str() + std::strlen("child "));
        ASSERT_GT(child, 0) << r.out;
        EXPECT_NE(r.out.find("exit 0"), std::string::npos) << r.out;
        Report parent = parse(slurp(dir.path() / ("s-" + std::to_string(r.pid) + ".json")));
        Report forked = parse(slurp(dir.path() / ("s-" + std::to_string(child) + ".json")));
        EXPECT_EQ(parent.top["pid"], std::to_string(r.pid));
        EXPECT_EQ(forked.top["pid"], std::to_string(child));
        EXPECT_NE(parent.site("after_fork"), nullptr);
        EXPECT_EQ(parent.site("in_child"), nullptr);
        EXPECT_NE(forked.site("in_child"), nullptr);
        EXPECT_EQ(forked.site("after_fork"), nullptr);
        EXPECT_EQ(dir.files().size(), 2u);
    }
    {
        TempDir dir;
        Result r = run(dir, ARENA_STATS_PROBE, {"fork"}, {{"ARENA_STATS", "s.json"}});
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_NE(r.out.find("file before parent exit: no"), std::string::npos) << r.out;
        Report parent = parse(slurp(dir.path() / "s.json"));
        EXPECT_EQ(parent.top["pid"], std::to_string(r.pid));
        EXPECT_EQ(parent.site("in_child"), nullptr);
        EXPECT_EQ(dir.files().size(), 1u);
    }
}

// The C++ constructors are always inlined: the site is the function that
// builds the arena::Arena, demangled, without its parameters.
TEST(SiteStats, CppConstructorsNameTheirCaller) {
    TempDir dir;
    Result r = run(dir, ARENA_STATS_PROBE, {"cpp"}, {{"ARENA_STATS", "s.json"}});
    ASSERT_EQ(r.status, 0) << r.err;
    Report report = parse(slurp(dir.path() / "s.json"));
    size_t top = 0;
    for (const auto &site : report.sites) {
        EXPECT_EQ(site.at("site"), "probe::build");
        top += site.at("kind") == "top";
    }
    EXPECT_EQ(top, 2u); // the size_t and the Options constructors: two call sites
    const Fields *child = report.site("probe::build", "child");
    EXPECT_EQ(number(child, "arenas"), 1u);
    EXPECT_EQ(number(child, "requested_capacity"), 1024u);
}

TEST(SiteStats, CapacityReachesChildArenasOnlyWhenAsked) {
    for (const char *children : {"0", "1"}) {
        TempDir dir;
        Result r = run(dir, ARENA_STATS_PROBE, {"children"},
                       {{"ARENA_STATS", "s.json"}, {"ARENA_CAPACITY", "1M"}, {"ARENA_CAPACITY_CHILDREN", children}});
        ASSERT_EQ(r.status, 0) << r.err;
        EXPECT_EQ(r.err, "");
        Report report = parse(slurp(dir.path() / "s.json"));
        EXPECT_EQ(number(report.site("child_site", "top"), "capacity_used"), 1024u * 1024u);
        EXPECT_EQ(number(report.site("child_site", "child"), "capacity_used"),
                  children[0] == '1' ? 1024u * 1024u : 4096u);
    }
}

} // namespace
