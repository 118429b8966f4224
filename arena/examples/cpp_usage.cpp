// The C++ API in ten lines, built against the installed package.
#include <arena/arena.hpp>
#include <cstdio>
#include <string>
#include <vector>

int main() {
    arena::Arena arena(64 * 1024);
    auto *name = arena.make<std::string>("arena");               // destroyed at reset/destroy
    std::vector<int, arena::Allocator<int>> squares{arena::Allocator<int>(arena)};
    for (int i = 0; i < 1000; ++i) squares.push_back(i * i);
    std::printf("cpp usage: %s, %d, %zu bytes used\n", name->c_str(), squares[999], arena.used_memory());
    return squares[999] == 998001 ? 0 : 1;
}
