// json.cpp - JSON parser, destroyer, hash and the json_dom query.
#include "json.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "measure.h"
#include "reader.h"  // reader_detail::position

namespace bench::realistic::json {

JsonError::JsonError(std::string file, std::size_t line, std::size_t column, const std::string& what)
    : std::runtime_error((file.empty() ? std::string("<json>") : file) + ":" + std::to_string(line) + ":" +
                         std::to_string(column) + ": " + what),
      line_(line),
      column_(column) {}

namespace {

using Alloc = std::pmr::polymorphic_allocator<std::byte>;

class Parser {
public:
    Parser(std::string_view text, std::pmr::memory_resource* mr, std::string_view file)
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), alloc_(mr), file_(file) {}

    Node document() {
        skip_space();
        Node n = value(0);
        skip_space();
        if (p_ != end_) {
            destroy(n, alloc_.resource());
            fail(p_, "unexpected text after the JSON value");
        }
        return n;
    }

private:
    [[noreturn]] void fail(const char* at, const std::string& what) const {
        std::size_t line, column;
        reader_detail::position({begin_, static_cast<std::size_t>(end_ - begin_)}, static_cast<std::size_t>(at - begin_),
                                &line, &column);
        throw JsonError(std::string(file_), line, column, what);
    }

    void skip_space() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) ++p_;
    }

    bool literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) >= word.size() && std::memcmp(p_, word.data(), word.size()) == 0) {
            p_ += word.size();
            return true;
        }
        return false;
    }

    Node value(int depth) {
        if (depth > kMaxDepth) fail(p_, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
        if (p_ >= end_) fail(p_, "unexpected end of input (a value was expected)");
        Node n;
        switch (*p_) {
            case '{': object(n, depth); break;
            case '[': array(n, depth); break;
            case '"':
                n.kind = Node::Kind::kString;
                n.string = alloc_.new_object<String>();
                try {
                    string_into(*n.string);
                } catch (const JsonError&) {
                    destroy(n, alloc_.resource());
                    throw;
                }
                break;
            case 't':
                if (!literal("true")) fail(p_, "invalid literal");
                n.kind = Node::Kind::kTrue;
                break;
            case 'f':
                if (!literal("false")) fail(p_, "invalid literal");
                n.kind = Node::Kind::kFalse;
                break;
            case 'n':
                if (!literal("null")) fail(p_, "invalid literal");
                n.kind = Node::Kind::kNull;
                break;
            default:
                n.kind = Node::Kind::kNumber;
                n.number = number();
                break;
        }
        return n;
    }

    double number() {
        const char* start = p_;
        // RFC 8259 grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
        const char* q = p_;
        if (q < end_ && *q == '-') ++q;
        if (q >= end_ || !(*q >= '0' && *q <= '9')) fail(start, "invalid value");
        if (*q == '0') {
            ++q;
        } else {
            while (q < end_ && *q >= '0' && *q <= '9') ++q;
        }
        if (q < end_ && *q == '.') {
            ++q;
            if (q >= end_ || !(*q >= '0' && *q <= '9')) fail(q, "digit expected after the decimal point");
            while (q < end_ && *q >= '0' && *q <= '9') ++q;
        }
        if (q < end_ && (*q == 'e' || *q == 'E')) {
            ++q;
            if (q < end_ && (*q == '+' || *q == '-')) ++q;
            if (q >= end_ || !(*q >= '0' && *q <= '9')) fail(q, "digit expected in the exponent");
            while (q < end_ && *q >= '0' && *q <= '9') ++q;
        }
        double d = 0;
        auto r = std::from_chars(start, q, d);
        if (r.ptr != q) fail(start, "invalid number");  // out of range: from_chars leaves d as is
        p_ = q;
        return d;
    }

    static int hex4(const char* p) {
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            char c = p[i];
            int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (h < 0) return -1;
            v = v * 16 + h;
        }
        return v;
    }

    static void append_utf8(String& s, std::uint32_t cp) {
        if (cp < 0x80) {
            s.push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
            s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else {
            s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
            s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        }
    }

    // p_ at the opening quote; out is empty and uses the DOM's allocator.
    void string_into(String& out) {
        const char* open = p_++;
        const char* run = p_;
        // Fast path: no escapes.
        while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) ++p_;
        if (p_ < end_ && *p_ == '"') {
            out.assign(run, static_cast<std::size_t>(p_ - run));
            ++p_;
            return;
        }
        out.assign(run, static_cast<std::size_t>(p_ - run));
        while (true) {
            if (p_ >= end_) fail(open, "unterminated string");
            char c = *p_;
            if (c == '"') {
                ++p_;
                return;
            }
            if (static_cast<unsigned char>(c) < 0x20) fail(p_, "control character in a string");
            if (c != '\\') {
                out.push_back(c);
                ++p_;
                continue;
            }
            if (p_ + 1 >= end_) fail(open, "unterminated string");
            char e = p_[1];
            p_ += 2;
            switch (e) {
                case '"': out.push_back('"'); break;
                case '\\': out.push_back('\\'); break;
                case '/': out.push_back('/'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case 'n': out.push_back('\n'); break;
                case 'r': out.push_back('\r'); break;
                case 't': out.push_back('\t'); break;
                case 'u': {
                    if (end_ - p_ < 4 || hex4(p_) < 0) fail(p_ - 2, "bad \\u escape");
                    std::uint32_t cp = static_cast<std::uint32_t>(hex4(p_));
                    p_ += 4;
                    if (cp >= 0xd800 && cp < 0xdc00) {
                        if (end_ - p_ < 6 || p_[0] != '\\' || p_[1] != 'u' || hex4(p_ + 2) < 0xdc00 || hex4(p_ + 2) > 0xdfff) {
                            fail(p_ - 6, "unpaired surrogate in a \\u escape");
                        }
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (static_cast<std::uint32_t>(hex4(p_ + 2)) - 0xdc00);
                        p_ += 6;
                    } else if (cp >= 0xdc00 && cp < 0xe000) {
                        fail(p_ - 6, "unpaired surrogate in a \\u escape");
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: fail(p_ - 2, std::string("bad escape '\\") + e + "'");
            }
        }
    }

    // On an error the part already built is destroyed (nothing is lost with
    // allocators that free one by one), then the error propagates.
    void array(Node& n, int depth) {
        n.kind = Node::Kind::kArray;
        n.array = alloc_.new_object<Array>();
        try {
            array_items(n, depth);
        } catch (const JsonError&) {
            destroy(n, alloc_.resource());
            throw;
        }
    }
    void object(Node& n, int depth) {
        n.kind = Node::Kind::kObject;
        n.object = alloc_.new_object<Object>();
        try {
            object_members(n, depth);
        } catch (const JsonError&) {
            destroy(n, alloc_.resource());
            throw;
        }
    }

    void array_items(Node& n, int depth) {
        const char* open = p_++;
        skip_space();
        if (p_ < end_ && *p_ == ']') {
            ++p_;
            return;
        }
        while (true) {
            skip_space();
            n.array->push_back(value(depth + 1));
            skip_space();
            if (p_ >= end_) fail(open, "unterminated array");
            if (*p_ == ',') {
                ++p_;
                skip_space();
                if (p_ < end_ && *p_ == ']') fail(p_, "trailing comma in an array");
                continue;
            }
            if (*p_ == ']') {
                ++p_;
                return;
            }
            fail(p_, "',' or ']' expected");
        }
    }

    void object_members(Node& n, int depth) {
        const char* open = p_++;
        skip_space();
        if (p_ < end_ && *p_ == '}') {
            ++p_;
            return;
        }
        while (true) {
            skip_space();
            if (p_ >= end_ || *p_ != '"') fail(p_, "member name (a string) expected");
            Member& m = n.object->emplace_back();
            string_into(m.key);
            skip_space();
            if (p_ >= end_ || *p_ != ':') fail(p_, "':' expected after a member name");
            ++p_;
            skip_space();
            m.value = value(depth + 1);
            skip_space();
            if (p_ >= end_) fail(open, "unterminated object");
            if (*p_ == ',') {
                ++p_;
                skip_space();
                if (p_ < end_ && *p_ == '}') fail(p_, "trailing comma in an object");
                continue;
            }
            if (*p_ == '}') {
                ++p_;
                return;
            }
            fail(p_, "',' or '}' expected");
        }
    }

    const char* begin_;
    const char* p_;
    const char* end_;
    Alloc alloc_;
    std::string_view file_;
};

std::uint64_t hash_string(std::string_view s) {
    std::uint64_t h = 0xcbf29ce484222325ull ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = mix64(h ^ w);
    }
    std::uint64_t w = 0;
    std::memcpy(&w, s.data() + i, s.size() - i);
    return mix64(h ^ w);
}

std::uint64_t combine(std::uint64_t h, std::uint64_t v) { return mix64(h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6))); }

bool misaligned_ptr(const void* p) { return (reinterpret_cast<std::uintptr_t>(p) & 7) != 0; }

void walk(const Node& n, std::uint64_t depth, QueryStats& s) {
    ++s.nodes;
    s.max_depth = std::max(s.max_depth, depth);
    switch (n.kind) {
        case Node::Kind::kNumber: {
            ++s.numbers;
            std::uint64_t bits;
            std::memcpy(&bits, &n.number, 8);
            s.digest = combine(s.digest, bits);
            break;
        }
        case Node::Kind::kString:
            ++s.strings;
            s.string_bytes += n.string->size();
            break;
        case Node::Kind::kArray:
            ++s.arrays;
            for (const Node& c : *n.array) walk(c, depth + 1, s);
            break;
        case Node::Kind::kObject:
            ++s.objects;
            s.members += n.object->size();
            for (const Member& m : *n.object) {
                s.string_bytes += m.key.size();
                walk(m.value, depth + 1, s);
            }
            break;
        default: break;
    }
}

// The first and second string members of an object, if any.
const String* nth_string_member(const Object& o, int nth) {
    for (const Member& m : o) {
        if (m.value.kind == Node::Kind::kString && nth-- == 0) return m.value.string;
    }
    return nullptr;
}

void index_arrays(const Node& n, std::pmr::memory_resource* mr, std::pmr::vector<std::string_view>& names,
                  QueryStats& s) {
    if (n.kind == Node::Kind::kObject) {
        for (const Member& m : *n.object) {
            if (m.key == "name" && m.value.kind == Node::Kind::kString) names.push_back(*m.value.string);
            index_arrays(m.value, mr, names, s);
        }
        return;
    }
    if (n.kind != Node::Kind::kArray) return;
    const Array& a = *n.array;
    bool objects = !a.empty() && std::all_of(a.begin(), a.end(), [](const Node& c) { return c.kind == Node::Kind::kObject; });
    if (objects) {
        std::pmr::unordered_map<std::string_view, const Object*> index(mr);
        index.reserve(a.size());
        for (const Node& c : a) {
            if (const String* k = nth_string_member(*c.object, 0)) {
                index.emplace(*k, c.object);
                ++s.indexed;
            }
        }
        for (const Node& c : a) {
            for (const Member& m : *c.object) {
                if (m.value.kind != Node::Kind::kString) continue;
                auto it = index.find(*m.value.string);
                if (it != index.end()) {
                    ++s.found;
                    s.found_members += it->second->size();
                }
            }
        }
    }
    for (const Node& c : a) index_arrays(c, mr, names, s);
}

void write(std::string& out, const Node& n) {
    switch (n.kind) {
        case Node::Kind::kNull: out += "null"; break;
        case Node::Kind::kFalse: out += "false"; break;
        case Node::Kind::kTrue: out += "true"; break;
        case Node::Kind::kNumber: {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.17g", n.number);
            out += buf;
            break;
        }
        case Node::Kind::kString:
            out += '"';
            for (char c : *n.string) {
                if (c == '"' || c == '\\') out += '\\';
                out += c;
            }
            out += '"';
            break;
        case Node::Kind::kArray:
            out += '[';
            for (std::size_t i = 0; i < n.array->size(); ++i) {
                if (i) out += ',';
                write(out, (*n.array)[i]);
            }
            out += ']';
            break;
        case Node::Kind::kObject:
            out += '{';
            for (std::size_t i = 0; i < n.object->size(); ++i) {
                if (i) out += ',';
                out += '"';
                out += (*n.object)[i].key;
                out += "\":";
                write(out, (*n.object)[i].value);
            }
            out += '}';
            break;
    }
}

}  // namespace

Node parse(std::string_view text, std::pmr::memory_resource* mr, std::string_view file) {
    return Parser(text, mr, file).document();
}

void destroy(Node& n, std::pmr::memory_resource* mr) {
    Alloc alloc(mr);
    switch (n.kind) {
        case Node::Kind::kString: alloc.delete_object(n.string); break;
        case Node::Kind::kArray:
            for (Node& c : *n.array) destroy(c, mr);
            alloc.delete_object(n.array);
            break;
        case Node::Kind::kObject:
            for (Member& m : *n.object) destroy(m.value, mr);
            alloc.delete_object(n.object);
            break;
        default: break;
    }
    n.kind = Node::Kind::kNull;
    n.number = 0;
}

std::uint64_t hash(const Node& n, std::size_t* misaligned) {
    switch (n.kind) {
        case Node::Kind::kNumber: {
            std::uint64_t bits;
            std::memcpy(&bits, &n.number, 8);
            return combine(0x4e, bits);
        }
        case Node::Kind::kString:
            if (misaligned_ptr(n.string)) ++*misaligned;
            return combine(0x53, hash_string(*n.string));
        case Node::Kind::kArray: {
            if (misaligned_ptr(n.array)) ++*misaligned;
            std::uint64_t h = 0x41;
            for (const Node& c : *n.array) h = combine(h, hash(c, misaligned));
            return h;
        }
        case Node::Kind::kObject: {
            if (misaligned_ptr(n.object)) ++*misaligned;
            std::uint64_t h = 0x4f;
            for (const Member& m : *n.object) h = combine(combine(h, hash_string(m.key)), hash(m.value, misaligned));
            return h;
        }
        default: return combine(0x4c, static_cast<std::uint64_t>(n.kind));
    }
}

const Node* find(const Node& object, std::string_view key) {
    if (object.kind != Node::Kind::kObject) return nullptr;
    for (const Member& m : *object.object) {
        if (m.key == key) return &m.value;
    }
    return nullptr;
}

void QueryStats::fold_into(std::uint64_t* h) const {
    for (std::uint64_t v : {nodes, objects, arrays, members, strings, string_bytes, numbers, max_depth, indexed, found,
                            found_members, names, digest}) {
        *h = combine(*h, v);
    }
}

QueryStats walk_stats(const Node& root) {
    QueryStats s;
    walk(root, 0, s);
    return s;
}

void index_stats(const Node& root, std::pmr::memory_resource* mr, QueryStats& s) {
    std::pmr::vector<std::string_view> names(mr);
    index_arrays(root, mr, names, s);
    std::sort(names.begin(), names.end());
    s.names = names.size();
    for (std::string_view n : names) s.digest = combine(s.digest, hash_string(n));
}

QueryStats query(const Node& root, std::pmr::memory_resource* mr) {
    QueryStats s = walk_stats(root);
    index_stats(root, mr, s);
    return s;
}

std::string to_string(const Node& n) {
    std::string out;
    write(out, n);
    return out;
}

}  // namespace bench::realistic::json
