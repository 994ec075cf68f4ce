// A pack's lines grouped into blocks of fields; see blocks.hpp.
#include "blocks.hpp"

#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <set>

namespace duet::prompts {

namespace {

const std::set<std::string, std::less<>> k_header_keys = {"pack", "title", "description", "version",
                                                          "order"};
// Keep in the order duet-prompts(5) lists them.
const std::set<std::string, std::less<>> k_prompt_keys = {"text",    "kind",     "low", "high",
                                                          "options", "together", "tags"};

class BlockReader {
  public:
    BlockReader(const std::string& file, std::vector<Diagnostic>& problems)
        : m_file(file), m_problems(problems) {}

    Blocks read(std::string_view content) {
        split_into_blocks(content);
        return std::move(m_blocks);
    }

  private:
    void problem(int line, std::string message) {
        m_problems.push_back({m_file, line, std::move(message)});
    }

    void split_into_blocks(std::string_view content) {
        if (content.substr(0, 3) == "\xEF\xBB\xBF") {
            content.remove_prefix(3); // a byte-order mark from some editors
        }
        Block* current = &m_blocks.header;
        m_blocks.header.line = 1;
        int line_no = 0;
        std::size_t pos = 0;
        while (pos < content.size()) {
            std::size_t eol = content.find('\n', pos);
            if (eol == std::string_view::npos) {
                eol = content.size();
            }
            std::string_view raw = content.substr(pos, eol - pos);
            pos = eol + 1;
            ++line_no;
            m_blocks.last_line = line_no;
            if (!raw.empty() && raw.back() == '\r') {
                raw.remove_suffix(1);
            }
            if (raw.size() > k_max_line_bytes) {
                problem(line_no, fmt::format("line is too long ({} bytes; at most {})", raw.size(),
                                             k_max_line_bytes));
                continue;
            }
            if (const auto bad = util::find_invalid_utf8(raw); bad != std::string_view::npos) {
                problem(line_no, fmt::format("invalid UTF-8 (byte {} of the line); please save "
                                             "the file as UTF-8",
                                             bad + 1));
                continue;
            }
            if (raw.find('\0') != std::string_view::npos) {
                problem(line_no, "contains a NUL byte; is this a text file?");
                continue;
            }
            const std::string line = util::trim(raw);
            if (line.empty() || raw.front() == '#') {
                continue;
            }
            if (raw.front() == ' ' || raw.front() == '\t') {
                continue_value(*current, line, line_no);
                continue;
            }
            if (line.front() == '[') {
                current = open_section(line, line_no);
                continue;
            }
            add_field(*current, line, line_no);
        }
    }

    void continue_value(Block& block, const std::string& text, int line_no) {
        if (block.last_key.empty()) {
            problem(line_no, "an indented line continues the value above it, but there is no "
                             "'key: value' line above it");
            return;
        }
        Field& f = block.fields[block.last_key];
        if (!f.value.empty()) {
            f.value += ' ';
        }
        f.value += text;
    }

    Block* open_section(const std::string& line, int line_no) {
        m_blocks.sections.emplace_back();
        Block& b = m_blocks.sections.back();
        b.line = line_no;
        if (line.back() != ']') {
            problem(line_no, "a prompt id must be written as [id], closed by ']'");
        }
        const std::string id = util::trim(
            std::string_view(line).substr(1, line.size() - (line.back() == ']' ? 2 : 1)));
        if (!is_valid_name(id)) {
            problem(line_no, fmt::format("prompt id '{}' may only use a-z, 0-9 and '-' (at most 64 "
                                         "characters)",
                                         util::printable(id, false)));
        }
        b.id = id;
        return &b;
    }

    void add_field(Block& block, const std::string& line, int line_no) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            block.last_key.clear();
            problem(line_no, fmt::format("expected 'key: value' or '[prompt-id]', found '{}'",
                                         util::printable(line.substr(0, 60), false)));
            return;
        }
        const std::string key = util::trim(std::string_view(line).substr(0, colon));
        const std::string value = util::trim(std::string_view(line).substr(colon + 1));
        const bool header = block.id.empty() && &block == &m_blocks.header;
        const auto& allowed = header ? k_header_keys : k_prompt_keys;
        block.last_key.clear();
        if (!allowed.contains(key)) {
            const bool misplaced =
                header ? k_prompt_keys.contains(key) : k_header_keys.contains(key);
            if (misplaced && header) {
                problem(line_no,
                        fmt::format("'{}' belongs to a prompt; open one first with [id]", key));
            } else if (misplaced) {
                problem(line_no, fmt::format("'{}' belongs in the pack header, before the first "
                                             "[prompt]",
                                             key));
            } else {
                problem(line_no,
                        fmt::format("unknown key '{}' (known keys: {})",
                                    util::printable(key, false),
                                    header ? "pack, title, description, version, order"
                                           : "text, kind, low, high, options, together, tags"));
            }
            return;
        }
        if (auto it = block.fields.find(key); it != block.fields.end()) {
            problem(line_no,
                    fmt::format("'{}' is given twice (first on line {})", key, it->second.line));
            return;
        }
        block.fields[key] = Field{value, line_no};
        block.last_key = key;
    }

    const std::string& m_file;
    std::vector<Diagnostic>& m_problems;
    Blocks m_blocks;
};

} // namespace

Blocks read_blocks(std::string_view content, const std::string& file,
                   std::vector<Diagnostic>& problems) {
    return BlockReader(file, problems).read(content);
}

} // namespace duet::prompts
