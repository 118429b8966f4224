// JSON: values, escapes, errors with positions, nothing lost on bad input,
// the query, the generator.
#include <gtest/gtest.h>

#include <string>

#include "generate.h"
#include "heap.h"
#include "json.h"

namespace bench::realistic {
namespace {

// Counts what is outstanding, over new/delete.
class Counting final : public std::pmr::memory_resource {
public:
    std::size_t outstanding = 0, allocations = 0;

private:
    void* do_allocate(std::size_t bytes, std::size_t align) override {
        outstanding += bytes;
        ++allocations;
        return std::pmr::new_delete_resource()->allocate(bytes, align);
    }
    void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
        outstanding -= bytes;
        std::pmr::new_delete_resource()->deallocate(p, bytes, align);
    }
    bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override { return this == &o; }
};

std::string round_trip(const std::string& text) {
    Counting mr;
    json::Node n = json::parse(text, &mr);
    std::string out = json::to_string(n);
    json::destroy(n, &mr);
    EXPECT_EQ(mr.outstanding, 0u) << text;
    return out;
}

std::string error(const std::string& text) {
    Counting mr;
    try {
        json::Node n = json::parse(text, &mr, "doc.json");
        json::destroy(n, &mr);
    } catch (const json::JsonError& e) {
        EXPECT_EQ(mr.outstanding, 0u) << "partial DOM not freed for: " << text;
        return e.what();
    }
    return "";
}

TEST(Json, Values) {
    EXPECT_EQ(round_trip(" {\"a\": [1, 2.5, -0.5e3, true, false, null], \"b\": {}} "),
              "{\"a\":[1,2.5,-500,true,false,null],\"b\":{}}");
    EXPECT_EQ(round_trip("[]"), "[]");
    EXPECT_EQ(round_trip("\"x\""), "\"x\"");
    EXPECT_EQ(round_trip("[\"a\\nb\", \"\\u00e9\", \"\\ud83d\\ude00\", \"\\/\"]"),
              "[\"a\nb\",\"\xc3\xa9\",\"\xf0\x9f\x98\x80\",\"/\"]");
    // Members keep their order and their long keys use the DOM's resource.
    Counting mr;
    json::Node n = json::parse("{\"a key longer than the small-string buffer\": 1, \"z\": 2}", &mr);
    std::size_t with_long_key = mr.outstanding;
    EXPECT_GT(with_long_key, 0u);
    ASSERT_NE(json::find(n, "z"), nullptr);
    EXPECT_EQ(json::find(n, "z")->number, 2);
    EXPECT_EQ(json::find(n, "missing"), nullptr);
    json::destroy(n, &mr);
    EXPECT_EQ(mr.outstanding, 0u);
}

TEST(Json, ErrorsSayWhereAndWhyAndLoseNothing) {
    EXPECT_NE(error("[1, 2,]").find("doc.json:1:7: trailing comma in an array"), std::string::npos) << error("[1, 2,]");
    EXPECT_NE(error("{\"a\" 1}").find("':' expected"), std::string::npos);
    EXPECT_NE(error("{\"a\": 1,}").find("trailing comma in an object"), std::string::npos);
    EXPECT_NE(error("[\"abc").find("unterminated string"), std::string::npos);
    EXPECT_NE(error("[\"a\\q\"]").find("bad escape"), std::string::npos);
    EXPECT_NE(error("[\"a\nb\"]").find("control character"), std::string::npos);
    EXPECT_NE(error("[01]").find("',' or ']' expected"), std::string::npos);
    EXPECT_NE(error("[1] x").find("unexpected text after the JSON value"), std::string::npos);
    EXPECT_NE(error("[\"\\ud800\"]").find("unpaired surrogate"), std::string::npos);
    EXPECT_NE(error("[tru]").find("invalid literal"), std::string::npos);
    EXPECT_NE(error("[1.]").find("digit expected after the decimal point"), std::string::npos);
    EXPECT_NE(error("").find("unexpected end of input"), std::string::npos);
    EXPECT_NE(error("{\"deep\": [{\"x\": [1, {\"y\": \"long enough to allocate a buffer\", \"z\": [1, 2, }]}]}")
                  .find("doc.json:1:"),
              std::string::npos);
    std::string deep(600, '[');
    EXPECT_NE(error(deep).find("nesting deeper than 512"), std::string::npos);
    EXPECT_NE(error("{\n  \"a\": [1,\n   2 3]}").find("doc.json:3:6:"), std::string::npos) << error("{\n  \"a\": [1,\n   2 3]}");
}

TEST(Json, Query) {
    Counting mr;
    json::Node n = json::parse(
        R"({"list": [{"code": "A", "alt": "B", "name": "beta"}, {"code": "B", "alt": "C", "name": "alpha"},
                     {"code": "C", "alt": "Q"}], "n": 3})",
        &mr);
    json::QueryStats s = json::query(n, &mr);
    EXPECT_EQ(s.objects, 4u);
    EXPECT_EQ(s.arrays, 1u);
    EXPECT_EQ(s.members, 2u + 3 + 3 + 2);
    EXPECT_EQ(s.indexed, 3u);
    EXPECT_EQ(s.found, 5u);  // A, B | B, C | C are codes; beta, alpha, Q are not
    EXPECT_EQ(s.found_members, 3u + 3 + 3 + 2 + 2);
    EXPECT_EQ(s.names, 2u);
    EXPECT_EQ(s.numbers, 1u);
    EXPECT_EQ(s.max_depth, 3u);
    std::size_t misaligned = 0;
    std::uint64_t h1 = json::hash(n, &misaligned);
    EXPECT_EQ(misaligned, 0u);
    // The query's temporaries are gone; the DOM is intact.
    std::size_t dom = mr.outstanding;
    json::query(n, &mr);
    EXPECT_EQ(mr.outstanding, dom);
    EXPECT_EQ(json::hash(n, &misaligned), h1);
    json::destroy(n, &mr);
    EXPECT_EQ(mr.outstanding, 0u);
}

// json_dom runs the query in two parts: the walk (traverse(), allocating
// nothing) and the indexes; together they are query().
TEST(Json, QueryIsTheWalkThenTheIndexes) {
    Counting mr;
    json::Node n = json::parse(generate_json(5, 20000), &mr);
    std::size_t dom = mr.outstanding, allocations = mr.allocations;
    json::QueryStats walked = json::walk_stats(n);
    EXPECT_EQ(mr.allocations, allocations) << "the walk allocated";
    EXPECT_GT(walked.nodes, 100u);
    EXPECT_EQ(walked.indexed + walked.found + walked.names, 0u);
    json::index_stats(n, &mr, walked);
    EXPECT_EQ(mr.outstanding, dom);
    json::QueryStats q = json::query(n, &mr);
    std::uint64_t h1 = 0, h2 = 0;
    walked.fold_into(&h1);
    q.fold_into(&h2);
    EXPECT_EQ(h1, h2);
    EXPECT_EQ(walked.nodes, q.nodes);
    EXPECT_EQ(walked.names, q.names);
    json::destroy(n, &mr);
}

TEST(Json, GeneratedDocumentsParseAndAreDeterministic) {
    std::string a = generate_json(3, 50000), b = generate_json(3, 50000), c = generate_json(4, 50000);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    Counting mr;
    json::Node n = json::parse(a, &mr);
    json::QueryStats s = json::query(n, &mr);
    EXPECT_GT(s.objects, 100u);
    EXPECT_GT(s.found, 0u);
    json::destroy(n, &mr);
    EXPECT_EQ(mr.outstanding, 0u);
}

TEST(Json, HeapResourceCountsThroughTheHeap) {
    RefAdapter ref;
    CountProbe probe;
    Heap<RefAdapter, CountProbe> h(ref, probe);
    HeapResource<decltype(h)> mr(h);
    json::Node n = json::parse("{\"k\": [\"a string longer than sixteen\", 1, 2, 3]}", &mr);
    EXPECT_GT(probe.count, 2u);
    EXPECT_GT(h.live_bytes(), 0u);
    std::size_t live = h.live_bytes();
    json::destroy(n, &mr);
    EXPECT_LT(h.live_bytes(), live);
    EXPECT_EQ(h.live_bytes(), 0u);
}

}  // namespace
}  // namespace bench::realistic
