// json.h - a JSON DOM in std::pmr containers and its parser, so that the DOM
// draws every byte from whatever memory_resource it is given (an adapter's,
// through HeapResource). RFC 8259 syntax; numbers are doubles; \uXXXX escapes
// (surrogate pairs included) become UTF-8. Bad input throws JsonError with
// line and column.
#ifndef WORKLOADS_REALISTIC_JSON_H
#define WORKLOADS_REALISTIC_JSON_H

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench::realistic::json {

struct Node;
struct Member;
using String = std::pmr::string;
using Array = std::pmr::vector<Node>;
using Object = std::pmr::vector<Member>;

struct Node {
    enum class Kind : std::uint8_t { kNull, kFalse, kTrue, kNumber, kString, kArray, kObject };
    Kind kind = Kind::kNull;
    union {
        double number;
        String* string;
        Array* array;
        Object* object;
    };
    Node() : number(0) {}
};

// Allocator-aware, so that an Object's members (and their keys) use the
// Object's memory_resource.
struct Member {
    using allocator_type = std::pmr::polymorphic_allocator<>;
    String key;
    Node value;

    explicit Member(const allocator_type& a = {}) : key(a) {}
    Member(const Member& o, const allocator_type& a) : key(o.key, a), value(o.value) {}
    Member(Member&& o, const allocator_type& a) : key(std::move(o.key), a), value(o.value) {}
    Member(const Member&) = default;
    Member(Member&&) = default;
    Member& operator=(const Member&) = default;
    Member& operator=(Member&&) = default;
};

class JsonError : public std::runtime_error {
public:
    JsonError(std::string file, std::size_t line, std::size_t column, const std::string& what);
    std::size_t line() const { return line_; }
    std::size_t column() const { return column_; }

private:
    std::size_t line_, column_;
};

inline constexpr int kMaxDepth = 512;

// Parses one JSON text (surrounding whitespace allowed, nothing else).
Node parse(std::string_view text, std::pmr::memory_resource* mr, std::string_view file = {});

// Destroys n's children and containers node by node through mr (the way a
// malloc-family allocator must release a DOM); n becomes null.
void destroy(Node& n, std::pmr::memory_resource* mr);

// Content hash (verification); counts nodes not 8-aligned in *misaligned.
std::uint64_t hash(const Node& n, std::size_t* misaligned);

// Member of an object, or null.
const Node* find(const Node& object, std::string_view key);

// What json_dom asks of each document (see query()).
struct QueryStats {
    std::uint64_t nodes = 0, objects = 0, arrays = 0, members = 0, strings = 0, string_bytes = 0, numbers = 0;
    std::uint64_t max_depth = 0, indexed = 0, found = 0, found_members = 0, names = 0;
    std::uint64_t digest = 0;  // hash of number bits and the sorted names
    void fold_into(std::uint64_t* h) const;
};

// Walks the whole DOM; for every array of objects builds an index (a
// pmr::unordered_map from each object's first string member to the object)
// and looks every string member of every object up in it; collects the "name"
// members of all objects into a pmr::vector and sorts them. Temporaries come
// from mr and are destroyed before returning. The same as walk_stats, then
// index_stats on its result.
QueryStats query(const Node& root, std::pmr::memory_resource* mr);

// The read-only walk of query(): nodes, objects, arrays, members, strings,
// string_bytes, numbers, max_depth, and the digest of the numbers' bits.
// Allocates nothing.
QueryStats walk_stats(const Node& root);

// The rest of query(): the indexes, lookups and sorted names (indexed, found,
// found_members, names), added to s; the names continue s.digest.
void index_stats(const Node& root, std::pmr::memory_resource* mr, QueryStats& s);

// Writes n as compact JSON (tests).
std::string to_string(const Node& n);

}  // namespace bench::realistic::json

#endif  // WORKLOADS_REALISTIC_JSON_H
