#pragma once
// Internal to prompts/: the first step of reading a pack, its lines grouped
// into blocks of `key: value` fields (the header, then one block per prompt),
// before parser.cpp checks what the fields say.
#include "duet/prompts/pack.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace duet::prompts {

struct Field {
    std::string value;
    int line = 0;
};

// One block of key: value lines: the header, or a prompt section.
struct Block {
    std::string id; // empty for the header
    int line = 0;
    std::map<std::string, Field, std::less<>> fields;
    std::string last_key;
};

struct Blocks {
    Block header;
    std::vector<Block> sections;
    int last_line = 1;
};

// Groups the pack's lines; what is wrong with a line (too long, not UTF-8, an
// unknown or repeated key, ...) is added to `problems`, naming `file`.
Blocks read_blocks(std::string_view content, const std::string& file,
                   std::vector<Diagnostic>& problems);

} // namespace duet::prompts
