// Scheme reader: lexical syntax, interning, errors with positions, nothing
// lost on bad input, generated sources.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arena_adapter.h"
#include "generate.h"
#include "heap.h"
#include "malloc_adapter.h"
#include "reader.h"

namespace bench::realistic {
namespace {

using RefHeap = Heap<RefAdapter, CountProbe>;

// Reads every datum of text and prints them, one per line.
class ReaderFixture : public ::testing::Test {
protected:
    ReaderFixture() : heap_(ref_, probe_), table_(make_symbol_table(heap_)) {}

    std::vector<std::string> read_all(const std::string& text) {
        Reader<RefHeap, RefHeap> reader(&heap_, heap_, table_, text, "test.scm");
        std::vector<std::string> out;
        Value v;
        while (reader.next(&v)) out.push_back(to_string(v));
        return out;
    }
    std::string read_one(const std::string& text) {
        auto all = read_all(text);
        EXPECT_EQ(all.size(), 1u) << text;
        return all.empty() ? "" : all[0];
    }
    Value first(const std::string& text) {
        texts_.push_back(text);
        Reader<RefHeap, RefHeap> reader(&heap_, heap_, table_, texts_.back(), "test.scm");
        Value v = kNil;
        EXPECT_TRUE(reader.next(&v));
        return v;
    }
    // The error of reading text ("" if none).
    std::string error(const std::string& text) {
        try {
            read_all(text);
        } catch (const ReadError& e) {
            return e.what();
        }
        return "";
    }

    RefAdapter ref_;
    CountProbe probe_;
    RefHeap heap_;
    SymbolTable* table_;
    std::vector<std::string> texts_;
};

TEST_F(ReaderFixture, NumbersAndSymbols) {
    EXPECT_EQ(read_one("42"), "42");
    EXPECT_EQ(read_one("-17"), "-17");
    EXPECT_EQ(read_one("+5"), "5");
    EXPECT_EQ(read_one("2.5"), "2.5");
    EXPECT_EQ(read_one(".5"), "0.5");
    EXPECT_EQ(read_one("1e3"), "1000.0");
    EXPECT_EQ(read_one("123456789012345678901234567890"), "123456789012345678901234567890");
    EXPECT_EQ(read_one("1/3"), "1/3");
    EXPECT_EQ(read_one("#xff"), "#xff");
    EXPECT_EQ(read_one("1+"), "1+");
    EXPECT_EQ(read_one("..."), "...");
    EXPECT_EQ(read_one("-"), "-");
    EXPECT_EQ(read_one("string->symbol"), "string->symbol");
    Value big = first("123456789012345678901234567890");
    ASSERT_TRUE(is_obj(big));
    EXPECT_EQ(obj_type(big), Type::kNumber);
    Value f = first("2.5");
    ASSERT_TRUE(is_obj(f));
    EXPECT_EQ(static_cast<const Flonum*>(as_obj(f))->value, 2.5);
    EXPECT_TRUE(is_fixnum(first("42")));
    EXPECT_EQ(fixnum_value(first("-17")), -17);
    EXPECT_TRUE(is_symbol(first("1+")));
}

TEST_F(ReaderFixture, ListsQuotesAndVectors) {
    EXPECT_EQ(read_one("(a b . c)"), "(a b . c)");
    EXPECT_EQ(read_one("[let ((x 1)) x]"), "(let ((x 1)) x)");
    EXPECT_EQ(read_one("'x"), "(quote x)");
    EXPECT_EQ(read_one("`(a ,b ,@c)"), "(quasiquote (a (unquote b) (unquote-splicing c)))");
    EXPECT_EQ(read_one("#'(f x)"), "(syntax (f x))");
    EXPECT_EQ(read_one("#`(f #,x #,@y)"), "(quasisyntax (f (unsyntax x) (unsyntax-splicing y)))");
    EXPECT_EQ(read_one("#(1 \"two\" (3))"), "#(1 \"two\" (3))");
    EXPECT_EQ(read_one("#vu8(1 2 255)"), "#u(1 2 255)");
    EXPECT_EQ(read_one("()"), "()");
}

TEST_F(ReaderFixture, StringsAndCharacters) {
    EXPECT_EQ(read_one(R"("a\nb\tc\"d\\e")"), "\"a\\nb\tc\\\"d\\\\e\"");
    EXPECT_EQ(read_one(R"("\x41;BC")"), "\"ABC\"");
    EXPECT_EQ(read_one("\"line \\\n    continued\""), "\"line continued\"");
    Value s = first(R"("caf\xe9;")");
    ASSERT_TRUE(is_obj(s));
    EXPECT_EQ(static_cast<const Text*>(as_obj(s))->view(), "caf\xc3\xa9");
    EXPECT_EQ(char_value(first("#\\a")), 'a');
    EXPECT_EQ(char_value(first("#\\space")), ' ');
    EXPECT_EQ(char_value(first("#\\Space")), ' ');
    EXPECT_EQ(char_value(first("#\\newline")), '\n');
    EXPECT_EQ(char_value(first("#\\x41")), 'A');
    EXPECT_EQ(char_value(first("#\\(")), '(');
    EXPECT_EQ(char_value(first("#\\nul")), 0u);
    EXPECT_EQ(char_value(first("#\\101")), 65u);
    EXPECT_EQ(char_value(first("#\\\xce\xbb")), 0x3bbu);
    EXPECT_EQ(read_one("(#\\) #\\;)"), "(#\\) #\\;)");
}

TEST_F(ReaderFixture, HashSyntaxAndComments) {
    EXPECT_EQ(read_one("(#t #f #true #false #nil)"), "(#t #f #t #f #nil)");
    EXPECT_EQ(read_one("(f #:key x)"), "(f #:key x)");
    EXPECT_EQ(read_one("(lambda* (a #!optional b) a)"), "(lambda* (a #!optional b) a)");
    EXPECT_EQ(read_one("|hello world|"), "hello world");
    EXPECT_EQ(read_one("#{strange symbol}#"), "strange symbol");
    EXPECT_EQ(read_one("(a ; comment )\n b)"), "(a b)");
    EXPECT_EQ(read_one("(a #| block #| nested |# |# b)"), "(a b)");
    EXPECT_EQ(read_one("(a #;(ignored datum) b)"), "(a b)");
    EXPECT_EQ(read_one("#!/usr/bin/guile \\\n-s\n!#\n(main)"), "(main)");
    EXPECT_EQ(read_one("#!r6rs (x)"), "(x)");
    auto all = read_all("(define x 1) ; one\n(define y 2)\n#;(gone) z");
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[2], "z");
}

TEST_F(ReaderFixture, SymbolsAreInterned) {
    Value a = first("(foo bar foo)");
    EXPECT_EQ(car(a), car(cdr(cdr(a))));
    EXPECT_NE(car(a), car(cdr(a)));
    // Keywords and symbols of the same name differ.
    Value b = first("(foo #:foo)");
    EXPECT_NE(car(b), car(cdr(b)));
    // Identity survives the table growing.
    std::string many = "(";
    for (int i = 0; i < 5000; ++i) {
        many += 's';
        many += std::to_string(i);
        many += ' ';
    }
    many += "foo)";
    Value c = first(many);
    Value last = c;
    while (cdr(last) != kNil) last = cdr(last);
    EXPECT_EQ(car(last), car(a));
    EXPECT_GE(table_->capacity, 8192u);
}

TEST_F(ReaderFixture, ErrorsSayWhereAndWhy) {
    EXPECT_NE(error("(a b").find("test.scm:1:1: unterminated list"), std::string::npos) << error("(a b");
    EXPECT_NE(error("(a b))").find("test.scm:1:6: unexpected closing parenthesis"), std::string::npos);
    EXPECT_NE(error("(a\n  \"abc").find("test.scm:2:3: unterminated string"), std::string::npos);
    EXPECT_NE(error("(a]").find("mismatched"), std::string::npos);
    EXPECT_NE(error("#<procedure>").find("unreadable object"), std::string::npos);
    EXPECT_NE(error("#\\bogus").find("unknown character name"), std::string::npos);
    EXPECT_NE(error("(a . )").find("nothing after the dot"), std::string::npos);
    EXPECT_NE(error("( . a)").find("dot at the start"), std::string::npos);
    EXPECT_NE(error("(a . b c)").find("more than one datum after the dot"), std::string::npos);
    EXPECT_NE(error("(a #| open").find("unterminated #|"), std::string::npos);
    EXPECT_NE(error("#(1 . 2)").find("dotted list in a vector"), std::string::npos);
    EXPECT_NE(error("'").find("quote at the end"), std::string::npos);
    EXPECT_NE(error("#q").find("unknown # syntax"), std::string::npos);
    std::string deep(2000, '(');
    EXPECT_NE(error(deep).find("nesting deeper than"), std::string::npos);
    ReadError e("f.scm", 3, 7, "boom");
    EXPECT_EQ(e.line(), 3u);
    EXPECT_EQ(e.column(), 7u);
    EXPECT_EQ(e.file(), "f.scm");
}

// With an allocator that frees one by one, a read error frees what was read
// of the bad datum: only the symbols stay.
TEST(ReaderLosesNothing, PartialTreesAreFreedOnError) {
    competitors::MallocAdapter a{competitors::AdapterConfig{}};
    CountProbe probe;
    Heap<competitors::MallocAdapter, CountProbe> h(a, probe);
    SymbolTable* table = make_symbol_table(h);
    std::size_t symbols_only = 0;
    {
        Reader<decltype(h), decltype(h)> warm(&h, h, table, "(a b c d e x y \"s\" 1.5 #(x y))", "ok.scm");
        Value v;
        ASSERT_TRUE(warm.next(&v));
        free_tree(h, v);
        symbols_only = h.live_bytes();
    }
    for (const char* bad : {"(a b c \"s\" 1.5 #(x y) (d (e \"unterminated", "(a (b #(c 2.5 \"t\") . d e))",
                            "(a b #(x . y))", "(a b c #<eof>)"}) {
        Reader<decltype(h), decltype(h)> reader(&h, h, table, bad, "bad.scm");
        Value v;
        EXPECT_THROW(reader.next(&v), ReadError) << bad;
        EXPECT_EQ(h.live_bytes(), symbols_only) << bad;
    }
    free_symbol_table(h, table);
    EXPECT_EQ(h.live_bytes(), 0u);
}

TEST(ReaderGenerated, GeneratedSchemeReadsAndIsDeterministic) {
    std::string a = generate_scheme(7, 20000), b = generate_scheme(7, 20000), c = generate_scheme(8, 20000);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_GE(a.size(), 20000u);
    competitors::ArenaAdapter arena{competitors::AdapterConfig{}};
    CountProbe probe;
    Heap<competitors::ArenaAdapter, CountProbe> h(arena, probe);
    SymbolTable* table = make_symbol_table(h);
    Reader<decltype(h), decltype(h)> reader(&h, h, table, a, "gen.scm");
    Value v;
    int forms = 0;
    while (reader.next(&v)) ++forms;
    EXPECT_GT(forms, 20);
    EXPECT_GT(probe.count, 2000u);
}

}  // namespace
}  // namespace bench::realistic
