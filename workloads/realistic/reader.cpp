// reader.cpp - the reader's out-of-line parts: character classes, escapes,
// character names, number syntax, error positions; and the printer.
#include "reader.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace bench::realistic {

ReadError::ReadError(std::string file, std::size_t line, std::size_t column, const std::string& what)
    : std::runtime_error((file.empty() ? std::string("<input>") : file) + ":" + std::to_string(line) + ":" +
                         std::to_string(column) + ": " + what),
      file_(std::move(file)),
      line_(line),
      column_(column) {}

namespace reader_detail {

namespace {
constexpr std::array<std::uint8_t, 256> make_classes() {
    std::array<std::uint8_t, 256> c{};
    for (unsigned char ch : {' ', '\t', '\n', '\r', '\f', '\v'}) c[ch] = kSpace | kDelimiter;
    for (unsigned char ch : {'(', ')', '[', ']', '"', ';'}) c[ch] = kDelimiter;
    for (unsigned char ch = '0'; ch <= '9'; ++ch) c[ch] = kDigit | kHex;
    for (unsigned char ch = 'a'; ch <= 'f'; ++ch) c[ch] = kHex;
    for (unsigned char ch = 'A'; ch <= 'F'; ++ch) c[ch] = kHex;
    return c;
}
constexpr std::array<std::uint8_t, 256> kClasses = make_classes();

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// UTF-8 encoding of cp into out (if not null); returns the length.
std::size_t put_utf8(std::uint32_t cp, char* out) {
    char buf[4];
    std::size_t n;
    if (cp < 0x80) {
        buf[0] = static_cast<char>(cp);
        n = 1;
    } else if (cp < 0x800) {
        buf[0] = static_cast<char>(0xc0 | (cp >> 6));
        buf[1] = static_cast<char>(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        buf[0] = static_cast<char>(0xe0 | (cp >> 12));
        buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        buf[2] = static_cast<char>(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        buf[0] = static_cast<char>(0xf0 | (cp >> 18));
        buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        buf[3] = static_cast<char>(0x80 | (cp & 0x3f));
        n = 4;
    }
    if (out != nullptr) std::memcpy(out, buf, n);
    return n;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    }
    return true;
}
}  // namespace

const std::uint8_t kClass[256] = {
#define ROW(i) kClasses[i], kClasses[i + 1], kClasses[i + 2], kClasses[i + 3], kClasses[i + 4], kClasses[i + 5], \
               kClasses[i + 6], kClasses[i + 7]
    ROW(0),   ROW(8),   ROW(16),  ROW(24),  ROW(32),  ROW(40),  ROW(48),  ROW(56),  ROW(64),  ROW(72),  ROW(80),
    ROW(88),  ROW(96),  ROW(104), ROW(112), ROW(120), ROW(128), ROW(136), ROW(144), ROW(152), ROW(160), ROW(168),
    ROW(176), ROW(184), ROW(192), ROW(200), ROW(208), ROW(216), ROW(224), ROW(232), ROW(240), ROW(248),
#undef ROW
};

void position(std::string_view text, std::size_t offset, std::size_t* line, std::size_t* column) {
    if (offset > text.size()) offset = text.size();
    std::size_t l = 1, last_newline = 0;
    bool seen = false;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++l;
            last_newline = i;
            seen = true;
        }
    }
    *line = l;
    *column = seen ? offset - last_newline : offset + 1;
}

std::size_t decode_escapes(const char* from, const char* to, char* out, const char** error) {
    std::size_t n = 0;
    auto put = [&](char c) {
        if (out != nullptr) out[n] = c;
        ++n;
    };
    while (from < to) {
        char c = *from++;
        if (c != '\\') {
            put(c);
            continue;
        }
        if (from >= to) {
            *error = "backslash at the end of a string";
            return n;
        }
        char e = *from++;
        switch (e) {
            case 'a': put('\a'); break;
            case 'b': put('\b'); break;
            case 't': put('\t'); break;
            case 'n': put('\n'); break;
            case 'r': put('\r'); break;
            case 'f': put('\f'); break;
            case 'v': put('\v'); break;
            case '0': put('\0'); break;
            case 'x':
            case 'u':
            case 'U': {
                // \xHH, \xHHHH; (R7RS), \uHHHH, \UHHHHHH (Guile).
                std::size_t max = e == 'x' ? 8 : e == 'u' ? 4 : 6;
                std::uint32_t cp = 0;
                std::size_t digits = 0;
                while (from < to && digits < max && hex_value(*from) >= 0) {
                    cp = cp * 16 + static_cast<std::uint32_t>(hex_value(*from++));
                    ++digits;
                }
                if (digits == 0 || cp > 0x10ffff) {
                    *error = "bad hexadecimal escape in a string";
                    return n;
                }
                if (e == 'x' && from < to && *from == ';') ++from;
                n += put_utf8(cp, out != nullptr ? out + n : nullptr);
                break;
            }
            case '\n':
            case ' ':
            case '\t':
            case '\r': {
                // Line continuation: backslash, optional blanks, newline, leading blanks.
                const char* q = from - 1;
                while (q < to && (*q == ' ' || *q == '\t' || *q == '\r')) ++q;
                if (q < to && *q == '\n') {
                    ++q;
                    while (q < to && (*q == ' ' || *q == '\t')) ++q;
                    from = q;
                } else {
                    put(e);
                }
                break;
            }
            default: put(e); break;  // \\ \" \| and unknown escapes stand for themselves
        }
    }
    return n;
}

long char_from_name(std::string_view t) {
    if (t.empty()) return -1;
    unsigned char first = static_cast<unsigned char>(t[0]);
    // One character (possibly multi-byte UTF-8).
    std::size_t bytes = first < 0x80 ? 1 : first < 0xe0 ? 2 : first < 0xf0 ? 3 : 4;
    if (t.size() == bytes) {
        if (bytes == 1) return first;
        std::uint32_t cp = first & (bytes == 2 ? 0x1f : bytes == 3 ? 0x0f : 0x07);
        for (std::size_t i = 1; i < bytes; ++i) cp = (cp << 6) | (static_cast<unsigned char>(t[i]) & 0x3f);
        return static_cast<long>(cp);
    }
    static constexpr std::pair<std::string_view, long> kNames[] = {
        {"space", ' '},      {"newline", '\n'}, {"tab", '\t'},      {"nul", 0},          {"null", 0},
        {"alarm", 7},        {"backspace", 8},  {"delete", 127},    {"del", 127},        {"rubout", 127},
        {"escape", 27},      {"esc", 27},       {"altmode", 27},    {"linefeed", '\n'},  {"nl", '\n'},
        {"page", 12},        {"ff", 12},        {"np", 12},         {"return", '\r'},    {"cr", '\r'},
        {"vtab", 11},        {"vt", 11},        {"ht", '\t'},       {"bs", 8},           {"sp", ' '},
        {"lf", '\n'},        {"bel", 7},        {"soh", 1},         {"stx", 2},          {"etx", 3},
        {"eot", 4},          {"enq", 5},        {"ack", 6},         {"so", 14},          {"si", 15},
        {"dle", 16},         {"dc1", 17},       {"dc2", 18},        {"dc3", 19},         {"dc4", 20},
        {"nak", 21},         {"syn", 22},       {"etb", 23},        {"can", 24},         {"em", 25},
        {"sub", 26},         {"fs", 28},        {"gs", 29},         {"rs", 30},          {"us", 31},
    };
    for (const auto& [name, cp] : kNames) {
        if (iequals(t, name)) return cp;
    }
    // #\x41 (hexadecimal) and #\101 (octal, Guile).
    if ((t[0] == 'x' || t[0] == 'U' || t[0] == 'u') && t.size() > 1) {
        long cp = 0;
        for (std::size_t i = 1; i < t.size(); ++i) {
            int h = hex_value(t[i]);
            if (h < 0 || cp > 0x10ffff) return -1;
            cp = cp * 16 + h;
        }
        return cp <= 0x10ffff ? cp : -1;
    }
    if (t.size() > 1 && t.size() <= 7) {
        long cp = 0;
        for (char c : t) {
            if (c < '0' || c > '7') return -1;
            cp = cp * 8 + (c - '0');
        }
        return cp <= 0x10ffff ? cp : -1;
    }
    return -1;
}

AtomKind classify_atom(std::string_view t, std::int64_t* fixnum, double* flonum) {
    const char* b = t.data();
    const char* e = b + t.size();
    char c0 = t[0];
    bool numeric_start = is_digit(c0) || ((c0 == '+' || c0 == '-' || c0 == '.') && t.size() > 1 &&
                                          (is_digit(t[1]) || (t[1] == '.' && t.size() > 2 && is_digit(t[2]))));
    if (!numeric_start) {
        if (t == "+inf.0" || t == "-inf.0") {
            *flonum = c0 == '-' ? -HUGE_VAL : HUGE_VAL;
            return AtomKind::kFlonum;
        }
        if (t == "+nan.0" || t == "-nan.0") {
            *flonum = NAN;
            return AtomKind::kFlonum;
        }
        return AtomKind::kSymbol;
    }
    const char* digits = c0 == '+' ? b + 1 : b;
    std::int64_t n = 0;
    auto r = std::from_chars(digits, e, n);
    if (r.ptr == e) {
        if (r.ec == std::errc() && n >= kFixnumMin && n <= kFixnumMax) {
            *fixnum = n;
            return AtomKind::kFixnum;
        }
        return AtomKind::kNumberText;  // bignum
    }
    double d = 0;
    auto rd = std::from_chars(digits, e, d);
    if (rd.ptr == e) {
        if (rd.ec == std::errc()) {
            *flonum = d;
            return AtomKind::kFlonum;
        }
        return AtomKind::kNumberText;  // out of range
    }
    // Rationals and complex numbers: digits with / + - i e . only.
    bool has_digit_after_sign = false;
    for (const char* p = digits; p < e; ++p) {
        char c = *p;
        if (is_digit(c)) {
            has_digit_after_sign = true;
        } else if (c != '/' && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' && c != 'i') {
            return AtomKind::kSymbol;  // 1+, 1-, 3d-vector ...
        }
    }
    if (has_digit_after_sign && (t.find('/') != std::string_view::npos || t.back() == 'i')) return AtomKind::kNumberText;
    return AtomKind::kSymbol;
}

HashBang classify_hash_bang(std::string_view name) {
    static constexpr std::string_view kDirectives[] = {"fold-case", "no-fold-case", "r6rs", "curly-infix",
                                                       "curly-infix-and-bracket-lists"};
    static constexpr std::string_view kSpecials[] = {"optional", "key", "rest", "eof", "default", "unspecified"};
    for (std::string_view d : kDirectives) {
        if (name == d) return HashBang::kDirective;
    }
    for (std::string_view s : kSpecials) {
        if (name == s) return HashBang::kSpecial;
    }
    return HashBang::kBlockComment;
}

bool is_uniform_tag(std::string_view tag) {
    static constexpr std::string_view kTags[] = {"vu8", "u8", "s8",  "u16", "s16", "u32", "s32",
                                                 "u64", "s64", "f32", "f64", "c32", "c64", "vf64"};
    for (std::string_view t : kTags) {
        if (tag == t) return true;
    }
    return false;
}

}  // namespace reader_detail

namespace {
void print(std::string& out, Value v, int depth) {
    if (depth > 200) {
        out += "...";
        return;
    }
    if (is_fixnum(v)) {
        out += std::to_string(fixnum_value(v));
    } else if (is_pair(v)) {
        out += '(';
        print(out, car(v), depth + 1);
        for (v = cdr(v); is_pair(v); v = cdr(v)) {
            out += ' ';
            print(out, car(v), depth + 1);
        }
        if (v != kNil) {
            out += " . ";
            print(out, v, depth + 1);
        }
        out += ')';
    } else if (is_char(v)) {
        std::uint32_t cp = char_value(v);
        if (cp > 32 && cp < 127) {
            out += "#\\";
            out += static_cast<char>(cp);
        } else {
            char buf[16];
            std::snprintf(buf, sizeof buf, "#\\x%x", cp);
            out += buf;
        }
    } else if (is_constant(v)) {
        out += v == kNil ? "()" : v == kTrue ? "#t" : v == kFalse ? "#f" : v == kNilLisp ? "#nil"
                                                                  : v == kEofObject ? "#<eof>" : "#<unspecified>";
    } else if (is_obj(v)) {
        const Obj* o = as_obj(v);
        switch (o->type) {
            case Type::kSymbol: out += static_cast<const Symbol*>(o)->view(); break;
            case Type::kKeyword:
                out += "#:";
                out += static_cast<const Symbol*>(o)->view();
                break;
            case Type::kString:
                out += '"';
                for (char c : static_cast<const Text*>(o)->view()) {
                    if (c == '"' || c == '\\') out += '\\';
                    if (c == '\n') {
                        out += "\\n";
                        continue;
                    }
                    out += c;
                }
                out += '"';
                break;
            case Type::kFlonum: {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.17g", static_cast<const Flonum*>(o)->value);
                out += buf;
                if (out.find_first_of(".en", out.size() - std::strlen(buf)) == std::string::npos) out += ".0";
                break;
            }
            case Type::kNumber: out += static_cast<const Text*>(o)->view(); break;
            case Type::kSpecial:
                out += "#!";
                out += static_cast<const Text*>(o)->view();
                break;
            case Type::kVector:
            case Type::kUniform: {
                const Vector* vec = static_cast<const Vector*>(o);
                out += o->type == Type::kVector ? "#(" : "#u(";
                for (std::uint32_t i = 0; i < vec->len; ++i) {
                    if (i) out += ' ';
                    print(out, vec->items()[i], depth + 1);
                }
                out += ')';
                break;
            }
        }
    } else {
        out += "#<?>";
    }
}
}  // namespace

std::string to_string(Value v) {
    std::string out;
    print(out, v, 0);
    return out;
}

}  // namespace bench::realistic
