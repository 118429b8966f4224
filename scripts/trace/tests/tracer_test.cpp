// tracer_test.cpp - libarena_trace.so on a real program (trace_testprog):
// the exact calls of a known sequence, phases from the API, from open() and
// from a signal, main/exit phases, threads, fork, _exit, exit(3), and the
// cases where it must not record. The traced program is not sanitized (the
// tracer replaces malloc in it); this test binary may be.
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "trace_reader.h"

extern char** environ;

namespace {

struct TracedRun {
    int status = -1;
    std::string trace_path;
};

class TracerTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/arena_tracer_test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::string cmd = "rm -rf '" + dir_ + "'";
        ASSERT_EQ(std::system(cmd.c_str()), 0);
    }

    // Runs trace_testprog MODE under the tracer; extra: more environment.
    TracedRun run(const std::string& mode, std::vector<std::string> extra = {}, bool preload = true,
            const std::string& out_name = "out.trace") {
        TracedRun r;
        r.trace_path = dir_ + "/" + out_name;
        std::vector<std::string> env;
        for (char** e = environ; *e != nullptr; ++e) {
            std::string kv = *e;
            if (kv.rfind("LD_PRELOAD=", 0) == 0 || kv.rfind("ARENA_TRACE_", 0) == 0 || kv.rfind("ASAN_", 0) == 0)
                continue;
            env.push_back(kv);
        }
        if (preload) env.push_back("LD_PRELOAD=" ARENA_TRACE_LIBRARY);
        env.push_back("ARENA_TRACE_OUT=" + r.trace_path);
        env.push_back("ARENA_TRACE_PHASE_OPEN=.phasetest");
        env.push_back("ARENA_TRACE_PHASE_SIGNAL=USR2");
        for (auto& e : extra) env.push_back(e);
        std::vector<char*> envp;
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        std::string prog = ARENA_TRACE_TESTPROG;
        std::vector<std::string> args = {prog, mode, dir_};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        pid_t pid;
        if (posix_spawn(&pid, prog.c_str(), nullptr, nullptr, argv.data(), envp.data()) != 0) return r;
        int status = 0;
        if (waitpid(pid, &status, 0) == pid && WIFEXITED(status)) r.status = WEXITSTATUS(status);
        return r;
    }

    static std::vector<trace::Record> records(const std::string& bytes) {
        trace::TraceParser p(bytes, "t");
        std::vector<trace::Record> out;
        trace::Record r;
        while (p.next(&r)) out.push_back(r);
        return out;
    }
    static std::string slurp(const std::string& path) {
        std::ifstream f(path, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    }
    static std::vector<std::string> phases(const std::vector<trace::Record>& rs) {
        std::vector<std::string> out;
        for (const auto& r : rs)
            if (r.op == ARENA_TRACE_OP_PHASE) out.emplace_back(r.phase_name);
        return out;
    }

    std::string dir_;
};

TEST_F(TracerTest, KnownSequenceIsRecordedExactly) {
    TracedRun r = run("basic");
    ASSERT_EQ(r.status, 0);
    std::string bytes = slurp(r.trace_path);
    auto rs = records(bytes);
    // The calls between the phases "known" and "known-end", in order.
    auto begin = std::find_if(rs.begin(), rs.end(),
                              [](const trace::Record& x) { return x.op == ARENA_TRACE_OP_PHASE && x.phase_name == "known"; });
    ASSERT_NE(begin, rs.end());
    std::vector<trace::Record> seq;
    for (auto it = begin + 1; it != rs.end() && it->op != ARENA_TRACE_OP_PHASE; ++it) seq.push_back(*it);
    ASSERT_EQ(seq.size(), 13u);
    EXPECT_EQ(seq[0].op, ARENA_TRACE_OP_MALLOC);
    EXPECT_EQ(seq[0].size, 100u);
    EXPECT_EQ(seq[1].op, ARENA_TRACE_OP_CALLOC);
    EXPECT_EQ(seq[1].size, 200u);
    EXPECT_EQ(seq[2].op, ARENA_TRACE_OP_REALLOC);
    EXPECT_EQ(seq[2].old_addr, seq[0].addr);
    EXPECT_EQ(seq[2].size, 1000u);
    EXPECT_EQ(seq[3].op, ARENA_TRACE_OP_ALIGNED);
    EXPECT_EQ(seq[3].align_log2, 6u);
    EXPECT_EQ(seq[4].align_log2, 12u);
    EXPECT_EQ(seq[4].size, 5000u);
    EXPECT_EQ(seq[4].addr % 4096, 0u);
    EXPECT_EQ(seq[5].align_log2, 5u);
    EXPECT_EQ(seq[6].op, ARENA_TRACE_OP_MALLOC);
    EXPECT_EQ(seq[6].size, 0u);
    const std::uint64_t freed[] = {seq[2].addr, seq[1].addr, seq[3].addr, seq[4].addr, seq[5].addr, seq[6].addr};
    for (int i = 0; i < 6; ++i) {
        EXPECT_EQ(seq[7 + i].op, ARENA_TRACE_OP_FREE) << i;
        EXPECT_EQ(seq[7 + i].addr, freed[i]) << i;  // free(NULL) is not recorded
    }
    // The whole trace replays cleanly: every free matches an allocation.
    auto t = trace::parse_trace(bytes, "basic", r.trace_path);
    EXPECT_EQ(t->summary.unmatched_reallocs, 0u);
    EXPECT_EQ(t->summary.implicit_frees, 0u);
    EXPECT_EQ(t->summary.threads, 1u);
    EXPECT_NE(t->header.command.find("trace_testprog basic"), std::string::npos);
}

TEST_F(TracerTest, PhasesFromStartMainApiOpenSignalAndExit) {
    TracedRun r = run("basic");
    ASSERT_EQ(r.status, 0);
    auto ph = phases(records(slurp(r.trace_path)));
    std::vector<std::string> want = {"start", "main", "known", "known-end", "unit.phasetest", "signal", "exit"};
    EXPECT_EQ(ph, want);  // the two opens of unit.phasetest make one phase
}

TEST_F(TracerTest, ThreadsAreNumberedAndOrdered) {
    TracedRun r = run("threads");
    ASSERT_EQ(r.status, 0);
    auto t = trace::parse_trace(slurp(r.trace_path), "threads", r.trace_path);
    EXPECT_EQ(t->summary.threads, 5u);
    EXPECT_GE(t->summary.mallocs, 4000u);
    // Addresses reused across threads always come after their free.
    EXPECT_EQ(t->summary.implicit_frees, 0u);
    EXPECT_EQ(t->summary.unmatched_frees, 0u);
}

TEST_F(TracerTest, ForkedChildDoesNotWriteIntoTheTrace) {
    TracedRun r = run("fork");
    ASSERT_EQ(r.status, 0);
    auto t = trace::parse_trace(slurp(r.trace_path), "fork", r.trace_path);  // END count matches
    auto rs = records(slurp(r.trace_path));
    std::size_t size64 = std::count_if(rs.begin(), rs.end(), [](const trace::Record& x) {
        return x.op == ARENA_TRACE_OP_MALLOC && x.size == 64;
    });
    EXPECT_LT(size64, 100u);  // the child's 100 malloc(64) are not there
    EXPECT_EQ(std::count_if(rs.begin(), rs.end(), [](const trace::Record& x) {
                  return x.op == ARENA_TRACE_OP_MALLOC && x.size == 77;
              }),
              1);  // the parent's allocation after the fork is
}

TEST_F(TracerTest, UnderscoreExitAndExitStatusStillEndTheTrace) {
    TracedRun a = run("_exit");
    ASSERT_EQ(a.status, 0);
    auto pa = phases(records(slurp(a.trace_path)));
    EXPECT_EQ(pa.back(), "exit");
    TracedRun b = run("exit3", {}, true, "exit3.trace");
    ASSERT_EQ(b.status, 3);
    auto pb = phases(records(slurp(b.trace_path)));
    EXPECT_EQ(pb.back(), "exit");
}

TEST_F(TracerTest, NoOutputPathOrAnExistingFileMeansNoRecording) {
    TracedRun a = run("basic", {"ARENA_TRACE_OUT="});
    EXPECT_EQ(a.status, 0);
    {
        std::ofstream keep(dir_ + "/exists.trace");
        keep << "keep";
    }
    TracedRun b = run("basic", {}, true, "exists.trace");
    EXPECT_EQ(b.status, 0);
    EXPECT_EQ(slurp(dir_ + "/exists.trace"), "keep");  // never overwritten
}

TEST_F(TracerTest, PidPatternInThePath) {
    TracedRun r = run("basic", {}, true, "p-%p.trace");
    ASSERT_EQ(r.status, 0);
    std::string cmd = "ls '" + dir_ + "' | grep -q '^p-[0-9][0-9]*\\.trace$'";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
