// Input discovery: directories from the environment, validation (a bad file
// is left out and named), sampling to a budget, generated fallback, errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "corpus.h"
#include "generate.h"

namespace bench::realistic {
namespace {

namespace fs = std::filesystem;

// A scratch directory, removed afterwards; restores the environment.
class CorpusTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("realistic_corpus_" + std::to_string(getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "sub");
        for (const char* var : {"ARENA_BENCH_INPUTS", "ARENA_BENCH_SCHEME_DIRS", "ARENA_BENCH_JSON_DIRS"}) {
            const char* v = std::getenv(var);
            saved_.emplace_back(var, v != nullptr ? std::optional<std::string>(v) : std::nullopt);
            unsetenv(var);
        }
    }
    void TearDown() override {
        fs::remove_all(dir_);
        for (const auto& [var, value] : saved_) {
            if (value) {
                setenv(var.c_str(), value->c_str(), 1);
            } else {
                unsetenv(var.c_str());
            }
        }
    }
    void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

    fs::path dir_;
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST_F(CorpusTest, FindsFilesRecursivelySortedByExtension) {
    write(dir_ / "b.scm", "(b)");
    write(dir_ / "sub" / "a.scm", "(a)");
    write(dir_ / "c.txt", "not scheme");
    write(dir_ / "d.json", "{}");
    auto files = find_files({dir_.string(), (dir_ / "missing").string()}, ".scm");
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0], (dir_ / "b.scm").string());
    EXPECT_EQ(files[1], (dir_ / "sub" / "a.scm").string());
}

TEST_F(CorpusTest, ExplicitDirectoriesBadFilesAreSkippedAndNamed) {
    write(dir_ / "good.scm", generate_scheme(1, 3000));
    write(dir_ / "sub" / "bad.scm", "(define (f x)\n  (g x\n");
    setenv("ARENA_BENCH_SCHEME_DIRS", dir_.string().c_str(), 1);
    Corpus c = load_corpus(InputKind::kScheme, 0, 1000, validate_scheme);
    EXPECT_FALSE(c.generated);
    ASSERT_EQ(c.files.size(), 1u);
    EXPECT_EQ(c.files[0].path, (dir_ / "good.scm").string());
    ASSERT_EQ(c.skipped.size(), 1u);
    EXPECT_NE(c.skipped[0].find("bad.scm:2:3: unterminated list"), std::string::npos) << c.skipped[0];
    EXPECT_EQ(c.available_files, 2u);
    EXPECT_NE(c.describe().find("debian 1 files"), std::string::npos) << c.describe();
    EXPECT_NE(c.describe().find("1 unreadable skipped"), std::string::npos) << c.describe();
}

TEST_F(CorpusTest, ExplicitDirectoriesWithNothingUsableAreAnError) {
    write(dir_ / "bad.json", "{\"a\": }");
    setenv("ARENA_BENCH_JSON_DIRS", dir_.string().c_str(), 1);
    try {
        load_corpus(InputKind::kJson, 0, 1000, validate_json);
        FAIL() << "no InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("ARENA_BENCH_JSON_DIRS"), std::string::npos) << e.what();
    }
    setenv("ARENA_BENCH_JSON_DIRS", (dir_ / "nowhere").string().c_str(), 1);
    EXPECT_THROW(load_corpus(InputKind::kJson, 0, 1000, validate_json), InputError);
}

TEST_F(CorpusTest, InputsModeIsChecked) {
    setenv("ARENA_BENCH_INPUTS", "bogus", 1);
    EXPECT_THROW(load_corpus(InputKind::kScheme, 0, 1000, validate_scheme), InputError);
    setenv("ARENA_BENCH_INPUTS", "generated", 1);
    Corpus c = load_corpus(InputKind::kScheme, 0, 40000, validate_scheme);
    EXPECT_TRUE(c.generated);
    EXPECT_GE(c.bytes, 40000u);
    EXPECT_EQ(c.describe().rfind("GENERATED ", 0), 0u) << c.describe();
    EXPECT_NE(c.describe().find("ARENA_BENCH_INPUTS=generated"), std::string::npos);
    for (const InputFile& f : c.files) EXPECT_EQ(validate_scheme(f.path, f.text), "");
    Corpus j = load_corpus(InputKind::kJson, 0, 40000, validate_json);
    EXPECT_TRUE(j.generated);
    for (const InputFile& f : j.files) EXPECT_EQ(validate_json(f.path, f.text), "");
    // "debian" refuses to fall back when the directories hold nothing.
    setenv("ARENA_BENCH_INPUTS", "debian", 1);
    setenv("ARENA_BENCH_SCHEME_DIRS", (dir_ / "nowhere").string().c_str(), 1);
    EXPECT_THROW(load_corpus(InputKind::kScheme, 0, 1000, validate_scheme), InputError);
}

TEST_F(CorpusTest, BudgetTakesADeterministicSampleOfWholeFiles) {
    for (int i = 0; i < 20; ++i) {
        std::string name = std::to_string(i);
        name.insert(0, 1, 'f');
        name.append(".scm");
        write(dir_ / name, generate_scheme(100 + static_cast<std::uint64_t>(i), 2000));
    }
    setenv("ARENA_BENCH_SCHEME_DIRS", dir_.string().c_str(), 1);
    Corpus a = load_corpus(InputKind::kScheme, 12000, 1000, validate_scheme);
    Corpus b = load_corpus(InputKind::kScheme, 12000, 1000, validate_scheme);
    EXPECT_LE(a.bytes, 12000u);
    EXPECT_GE(a.files.size(), 3u);
    EXPECT_LT(a.files.size(), 20u);
    ASSERT_EQ(a.files.size(), b.files.size());
    for (std::size_t i = 0; i < a.files.size(); ++i) EXPECT_EQ(a.files[i].path, b.files[i].path);
    for (std::size_t i = 1; i < a.files.size(); ++i) EXPECT_LT(a.files[i - 1].path, a.files[i].path);
    EXPECT_EQ(a.available_files, 20u);
    EXPECT_NE(a.describe().find("sample of 20 files"), std::string::npos) << a.describe();
    Corpus all = load_corpus(InputKind::kScheme, 0, 1000, validate_scheme);
    EXPECT_EQ(all.files.size(), 20u);
}

TEST_F(CorpusTest, GeneratedCorpusSaysWhy) {
    Corpus c = generated_corpus(InputKind::kJson, 70000, "no usable .json file under /x; install iso-codes");
    EXPECT_TRUE(c.generated);
    EXPECT_EQ(c.files.size(), 3u);
    EXPECT_NE(c.describe().find("install iso-codes"), std::string::npos);
}

}  // namespace
}  // namespace bench::realistic
