#pragma once
// Shared by the fuzz targets: a broken promise is a crash, so libFuzzer keeps the input.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace duet::fuzz {

// Not assert(): it must also hold in builds with NDEBUG.
inline void require(bool holds, const char* what) {
    if (!holds) {
        std::fprintf(stderr, "fuzz: broken promise: %s\n", what);
        std::abort();
    }
}

inline std::string_view as_text(const unsigned char* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

} // namespace duet::fuzz
