// compiler_nested's passes: expansion, free variables, closure conversion,
// and temporaries that die with their form.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arena_adapter.h"
#include "compiler.h"
#include "generate.h"
#include "malloc_adapter.h"
#include "reader.h"

namespace bench::realistic {
namespace {

// Compiles every form of text on adapter A (temporaries in a region per
// form, freed one by one where A frees) and prints the IR, one line per form.
template <class A>
std::vector<std::string> compile(A& a, const std::string& text, CompileStats* stats = nullptr,
                                 std::size_t* leaked = nullptr) {
    using PH = Heap<A, CountProbe>;
    using TH = Heap<RegionOf<A>, CountProbe>;
    CountProbe probe;
    PH parent(a, probe);
    SymbolTable* table = make_symbol_table(parent);
    Compiler<TH, PH> compiler(parent, table);
    Reader<TH, PH> reader(nullptr, parent, table, text, "t.scm");
    std::vector<std::string> out;
    std::vector<Value> irs;
    while (true) {
        auto region = open_region(a, 4096);
        TH temp(region, probe);
        reader.use_nodes(&temp);
        Value form;
        if (!reader.next(&form)) break;
        typename Compiler<TH, PH>::Unit unit;
        Value ir = compiler.compile(temp, form, &unit);
        if constexpr (TH::kFreeAtEnd) {
            compiler.free_unit(temp, unit);
            if (leaked != nullptr) *leaked += temp.live_bytes();
        }
        out.push_back(to_string(ir));
        irs.push_back(ir);
    }
    if (stats != nullptr) *stats = compiler.stats;
    if constexpr (PH::kFreeAtEnd) {
        for (Value ir : irs) free_tree(parent, ir);
        free_symbol_table(parent, table);
        if (leaked != nullptr) *leaked += parent.live_bytes();
    }
    return out;
}

std::string compile_one(const std::string& text) {
    RefAdapter ref;
    auto out = compile(ref, text);
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? "" : out[0];
}

TEST(Compiler, ClosureConversionCapturesOnlyEnclosingLocals) {
    EXPECT_EQ(compile_one("(define (f x) (lambda (y) (+ x y)))"),
              "(define f (closure () (lambda 1 #f (closure ((local 0)) (lambda 1 #f "
              "(call (global +) (free 0) (local 0)))))))");
}

TEST(Compiler, NamedLetBecomesASelfReferentialClosure) {
    EXPECT_EQ(compile_one("(define (count n) (let loop ((i 0)) (if (< i n) (loop (+ i 1)) i)))"),
              "(define count (closure () (lambda 1 #f (call (closure ((local 0)) (lambda 1 #f (seq (set! (local 0) "
              "(closure ((free 0) (local 0)) (lambda 1 #f (if (call (global <) (local 0) (free 0)) (call (free 1) "
              "(call (global +) (local 0) (quote 1))) (local 0))))) (call (local 0) (quote 0))))) (quote #f)))))");
}

TEST(Compiler, DerivedFormsExpand) {
    EXPECT_EQ(compile_one("(when a b)"), "(if (global a) (global b) (quote #<unspecified>))");
    EXPECT_EQ(compile_one("(unless a b)"), "(if (call (global not) (global a)) (global b) (quote #<unspecified>))");
    EXPECT_EQ(compile_one("(and a b c)"), "(if (global a) (if (global b) (global c) (quote #f)) (quote #f))");
    EXPECT_EQ(compile_one("`(x ,y ,@z)"),
              "(call (global cons) (quote x) (call (global cons) (global y) (call (global append) (global z) "
              "(quote ()))))");
    EXPECT_EQ(compile_one("(let* ((a 1) (b a)) b)"),
              "(call (closure () (lambda 1 #f (call (closure () (lambda 1 #f (local 0))) (local 0)))) (quote 1))");
    EXPECT_EQ(compile_one("(cond ((f) => g) (else 0))"),
              "(call (closure () (lambda 1 #f (if (local 0) (call (global g) (local 0)) (quote 0)))) "
              "(call (global f)))");
    EXPECT_EQ(compile_one("(case k ((1 2) 'a) (else 'b))"),
              "(call (closure () (lambda 1 #f (if (call (global memv) (local 0) (quote (1 2))) (quote a) "
              "(quote b)))) (global k))");
    EXPECT_EQ(compile_one("(lambda (a . rest) rest)"), "(closure () (lambda 2 #t (local 1)))");
    EXPECT_EQ(compile_one("(define ((adder n) x) (+ n x))"),
              "(define adder (closure () (lambda 1 #f (closure ((local 0)) (lambda 1 #f (call (global +) (free 0) "
              "(local 0)))))))");
    // Internal defines are locals of the enclosing lambda.
    EXPECT_EQ(compile_one("(lambda () (define x 1) (lambda () x))"),
              "(closure () (lambda 0 #f (seq (set! (local 0) (quote 1)) (closure ((local 0)) (lambda 0 #f (free 0))))))");
}

TEST(Compiler, MalformedAndUnknownFormsAreCalls) {
    EXPECT_EQ(compile_one("(if)"), "(call (global if))");
    EXPECT_EQ(compile_one("(let ((1 2)) x)"), "(call (global let) (call (call (quote 1) (quote 2))) (global x))");
    EXPECT_EQ(compile_one("(define-syntax s (syntax-rules () ((_ a) a)))"),
              "(call (global define-syntax) (global s) (call (global syntax-rules) (quote ()) (call (call (global _) "
              "(global a)) (global a))))");
    EXPECT_EQ(compile_one("42"), "(quote 42)");
}

TEST(Compiler, GeneratedSourceCompilesWithoutLeaks) {
    std::string text = generate_scheme(11, 60000);
    RefAdapter ref;
    CompileStats ref_stats;
    auto ref_out = compile(ref, text, &ref_stats);
    EXPECT_GT(ref_stats.forms, 50u);
    EXPECT_GT(ref_stats.lambdas, 50u);
    EXPECT_GT(ref_stats.free_vars, 0u);
    // The same IR with malloc (temporaries freed one by one, nothing left)
    // and with the arena (child arenas).
    competitors::MallocAdapter m{competitors::AdapterConfig{}};
    std::size_t leaked = 0;
    CompileStats m_stats;
    EXPECT_EQ(compile(m, text, &m_stats, &leaked), ref_out);
    EXPECT_EQ(leaked, 0u);
    EXPECT_EQ(m_stats.set_unions, ref_stats.set_unions);
    competitors::ArenaAdapter arena{competitors::AdapterConfig{}};
    EXPECT_EQ(compile(arena, text), ref_out);
    // Every child arena was destroyed: the parent holds only its own blocks.
    ArenaStats with_children, own;
    arena_get_stats(arena.get(), &with_children, ARENA_STATS_INCLUDE_CHILDREN);
    arena_get_stats(arena.get(), &own, 0);
    EXPECT_EQ(with_children.committed_bytes, own.committed_bytes);
}

}  // namespace
}  // namespace bench::realistic
