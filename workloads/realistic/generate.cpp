// generate.cpp - the deterministic input generators (see generate.h).
#include "generate.h"

#include <cstdio>
#include <string_view>

#include "measure.h"

namespace bench::realistic {

namespace {

constexpr std::string_view kWords[] = {
    "list",   "vector", "string", "table",  "node",   "tree",    "port",  "char",   "index",  "count",
    "value",  "key",    "item",   "entry",  "buffer", "stream",  "token", "symbol", "env",    "frame",
    "module", "record", "field",  "offset", "length", "result",  "acc",   "proc",   "thunk",  "cont",
    "state",  "queue",  "stack",  "set",    "map",    "filter",  "fold",  "walk",   "emit",   "parse",
    "read",   "write",  "make",   "copy",   "merge",  "split",   "join",  "find",   "scan",   "peek"};
constexpr std::string_view kCalls[] = {"car",         "cdr",          "cons",     "list",         "append",
                                       "map",         "for-each",     "vector-ref", "string-append", "length",
                                       "reverse",     "assq",         "memv",     "apply",        "display",
                                       "hash-ref",    "hash-set!",    "+",        "-",            "*",
                                       "<",           "=",            "eq?",      "equal?",       "null?",
                                       "pair?",       "string->symbol", "format", "error",        "values"};

class SchemeGen {
public:
    SchemeGen(std::uint64_t seed, std::string& out) : rng_(seed), out_(out) {}

    void form(int n) {
        switch (rng_.below(10)) {
            case 0:
                out_ += ";;; ";
                word();
                out_ += " -- ";
                word();
                out_ += " and ";
                word();
                out_ += ".\n";
                break;
            case 1:
                out_ += "(define ";
                global(n);
                out_ += ' ';
                expr(3);
                out_ += ")\n\n";
                break;
            case 2:
                out_ += "(define-syntax ";
                global(n);
                out_ += "\n  (syntax-rules ()\n    ((_ a b) (let ((t a)) (if t b #f)))))\n\n";
                break;
            default: define_procedure(n); break;
        }
    }

    void module_header(int m) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "(define-module (generated m%d)\n  #:use-module (ice-9 match)\n  #:export (", m);
        out_ += buf;
        for (int i = 0; i < 3; ++i) {
            if (i) out_ += ' ';
            global(m * 7 + i);
        }
        out_ += "))\n\n";
    }

private:
    void word() { out_ += kWords[rng_.below(std::size(kWords))]; }
    void global(int n) {
        word();
        out_ += '-';
        word();
        out_ += std::to_string(n % 97);
    }
    void local() {
        static constexpr std::string_view kLocals[] = {"x", "y", "z", "n", "i", "k", "lst", "acc", "rest", "obj"};
        out_ += kLocals[rng_.below(std::size(kLocals))];
    }

    void define_procedure(int n) {
        out_ += "(define (";
        global(n);
        int params = static_cast<int>(rng_.below(4));
        for (int i = 0; i < params; ++i) {
            out_ += ' ';
            local();
        }
        if (rng_.below(5) == 0) out_ += " . rest";
        out_ += ")\n  \"";
        word();
        out_ += " the ";
        word();
        out_ += " of \\\"";
        word();
        out_ += "\\\".\"\n  ";
        expr(4);
        out_ += ")\n\n";
    }

    void atom() {
        switch (rng_.below(12)) {
            case 0: out_ += std::to_string(rng_.below(1000)); break;
            case 1: out_ += std::to_string(static_cast<long>(rng_.below(100000)) - 50000); break;
            case 2: {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.3f", rng_.unit() * 100);
                out_ += buf;
                break;
            }
            case 3:
                out_ += '"';
                word();
                out_ += rng_.below(2) ? "\\n" : " ";
                word();
                out_ += '"';
                break;
            case 4: {
                static constexpr std::string_view kChars[] = {"#\\a", "#\\space", "#\\newline", "#\\(", "#\\x41"};
                out_ += kChars[rng_.below(std::size(kChars))];
                break;
            }
            case 5: out_ += rng_.below(2) ? "#t" : "#f"; break;
            case 6: out_ += "#:"; word(); break;
            case 7: out_ += "'"; word(); break;
            default: local(); break;
        }
    }

    void body(int depth) {
        int n = 1 + static_cast<int>(rng_.below(3));
        for (int i = 0; i < n; ++i) {
            out_ += ' ';
            expr(depth - 1);
        }
    }

    void expr(int depth) {
        if (depth <= 0) {
            atom();
            return;
        }
        switch (rng_.below(16)) {
            case 0:
            case 1: {  // call
                out_ += '(';
                out_ += kCalls[rng_.below(std::size(kCalls))];
                int n = static_cast<int>(rng_.below(4));
                for (int i = 0; i < n; ++i) {
                    out_ += ' ';
                    expr(depth - 1);
                }
                out_ += ')';
                break;
            }
            case 2: out_ += "(if "; expr(depth - 1); out_ += "\n      "; expr(depth - 1); out_ += ' '; expr(depth - 1); out_ += ')'; break;
            case 3: {
                out_ += rng_.below(2) ? "(let (" : "(let* (";
                int n = 1 + static_cast<int>(rng_.below(3));
                for (int i = 0; i < n; ++i) {
                    out_ += i ? " (" : "(";
                    local();
                    out_ += ' ';
                    expr(depth - 1);
                    out_ += ')';
                }
                out_ += ")\n   ";
                body(depth);
                out_ += ')';
                break;
            }
            case 4:
                out_ += "(let loop ((i 0) (acc '()))\n    (if (>= i ";
                atom();
                out_ += ") (reverse acc) (loop (+ i 1) (cons ";
                expr(depth - 1);
                out_ += " acc))))";
                break;
            case 5:
                out_ += "(cond ((null? ";
                local();
                out_ += ") ";
                expr(depth - 1);
                out_ += ")\n        ((";
                out_ += kCalls[rng_.below(std::size(kCalls))];
                out_ += ' ';
                local();
                out_ += ") => (lambda (v) ";
                expr(depth - 1);
                out_ += "))\n        (else";
                body(depth);
                out_ += "))";
                break;
            case 6:
                out_ += "(case ";
                local();
                out_ += " ((1 2 3) 'small) ((a b) ";
                expr(depth - 1);
                out_ += ") (else ";
                expr(depth - 1);
                out_ += "))";
                break;
            case 7:
                out_ += "(lambda (";
                local();
                out_ += ' ';
                local();
                out_ += ")";
                body(depth);
                out_ += ')';
                break;
            case 8:
                out_ += "`(";
                word();
                out_ += " ,";
                local();
                out_ += " ,@(list ";
                expr(depth - 1);
                out_ += ") \"s\")";
                break;
            case 9:
                out_ += "'(";
                word();
                out_ += " 1 2.5 \"q\" #\\z (nested ";
                word();
                out_ += ") . tail)";
                break;
            case 10:
                if (rng_.below(4) == 0) {  // the empty vector: an 8-byte object
                    out_ += "'#()";
                    break;
                }
                out_ += "#(";
                atom();
                out_ += ' ';
                atom();
                out_ += ' ';
                atom();
                out_ += ')';
                break;
            case 11:
                out_ += rng_.below(2) ? "(when " : "(unless ";
                expr(depth - 1);
                body(depth);
                out_ += ')';
                break;
            case 12:
                out_ += "(do ((i 0 (+ i 1))) ((= i 10) ";
                local();
                out_ += ")";
                body(depth);
                out_ += ')';
                break;
            case 13:
                out_ += rng_.below(2) ? "(and " : "(or ";
                expr(depth - 1);
                out_ += ' ';
                expr(depth - 1);
                out_ += ')';
                break;
            case 14:
                out_ += "(begin (set! ";
                local();
                out_ += ' ';
                expr(depth - 1);
                out_ += ") ";
                local();
                out_ += ") ; ";
                word();
                out_ += '\n';
                break;
            default:
                out_ += "(letrec ((f (lambda (n) (if (= n 0) 1 (* n (f (- n 1)))))))";
                body(depth);
                out_ += ')';
                break;
        }
    }

    Rng rng_;
    std::string& out_;
};

class JsonGen {
public:
    JsonGen(std::uint64_t seed, std::string& out) : rng_(seed), out_(out) {}

    void document(std::size_t bytes) {
        static constexpr std::string_view kKeys[] = {"3166-1", "639-3", "15924", "4217"};
        out_ += "{\n  \"";
        out_ += kKeys[rng_.below(std::size(kKeys))];
        out_ += "\": [\n";
        std::size_t start = out_.size();
        for (int i = 0; out_.size() - start < bytes; ++i) {
            if (i) out_ += ",\n";
            entry(i);
        }
        out_ += "\n  ]\n}\n";
    }

private:
    void name() {
        static constexpr std::string_view kParts[] = {"Ara", "bel", "Cor", "dan", "Esk", "far", "Gal", "hun",
                                                      "Ido", "jav", "Kur", "lao", "Mar", "nor", "Oss", "pol"};
        int n = 1 + static_cast<int>(rng_.below(4));
        for (int i = 0; i < n; ++i) out_ += kParts[rng_.below(std::size(kParts))];
    }
    void code(int len) {
        for (int i = 0; i < len; ++i) out_ += static_cast<char>('A' + rng_.below(26));
    }

    void entry(int i) {
        out_ += "    {\n      \"alpha_2\": \"";
        code(2);
        out_ += "\",\n      \"alpha_3\": \"";
        code(3);
        out_ += "\",\n      \"name\": \"";
        name();
        if (rng_.below(4) == 0) out_ += " \\u00e9\\u00df";
        if (rng_.below(8) == 0) out_ += " \\\"quoted\\\"";
        out_ += "\",\n      \"numeric\": \"";
        out_ += std::to_string(100 + i % 900);
        out_ += '"';
        if (rng_.below(3) == 0) {
            out_ += ",\n      \"official_name\": \"Republic of ";
            name();
            out_ += '"';
        }
        if (rng_.below(4) == 0) {
            out_ += ",\n      \"population\": ";
            out_ += std::to_string(rng_.below(100000000));
            out_ += ",\n      \"area\": ";
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.2f", rng_.unit() * 1e6);
            out_ += buf;
        }
        if (rng_.below(5) == 0) {
            out_ += ",\n      \"tags\": [";
            int n = static_cast<int>(rng_.below(5));
            for (int k = 0; k < n; ++k) {
                if (k) out_ += ", ";
                out_ += '"';
                name();
                out_ += '"';
            }
            out_ += "],\n      \"flags\": {\"independent\": ";
            out_ += rng_.below(2) ? "true" : "false";
            out_ += ", \"note\": null, \"rank\": ";
            out_ += std::to_string(rng_.below(300));
            out_ += ", \"ratio\": -1.5e-3}";
        }
        out_ += "\n    }";
    }

    Rng rng_;
    std::string& out_;
};

}  // namespace

std::string generate_scheme(std::uint64_t seed, std::size_t bytes) {
    std::string out;
    out.reserve(bytes + 4096);
    SchemeGen gen(seed, out);
    gen.module_header(static_cast<int>(seed % 1000));
    for (int n = 0; out.size() < bytes; ++n) gen.form(n);
    return out;
}

std::string generate_json(std::uint64_t seed, std::size_t bytes) {
    std::string out;
    out.reserve(bytes + 4096);
    JsonGen gen(seed, out);
    gen.document(bytes > 64 ? bytes - 64 : bytes);
    return out;
}

RequestStream generate_requests(std::uint64_t seed, std::size_t count) {
    static constexpr std::string_view kAgents[] = {
        "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
        "curl/7.88.1",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 13_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Safari/605.1.15",
        "python-requests/2.28.1"};
    static constexpr std::string_view kPaths[] = {"/api/v1/items", "/api/v1/search", "/api/v1/users/", "/static/app.js",
                                                  "/api/v1/orders"};
    RequestStream s;
    Rng rng(seed);
    s.offsets.reserve(count + 1);
    for (std::size_t i = 0; i < count; ++i) {
        s.offsets.push_back(static_cast<std::uint32_t>(s.data.size()));
        std::string& d = s.data;
        std::size_t route = rng.below(std::size(kPaths));
        bool has_body = route == 1 || route == 2 || route == 4;
        std::string body;
        if (has_body) {
            body = "{\"query\": \"";
            body += kWords[rng.below(std::size(kWords))];
            body += " ";
            body += kWords[rng.below(std::size(kWords))];
            body += "\", \"limit\": ";
            body += std::to_string(1 + rng.below(50));
            body += ", \"filters\": {\"country\": \"";
            body += static_cast<char>('A' + rng.below(26));
            body += static_cast<char>('A' + rng.below(26));
            body += "\", \"active\": ";
            body += rng.below(2) ? "true" : "false";
            body += ", \"min_price\": ";
            body += std::to_string(rng.below(1000));
            body += ".5}, \"items\": [";
            int n = static_cast<int>(rng.below(6));
            for (int k = 0; k < n; ++k) {
                if (k) body += ", ";
                body += "{\"sku\": \"SKU-" + std::to_string(rng.below(100000)) + "\", \"qty\": " +
                        std::to_string(1 + rng.below(9)) + ", \"note\": \"caf\\u00e9 " +
                        std::string(kWords[rng.below(std::size(kWords))]) + "\"}";
            }
            body += "], \"tags\": [\"a\", \"b\", null, 3.25e2]}";
        }
        d += route == 1 ? "POST " : route == 2 ? "PUT " : route == 4 ? "POST " : "GET ";
        d += kPaths[route];
        if (route == 2) d += std::to_string(rng.below(100000));
        d += "?page=" + std::to_string(rng.below(20)) + "&sort=" + std::string(kWords[rng.below(std::size(kWords))]);
        d += "&q=" + std::string(kWords[rng.below(std::size(kWords))]) + "%20" +
             std::string(kWords[rng.below(std::size(kWords))]) + "&lang=en-US&fields=name%2Cid%2Cprice";
        d += " HTTP/1.1\r\n";
        d += "Host: shop.example.org\r\n";
        d += "User-Agent: ";
        d += kAgents[rng.below(std::size(kAgents))];
        d += "\r\nAccept: application/json, text/plain;q=0.9, */*;q=0.8\r\n";
        d += "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n";
        d += "Cookie: session=" + std::to_string(rng.next() & 0xffffffffffffull) + "; theme=" +
             (rng.below(2) ? "dark" : "light") + "; cart=" + std::to_string(rng.below(1000)) + "\r\n";
        int extra = static_cast<int>(rng.below(6));
        for (int k = 0; k < extra; ++k) {
            d += "X-";
            d += kWords[rng.below(std::size(kWords))];
            d += "-Hint: ";
            d += kWords[rng.below(std::size(kWords))];
            d += "\r\n";
        }
        d += "X-Request-Id: req-" + std::to_string(i) + "-" + std::to_string(rng.below(1000000)) + "\r\n";
        if (has_body) {
            d += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
        }
        d += "Connection: keep-alive\r\n\r\n";
        d += body;
    }
    s.offsets.push_back(static_cast<std::uint32_t>(s.data.size()));
    return s;
}

}  // namespace bench::realistic
