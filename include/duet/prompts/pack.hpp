#pragma once
// Prompt packs: the data model and the parser for `*.prompts` files (duet-prompts(5)).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace duet::prompts {

enum class Kind { text, scale, choice };
enum class Order { daily, sequence };

std::string_view kind_name(Kind kind);

struct Prompt {
    std::string id;
    std::string text;
    Kind kind = Kind::text;
    int scale_min = 0;
    int scale_max = 0;
    std::string low;  // label of scale_min
    std::string high; // label of scale_max
    std::vector<std::string> options;
    bool together = false;
    std::vector<std::string> tags;
    int line = 0; // where its [id] stands, for messages
};

struct Pack {
    std::string name;
    std::string title;
    std::string description;
    int version = 0;
    Order order = Order::daily;
    std::vector<Prompt> prompts;
    std::filesystem::path file;

    const Prompt* find(std::string_view id) const;
};

struct Diagnostic {
    std::string file;
    int line = 0;
    std::string message;
    std::string to_string() const; // "FILE:LINE: message"
};

struct ParseResult {
    std::optional<Pack> pack; // set only when there are no diagnostics
    std::vector<Diagnostic> problems;
};

inline constexpr std::size_t k_max_pack_bytes = 1024 * 1024;
inline constexpr std::size_t k_max_line_bytes = 16 * 1024;

// Parses a whole pack; never half-loads: any problem means no pack.
ParseResult parse_pack(std::string_view content, const std::string& file_label);
// Reads and parses a file; unreadable files become a diagnostic too.
ParseResult load_pack_file(const std::filesystem::path& path);

bool is_valid_name(std::string_view name); // [a-z0-9-]+

} // namespace duet::prompts
