// reader.h - a Scheme reader for real source files (Guile 3.0 and SLIB):
// R7RS lexical syntax plus what Guile's sources use (#:keywords, #{...}#
// symbols, #!optional and friends, #!...!# script headers, uniform vectors
// #vu8(...), #; datum comments, [ ] as parentheses, syntax quotes #' #` #,).
//
// Nodes (pairs, strings, vectors, numbers) come from one heap, symbols from
// another (the symbol table's): scheme_reader passes the same heap twice;
// compiler_nested reads each form into a temporary region while its symbols
// stay in the parent. Bad input throws ReadError (file, line, column, what);
// the reader never reads past its text.
#ifndef WORKLOADS_REALISTIC_READER_H
#define WORKLOADS_REALISTIC_READER_H

#include <charconv>
#include <cstring>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sexpr.h"

namespace bench::realistic {

class ReadError : public std::runtime_error {
public:
    ReadError(std::string file, std::size_t line, std::size_t column, const std::string& what);
    const std::string& file() const { return file_; }
    std::size_t line() const { return line_; }
    std::size_t column() const { return column_; }

private:
    std::string file_;
    std::size_t line_, column_;
};

namespace reader_detail {

// Character classes (ASCII; bytes >= 0x80 are symbol constituents).
enum : std::uint8_t { kDelimiter = 1, kSpace = 2, kDigit = 4, kHex = 8 };
extern const std::uint8_t kClass[256];
inline bool is_delimiter(char c) { return (kClass[static_cast<unsigned char>(c)] & kDelimiter) != 0; }
inline bool is_space(char c) { return (kClass[static_cast<unsigned char>(c)] & kSpace) != 0; }
inline bool is_digit(char c) { return (kClass[static_cast<unsigned char>(c)] & kDigit) != 0; }
inline bool is_hex(char c) { return (kClass[static_cast<unsigned char>(c)] & kHex) != 0; }

// Line and column (1-based) of offset in text.
void position(std::string_view text, std::size_t offset, std::size_t* line, std::size_t* column);

// Decodes the body of a string literal or |symbol| (escapes) into out (may
// be null: only counts). Returns the decoded length; *error says why not.
std::size_t decode_escapes(const char* from, const char* to, char* out, const char** error);

// Code point of a character name after "#\" (the token), or -1.
long char_from_name(std::string_view token);

// What an atom token is.
enum class AtomKind { kSymbol, kFixnum, kFlonum, kNumberText };
AtomKind classify_atom(std::string_view token, std::int64_t* fixnum, double* flonum);

// #!name: a reader directive to skip (fold-case...), a special object
// (optional, key, rest, eof...), or the start of a #!...!# block comment.
enum class HashBang { kDirective, kSpecial, kBlockComment };
HashBang classify_hash_bang(std::string_view name);

bool is_uniform_tag(std::string_view tag);

}  // namespace reader_detail

template <class NH, class SH>
class Reader {
public:
    static constexpr int kMaxDepth = 1000;

    // nodes may be null until use_nodes() is called (compiler_nested reads
    // each form into a new region).
    Reader(NH* nodes, SH& symbols, SymbolTable* table, std::string_view text, std::string_view file = {})
        : n_(nodes), s_(symbols), t_(table), begin_(text.data()), p_(text.data()), end_(text.data() + text.size()),
          file_(file) {
        static constexpr std::string_view kQuotes[] = {"quote",  "quasiquote", "unquote",  "unquote-splicing",
                                                       "syntax", "quasisyntax", "unsyntax", "unsyntax-splicing"};
        for (int i = 0; i < 8; ++i) quote_[i] = intern(s_, t_, kQuotes[i]);
    }

    // Reads the next top-level datum into *out; false at the end of the text.
    bool next(Value* out) {
        if (!skip_atmosphere(0)) return false;
        if (*p_ == ')' || *p_ == ']') fail(p_, "unexpected closing parenthesis");
        *out = read(0);
        return true;
    }
    std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
    void use_nodes(NH* nodes) { n_ = nodes; }

private:
    enum Quote { kQuote, kQuasiquote, kUnquote, kUnquoteSplicing, kSyntax, kQuasisyntax, kUnsyntax, kUnsyntaxSplicing };

    [[noreturn]] void fail(const char* at, const std::string& what) const {
        std::size_t line, column;
        reader_detail::position({begin_, static_cast<std::size_t>(end_ - begin_)}, static_cast<std::size_t>(at - begin_),
                                &line, &column);
        throw ReadError(std::string(file_), line, column, what);
    }

    // Skips whitespace and comments. False at the end of the text.
    bool skip_atmosphere(int depth) {
        while (p_ < end_) {
            char c = *p_;
            if (reader_detail::is_space(c)) {
                ++p_;
            } else if (c == ';') {
                const void* nl = std::memchr(p_, '\n', static_cast<std::size_t>(end_ - p_));
                p_ = nl != nullptr ? static_cast<const char*>(nl) : end_;
            } else if (c == '#' && p_ + 1 < end_ && p_[1] == '|') {
                skip_block_comment();
            } else if (c == '#' && p_ + 1 < end_ && p_[1] == ';') {
                const char* at = p_;
                p_ += 2;
                if (!skip_atmosphere(depth)) fail(at, "#; at the end of the input");
                free_tree(*n_, read(depth + 1));  // the commented-out datum is dead
            } else if (c == '#' && p_ + 1 < end_ && p_[1] == '!') {
                const char* name = p_ + 2;
                const char* e = name;
                while (e < end_ && !reader_detail::is_delimiter(*e)) ++e;
                auto kind = reader_detail::classify_hash_bang({name, static_cast<std::size_t>(e - name)});
                if (kind == reader_detail::HashBang::kSpecial) return true;
                if (kind == reader_detail::HashBang::kDirective) {
                    p_ = e;
                } else {
                    const char* at = p_;
                    p_ += 2;
                    while (p_ + 1 < end_ && !(p_[0] == '!' && p_[1] == '#')) ++p_;
                    if (p_ + 1 >= end_) fail(at, "unterminated #! ... !# comment");
                    p_ += 2;
                }
            } else {
                return true;
            }
        }
        return false;
    }

    void skip_block_comment() {
        const char* at = p_;
        int nesting = 0;
        while (p_ + 1 < end_) {
            if (p_[0] == '#' && p_[1] == '|') {
                ++nesting;
                p_ += 2;
            } else if (p_[0] == '|' && p_[1] == '#') {
                p_ += 2;
                if (--nesting == 0) return;
            } else {
                ++p_;
            }
        }
        fail(at, "unterminated #| ... |# comment");
    }

    // p_ is at the first character of a datum.
    Value read(int depth) {
        if (depth > kMaxDepth) fail(p_, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
        const char* at = p_;
        switch (*p_) {
            case '(':
                ++p_;
                return read_list(')', at, depth);
            case '[':
                ++p_;
                return read_list(']', at, depth);
            case ')':
            case ']': fail(p_, "unexpected closing parenthesis");
            case '\'': ++p_; return read_quoted(kQuote, at, depth);
            case '`': ++p_; return read_quoted(kQuasiquote, at, depth);
            case ',':
                ++p_;
                if (p_ < end_ && *p_ == '@') {
                    ++p_;
                    return read_quoted(kUnquoteSplicing, at, depth);
                }
                return read_quoted(kUnquote, at, depth);
            case '"': return read_string();
            case '#': return read_hash(depth);
            case '|': return read_bar_symbol();
            default: return read_atom();
        }
    }

    Value read_quoted(Quote q, const char* at, int depth) {
        if (!skip_atmosphere(depth)) fail(at, "quote at the end of the input");
        if (*p_ == ')' || *p_ == ']') fail(p_, "quote followed by a closing parenthesis");
        Value datum = read(depth + 1);
        Value rest = cons(*n_, datum, kNil);
        return cons(*n_, quote_[q], rest);
    }
    // A vector literal's items; freed if the literal turns out malformed.
    Value read_vector(Type type, const char* at, int depth) {
        Value items = read_list(')', at, depth);
        if (list_length(items) < 0) {
            free_tree(*n_, items);
            fail(at, "dotted list in a vector literal");
        }
        return list_to_vector(items, type, at);
    }

    // On a read error the part of the list already read is freed (nothing is
    // lost with allocators that free one by one), then the error propagates.
    Value read_list(char close, const char* open, int depth) {
        Value head = kNil;
        try {
            return read_list_items(close, open, depth, &head);
        } catch (const ReadError&) {
            free_tree(*n_, head);
            throw;
        }
    }

    Value read_list_items(char close, const char* open, int depth, Value* head_out) {
        Value& head = *head_out;
        Pair* tail = nullptr;
        while (true) {
            if (!skip_atmosphere(depth)) fail(open, "unterminated list (missing closing parenthesis)");
            char c = *p_;
            if (c == ')' || c == ']') {
                if (c != close) fail(p_, std::string("mismatched closing '") + c + "' for '" + *open + "'");
                ++p_;
                return head;
            }
            if (c == '.' && p_ + 1 < end_ && reader_detail::is_delimiter(p_[1])) {
                if (tail == nullptr) fail(p_, "dot at the start of a list");
                ++p_;
                if (!skip_atmosphere(depth) || *p_ == ')' || *p_ == ']') fail(p_, "nothing after the dot");
                tail->cdr = read(depth + 1);
                if (!skip_atmosphere(depth)) fail(open, "unterminated list (missing closing parenthesis)");
                if (*p_ != close) fail(p_, "more than one datum after the dot");
                ++p_;
                return head;
            }
            Value item = read(depth + 1);
            Value cell = cons(*n_, item, kNil);
            if (tail == nullptr) {
                head = cell;
            } else {
                tail->cdr = cell;
            }
            tail = as_pair(cell);
        }
    }

    // The list just read becomes a vector; its pairs die.
    Value list_to_vector(Value list, Type type, const char* at) {
        long n = list_length(list);
        if (n < 0) fail(at, "dotted list in a vector literal");
        Vector* v = make_vector(*n_, type, static_cast<std::size_t>(n));
        Value* items = v->items();
        for (Value l = list; l != kNil;) {
            *items++ = car(l);
            Value next = cdr(l);
            n_->free(as_pair(l), sizeof(Pair));
            l = next;
        }
        return from_obj(v);
    }

    Value read_string() {
        const char* start = ++p_;
        while (p_ < end_ && *p_ != '"') p_ += (*p_ == '\\' && p_ + 1 < end_) ? 2 : 1;
        if (p_ >= end_) fail(start - 1, "unterminated string");
        const char* error = nullptr;
        std::size_t len = reader_detail::decode_escapes(start, p_, nullptr, &error);
        if (error != nullptr) fail(start - 1, error);
        Text* t = static_cast<Text*>(n_->alloc_data(text_bytes(len)));
        t->type = Type::kString;
        t->pad0 = 0;
        t->pad1 = 0;
        t->len = static_cast<std::uint32_t>(len);
        reader_detail::decode_escapes(start, p_, t->data(), &error);
        t->data()[len] = '\0';
        ++p_;
        return from_obj(t);
    }

    Value read_bar_symbol() {
        const char* start = ++p_;
        while (p_ < end_ && *p_ != '|') p_ += (*p_ == '\\' && p_ + 1 < end_) ? 2 : 1;
        if (p_ >= end_) fail(start - 1, "unterminated |symbol|");
        const char* error = nullptr;
        std::size_t len = reader_detail::decode_escapes(start, p_, nullptr, &error);
        if (error != nullptr) fail(start - 1, error);
        ++p_;
        if (len <= 256) {
            char name[256];
            reader_detail::decode_escapes(start, p_ - 1, name, &error);
            return intern(s_, t_, name, len);
        }
        fail(start - 1, "|symbol| longer than 256 bytes");
    }

    const char* token_end(const char* from) const {
        while (from < end_ && !reader_detail::is_delimiter(*from)) ++from;
        return from;
    }

    Value read_atom() {
        const char* start = p_;
        p_ = token_end(p_);
        std::string_view token(start, static_cast<std::size_t>(p_ - start));
        if (token == ".") fail(start, "unexpected dot");
        std::int64_t fixnum = 0;
        double flonum = 0;
        switch (reader_detail::classify_atom(token, &fixnum, &flonum)) {
            case reader_detail::AtomKind::kFixnum: return make_fixnum(fixnum);
            case reader_detail::AtomKind::kFlonum: return make_flonum(*n_, flonum);
            case reader_detail::AtomKind::kNumberText: return make_text(*n_, Type::kNumber, token.data(), token.size());
            case reader_detail::AtomKind::kSymbol: break;
        }
        return intern(s_, t_, token.data(), token.size());
    }

    Value read_hash(int depth) {
        const char* at = p_;
        if (p_ + 1 >= end_) fail(at, "'#' at the end of the input");
        char c = p_[1];
        switch (c) {
            case '(': {
                p_ += 2;
                return read_vector(Type::kVector, at, depth);
            }
            case '\\': return read_char();
            case ':': {
                p_ += 2;
                const char* start = p_;
                p_ = token_end(p_);
                if (p_ == start) fail(at, "empty keyword");
                return intern(s_, t_, start, static_cast<std::size_t>(p_ - start), Type::kKeyword);
            }
            case '\'': p_ += 2; return read_quoted(kSyntax, at, depth);
            case '`': p_ += 2; return read_quoted(kQuasisyntax, at, depth);
            case ',':
                p_ += 2;
                if (p_ < end_ && *p_ == '@') {
                    ++p_;
                    return read_quoted(kUnsyntaxSplicing, at, depth);
                }
                return read_quoted(kUnsyntax, at, depth);
            case '!': {
                p_ += 2;
                const char* start = p_;
                p_ = token_end(p_);
                return make_text(*n_, Type::kSpecial, start, static_cast<std::size_t>(p_ - start));
            }
            case '{': {
                const char* start = p_ + 2;
                const char* e = start;
                while (e + 1 < end_ && !(e[0] == '}' && e[1] == '#')) ++e;
                if (e + 1 >= end_) fail(at, "unterminated #{ ... }# symbol");
                p_ = e + 2;
                return intern(s_, t_, start, static_cast<std::size_t>(e - start));
            }
            case '<': fail(at, "unreadable object #<...>");
            default: break;
        }
        // #t #f #true #false #nil, numbers with a radix/exactness prefix,
        // bit vectors #*0101, uniform vectors #u8( and arrays #2( ).
        const char* start = p_ + 1;
        const char* e = start;
        while (e < end_ && !reader_detail::is_delimiter(*e)) ++e;
        std::string_view word(start, static_cast<std::size_t>(e - start));
        if (e < end_ && *e == '(' && !word.empty() &&
            (reader_detail::is_uniform_tag(word) || reader_detail::is_digit(word[0]))) {
            p_ = e + 1;
            return read_vector(Type::kUniform, at, depth);
        }
        p_ = e;
        if (word == "t" || word == "T" || word == "true") return kTrue;
        if (word == "f" || word == "F" || word == "false") return kFalse;
        if (word == "nil") return kNilLisp;
        if (!word.empty() && std::string_view("xXbBoOdDeEiI*").find(word[0]) != std::string_view::npos) {
            return make_text(*n_, Type::kNumber, at, static_cast<std::size_t>(e - at));
        }
        fail(at, "unknown # syntax '#" + std::string(word.substr(0, 16)) + "'");
    }

    Value read_char() {
        const char* at = p_;
        p_ += 2;  // "#\"
        if (p_ >= end_) fail(at, "#\\ at the end of the input");
        // The first character is taken even if it is a delimiter: #\( #\space.
        const char* start = p_;
        unsigned char first = static_cast<unsigned char>(*p_);
        int bytes = first < 0x80 ? 1 : first < 0xe0 ? 2 : first < 0xf0 ? 3 : 4;
        p_ += bytes;
        if (p_ > end_) fail(at, "truncated UTF-8 character");
        p_ = token_end(p_);
        std::string_view token(start, static_cast<std::size_t>(p_ - start));
        long cp = reader_detail::char_from_name(token);
        if (cp < 0) fail(at, "unknown character name '#\\" + std::string(token.substr(0, 16)) + "'");
        return make_char(static_cast<std::uint32_t>(cp));
    }

    NH* n_;
    SH& s_;
    SymbolTable* t_;
    const char* begin_;
    const char* p_;
    const char* end_;
    std::string_view file_;
    Value quote_[8];
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_READER_H
