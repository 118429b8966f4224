// request_reset.h - a server loop: per request, parse it (request line,
// query string with percent-decoding, headers, cookies, a small JSON body),
// build a response (JSON body and headers in growing buffers), "send" it
// (hash the bytes), and end the request: the per-request arena is reset
// (arena_reset: its blocks are kept, so a warm server makes no system
// allocation); malloc-family allocators free every object of the request;
// mimalloc_heap destroys and recreates its heap; pmr_monotonic releases;
// Boehm drops the request and collects when it decides to.
//
// Every request of the throughput loop is timed on its own (TSC, timer cost
// removed as for allocation latencies): req_lat_p50_ns, req_lat_p99_ns,
// req_lat_p999_ns, req_lat_max_ns - the seed's "no GC pauses" claim under a
// realistic load. Requests are generated (generate_requests), the same on
// every machine.
#ifndef WORKLOADS_REALISTIC_REQUEST_RESET_H
#define WORKLOADS_REALISTIC_REQUEST_RESET_H

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "generate.h"
#include "json.h"
#include "realistic.h"
#include "sexpr.h"

namespace bench::realistic {

namespace http {

// A byte buffer that grows by doubling (new block, copy, the old one dies).
template <class H>
struct Buffer {
    H* h;
    char* data = nullptr;
    std::uint32_t len = 0, cap = 0;

    explicit Buffer(H& heap, std::uint32_t initial = 256) : h(&heap) {
        data = static_cast<char*>(h->alloc_data(initial));
        cap = initial;
    }
    void reserve(std::uint32_t need) {
        if (need <= cap) return;
        std::uint32_t c = cap * 2;
        while (c < need) c *= 2;
        char* fresh = static_cast<char*>(h->alloc_data(c));
        std::memcpy(fresh, data, len);
        h->free(data, cap);
        data = fresh;
        cap = c;
    }
    void append(std::string_view s) {
        reserve(len + static_cast<std::uint32_t>(s.size()));
        std::memcpy(data + len, s.data(), s.size());
        len += static_cast<std::uint32_t>(s.size());
    }
    void append(char c) { append(std::string_view(&c, 1)); }
    void number(long long v) {
        char buf[24];
        int n = std::snprintf(buf, sizeof buf, "%lld", v);
        append(std::string_view(buf, static_cast<std::size_t>(n)));
    }
    void quoted(std::string_view s) {
        append('"');
        for (char c : s) {
            if (c == '"' || c == '\\') append('\\');
            if (static_cast<unsigned char>(c) < 0x20) {
                append("\\u00");
                append("0123456789abcdef"[(c >> 4) & 0xf]);
                append("0123456789abcdef"[c & 0xf]);
                continue;
            }
            append(c);
        }
        append('"');
    }
    void release() {
        if (data != nullptr) h->free(data, cap);
        data = nullptr;
    }
    std::string_view view() const { return {data, len}; }
};

struct Field {  // a header, query parameter or cookie
    Field* next;
    char* name;
    char* value;
    std::uint32_t name_len, value_len;
    std::string_view key() const { return {name, name_len}; }
    std::string_view val() const { return {value, value_len}; }
};

struct Request {
    char* method;
    char* path;
    std::uint32_t method_len, path_len;
    Field* headers;
    Field* query;
    Field* cookies;
    std::uint32_t header_count, query_count, cookie_count, body_len;
    json::Node body;
    bool has_body;
};

template <class H>
char* copy(H& h, std::string_view s) {
    char* p = static_cast<char*>(h.alloc_data(s.size() + 1));
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

inline int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decoded copy ('+' is a space).
template <class H>
char* decode(H& h, std::string_view s, std::uint32_t* len) {
    char* p = static_cast<char*>(h.alloc_data(s.size() + 1));
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
            p[n++] = static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        } else {
            p[n++] = c == '+' ? ' ' : c;
        }
    }
    p[n] = '\0';
    *len = n;
    return p;
}

template <class H>
Field* field(H& h, Field* next, char* name, std::uint32_t name_len, char* value, std::uint32_t value_len) {
    Field* f = static_cast<Field*>(h.alloc(sizeof(Field)));
    f->next = next;
    f->name = name;
    f->value = value;
    f->name_len = name_len;
    f->value_len = value_len;
    return f;
}

template <class H>
void free_fields(H& h, Field* f) {
    while (f != nullptr) {
        Field* next = f->next;
        h.free(f->name, f->name_len + 1);
        h.free(f->value, f->value_len + 1);
        h.free(f, sizeof(Field));
        f = next;
    }
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

inline bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

// Parses one request; false (and a partly filled req) if malformed.
template <class H>
bool parse(H& h, std::pmr::memory_resource* mr, std::string_view text, Request* req) {
    std::memset(static_cast<void*>(req), 0, sizeof(Request));
    std::size_t line_end = text.find("\r\n");
    if (line_end == std::string_view::npos) return false;
    std::string_view line = text.substr(0, line_end);
    std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) return false;
    req->method = copy(h, line.substr(0, sp1));
    req->method_len = static_cast<std::uint32_t>(sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t q = target.find('?');
    req->path = decode(h, target.substr(0, q), &req->path_len);
    if (q != std::string_view::npos) {
        std::string_view query = target.substr(q + 1);
        while (!query.empty()) {
            std::size_t amp = query.find('&');
            std::string_view pair = query.substr(0, amp);
            std::size_t eq = pair.find('=');
            std::uint32_t kl, vl;
            char* k = decode(h, pair.substr(0, eq), &kl);
            char* v = decode(h, eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), &vl);
            req->query = field(h, req->query, k, kl, v, vl);
            ++req->query_count;
            if (amp == std::string_view::npos) break;
            query.remove_prefix(amp + 1);
        }
    }
    std::size_t pos = line_end + 2;
    std::size_t content_length = 0;
    while (true) {
        std::size_t end = text.find("\r\n", pos);
        if (end == std::string_view::npos) return false;
        if (end == pos) {
            pos += 2;
            break;
        }
        std::string_view header = text.substr(pos, end - pos);
        pos = end + 2;
        std::size_t colon = header.find(':');
        if (colon == std::string_view::npos) return false;
        std::string_view name = header.substr(0, colon), value = trim(header.substr(colon + 1));
        char* n = copy(h, name);
        for (std::size_t i = 0; i < name.size(); ++i) {
            if (n[i] >= 'A' && n[i] <= 'Z') n[i] = static_cast<char>(n[i] - 'A' + 'a');
        }
        req->headers = field(h, req->headers, n, static_cast<std::uint32_t>(name.size()), copy(h, value),
                             static_cast<std::uint32_t>(value.size()));
        ++req->header_count;
        if (iequal(name, "content-length")) {
            content_length = 0;
            for (char c : value) {
                if (c < '0' || c > '9') return false;
                content_length = content_length * 10 + static_cast<std::size_t>(c - '0');
            }
        } else if (iequal(name, "cookie")) {
            std::string_view rest = value;
            while (!rest.empty()) {
                std::size_t semi = rest.find(';');
                std::string_view c = trim(rest.substr(0, semi));
                std::size_t eq = c.find('=');
                if (eq != std::string_view::npos) {
                    req->cookies = field(h, req->cookies, copy(h, c.substr(0, eq)), static_cast<std::uint32_t>(eq),
                                         copy(h, c.substr(eq + 1)), static_cast<std::uint32_t>(c.size() - eq - 1));
                    ++req->cookie_count;
                }
                if (semi == std::string_view::npos) break;
                rest.remove_prefix(semi + 1);
            }
        }
    }
    if (content_length > 0) {
        if (text.size() - pos < content_length) return false;
        try {
            req->body = json::parse(text.substr(pos, content_length), mr);
        } catch (const json::JsonError&) {
            return false;
        }
        req->has_body = true;
        req->body_len = static_cast<std::uint32_t>(content_length);
    }
    return true;
}

template <class H>
void free_request(H& h, std::pmr::memory_resource* mr, Request* req) {
    if (req->method != nullptr) h.free(req->method, req->method_len + 1);
    if (req->path != nullptr) h.free(req->path, req->path_len + 1);
    free_fields(h, req->headers);
    free_fields(h, req->query);
    free_fields(h, req->cookies);
    if (req->has_body) json::destroy(req->body, mr);
    h.free(req, sizeof(Request));
}

inline std::string_view find(const Field* f, std::string_view key) {
    for (; f != nullptr; f = f->next) {
        if (f->key() == key) return f->val();
    }
    return {};
}

inline double number_or(const json::Node* n, double fallback) {
    return n != nullptr && n->kind == json::Node::Kind::kNumber ? n->number : fallback;
}
inline std::string_view string_or(const json::Node* n, std::string_view fallback) {
    return n != nullptr && n->kind == json::Node::Kind::kString ? std::string_view(*n->string) : fallback;
}

// Builds the response body for req into out.
template <class H>
void respond(const Request& req, Buffer<H>& out) {
    std::string_view path(req.path, req.path_len);
    out.append("{\"request_id\": ");
    out.quoted(find(req.headers, "x-request-id"));
    out.append(", \"method\": ");
    out.quoted({req.method, req.method_len});
    out.append(", \"path\": ");
    out.quoted(path);
    out.append(", \"params\": {");
    bool first = true;
    for (const Field* f = req.query; f != nullptr; f = f->next) {
        if (!first) out.append(", ");
        first = false;
        out.quoted(f->key());
        out.append(": ");
        out.quoted(f->val());
    }
    out.append("}, \"headers\": ");
    out.number(req.header_count);
    out.append(", \"cookies\": ");
    out.number(req.cookie_count);
    out.append(", \"theme\": ");
    out.quoted(find(req.cookies, "theme"));
    if (path.rfind("/api/v1/search", 0) == 0 && req.has_body) {
        std::string_view query = string_or(json::find(req.body, "query"), "");
        long limit = static_cast<long>(number_or(json::find(req.body, "limit"), 10));
        out.append(", \"results\": [");
        for (long i = 0; i < limit; ++i) {
            if (i) out.append(", ");
            out.append("{\"id\": ");
            out.number(i * 7 + static_cast<long>(query.size()));
            out.append(", \"title\": ");
            out.quoted(query);
            out.append(", \"score\": ");
            out.number(1000 - i * 13);
            out.append('}');
        }
        out.append(']');
    } else if (req.has_body) {
        const json::Node* items = json::find(req.body, "items");
        double total = 0;
        long count = 0;
        if (items != nullptr && items->kind == json::Node::Kind::kArray) {
            for (const json::Node& item : *items->array) {
                total += number_or(json::find(item, "qty"), 0) * number_or(json::find(item, "price"), 9.5);
                ++count;
                out.append(", \"sku_");
                out.number(count);
                out.append("\": ");
                out.quoted(string_or(json::find(item, "sku"), "?"));
            }
        }
        out.append(", \"items\": ");
        out.number(count);
        out.append(", \"total_cents\": ");
        out.number(static_cast<long long>(total * 100));
        const json::Node* filters = json::find(req.body, "filters");
        out.append(", \"country\": ");
        out.quoted(filters != nullptr ? string_or(json::find(*filters, "country"), "") : "");
    } else if (path.rfind("/static/", 0) == 0) {
        out.append(", \"asset\": \"");
        for (int i = 0; i < 24; ++i) out.append("function f(){return 42;} ");
        out.append('"');
    } else {
        std::string_view sort = find(req.query, "sort");
        out.append(", \"items\": [");
        for (int i = 0; i < 8; ++i) {
            if (i) out.append(", ");
            out.append("{\"name\": ");
            out.quoted(sort);
            out.append(", \"rank\": ");
            out.number(i);
            out.append('}');
        }
        out.append(']');
    }
    out.append("}\n");
}

}  // namespace http

class RequestReset : public Realistic<RequestReset> {
public:
    static constexpr std::string_view kName = "request_reset";
    static std::size_t default_requests() { return pick<std::size_t>(300, 3000, 20000); }
    static std::size_t sample_capacity() { return pick<std::size_t>(20000, 200000, 1000000); }

    explicit RequestReset(std::size_t requests)
        : stream_(generate_requests(0x7e57, requests)), samples_(sample_capacity()) {
        init_reference(std::to_string(requests) + " generated requests");
    }

    std::string reference_key() const { return std::to_string(stream_.offsets.size()); }
    std::size_t requests() const { return stream_.offsets.size() - 1; }

    template <Adapter A, class P>
    std::size_t fill_impl(A& a, P& probe) {
        const bool record = in_timed_loop();
        hash_ = 0;
        bad_ = 0;
        bytes_out_ = 0;
        for (std::size_t i = 0; i + 1 < stream_.offsets.size(); ++i) {
            std::uint64_t t0 = record ? tsc_begin() : 0;
            std::string_view text(stream_.data.data() + stream_.offsets[i], stream_.offsets[i + 1] - stream_.offsets[i]);
            serve(a, probe, text);
            if (record) {
                std::uint64_t t1 = tsc_end();
                if (count_ < samples_.capacity()) samples_[count_++] = t1 - t0;
            }
        }
        return 0;
    }

    Digest digest() const {
        Digest d;
        d.hash = hash_combine(hash_combine(hash_, bad_), bytes_out_);
        return d;
    }

    // (keep_memory(): the server keeps its per-request arena between batches.)
    template <Adapter A, class P>
    std::size_t release_impl(A& a, P& probe, std::size_t live) {
        return release_all(a, probe, live, [](auto&) {});  // each request freed its own
    }

    void own_loop_counters(Extras& extras) {
        if (count_ == 0) return;
        LatencySummary s = summarize_latency(samples_.data(), count_, tsc_calibration());
        extras.emplace_back("req_lat_p50_ns", s.p50_ns);
        extras.emplace_back("req_lat_p99_ns", s.p99_ns);
        extras.emplace_back("req_lat_p999_ns", s.p999_ns);
        extras.emplace_back("req_lat_max_ns", s.max_ns);
        extras.emplace_back("req_samples", static_cast<double>(count_));
        count_ = 0;
    }

    void memory_counters(Extras& extras) const {
        extras.emplace_back("requests", static_cast<double>(requests()));
        extras.emplace_back("response_bytes", static_cast<double>(bytes_out_));
    }

private:
    // One request, from parse to reset.
    template <Adapter A, class P>
    void serve(A& a, P& probe, std::string_view text) {
        using H = Heap<A, P>;
        H h(a, probe);
        HeapResource<H> mr(h);
        auto* req = static_cast<http::Request*>(h.alloc(sizeof(http::Request)));
        roots_[0] = req;
        bool ok = http::parse(h, &mr, text, req);
        http::Buffer<H> body(h);
        if (ok) {
            http::respond(*req, body);
        } else {
            ++bad_;
            body.append("{\"error\": \"bad request\"}\n");
        }
        http::Buffer<H> head(h, 128);
        head.append(ok ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 400 Bad Request\r\n");
        head.append("Content-Type: application/json\r\nContent-Length: ");
        head.number(body.len);
        head.append("\r\nSet-Cookie: seen=");
        head.number(ok ? req->header_count : 0);
        head.append("; Path=/; HttpOnly\r\nX-Request-Id: ");
        head.append(ok ? http::find(req->headers, "x-request-id") : "-");
        head.append("\r\n\r\n");
        http::Buffer<H> wire(h, head.len + body.len);
        wire.append(head.view());
        wire.append(body.view());
        hash_ = hash_combine(hash_, hash_bytes(wire.data, wire.len));
        bytes_out_ += wire.len;
        // End of the request.
        roots_.clear();
        if constexpr (H::kFreeAtEnd) {
            wire.release();
            head.release();
            body.release();
            http::free_request(h, &mr, req);
        }
        a.reset();
        h.all_dead();
    }

    RequestStream stream_;
    MappedArray<std::uint64_t> samples_;
    std::size_t count_ = 0;
    std::uint64_t hash_ = 0, bad_ = 0, bytes_out_ = 0;
};

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_REQUEST_RESET_H
