// generate.h - deterministic input generators: Scheme source and JSON documents
// shaped like the Debian inputs (used when the packages are missing, and by
// the tests), and the HTTP requests of request_reset. Same seed, same bytes,
// on every machine.
#ifndef WORKLOADS_REALISTIC_GENERATE_H
#define WORKLOADS_REALISTIC_GENERATE_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bench::realistic {

// About `bytes` bytes of Scheme: define-module, defines with docstrings,
// let/let*/letrec/named let, cond/case/when/unless/do, lambdas, quasiquote,
// strings with escapes, characters, numbers, vectors, keywords, comments.
std::string generate_scheme(std::uint64_t seed, std::size_t bytes);

// About `bytes` bytes of JSON shaped like iso-codes: {"<key>": [ {...}, ... ]}
// with string, number, boolean, null, nested array and object members and
// \u escapes.
std::string generate_json(std::uint64_t seed, std::size_t bytes);

// `count` HTTP/1.1 requests back to back (request line with a query string,
// 6-14 headers, cookies, a small JSON body on POST/PUT). offsets has count+1
// entries: request i is data[offsets[i], offsets[i+1]).
struct RequestStream {
    std::string data;
    std::vector<std::uint32_t> offsets;
};
RequestStream generate_requests(std::uint64_t seed, std::size_t count);

}  // namespace bench::realistic

#endif  // WORKLOADS_REALISTIC_GENERATE_H
