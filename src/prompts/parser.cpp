#include "duet/prompts/pack.hpp"

#include "blocks.hpp"
#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>

namespace duet::prompts {

std::string_view kind_name(Kind kind) {
    switch (kind) {
    case Kind::scale:
        return "scale";
    case Kind::choice:
        return "choice";
    case Kind::text:
        break;
    }
    return "text";
}

const Prompt* Pack::find(std::string_view id) const {
    for (const Prompt& p : prompts) {
        if (p.id == id) {
            return &p;
        }
    }
    return nullptr;
}

std::string Diagnostic::to_string() const {
    return fmt::format("{}:{}: {}", file, line, message);
}

bool is_valid_name(std::string_view name) {
    if (name.empty() || name.size() > 64) {
        return false;
    }
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return false;
        }
    }
    return true;
}

namespace {

bool parse_int(std::string_view s, int& out) {
    s = std::string_view(s).substr(0, s.size());
    if (s.empty()) {
        return false;
    }
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc() && p == end;
}

// Checks what the blocks' fields say and builds the pack.
class Parser {
  public:
    explicit Parser(std::string file) : m_file(std::move(file)) {}

    ParseResult run(std::string_view content) {
        m_blocks = read_blocks(content, m_file, m_problems);
        Pack pack;
        check_header(pack);
        std::map<std::string, int, std::less<>> seen_ids;
        for (const Block& b : m_blocks.sections) {
            if (auto [it, fresh] = seen_ids.emplace(b.id, b.line); !fresh) {
                problem(b.line, fmt::format("duplicate prompt id '{}' (first used on line {})",
                                            b.id, it->second));
                continue;
            }
            pack.prompts.push_back(check_prompt(b));
        }
        if (m_blocks.sections.empty() && m_problems.empty()) {
            problem(m_blocks.last_line, "a pack needs at least one prompt, opened by its id in "
                                        "brackets, for example [evening]");
        }
        ParseResult result;
        result.problems = std::move(m_problems);
        if (result.problems.empty()) {
            result.pack = std::move(pack);
        }
        return result;
    }

  private:
    void problem(int line, std::string message) {
        m_problems.push_back({m_file, line, std::move(message)});
    }

    const Field* get(const Block& b, std::string_view key) const {
        const auto it = b.fields.find(key);
        return it == b.fields.end() ? nullptr : &it->second;
    }

    void check_header(Pack& pack) {
        const Field* name = get(m_blocks.header, "pack");
        if (name == nullptr) {
            problem(1, "the header needs 'pack: NAME' (a-z, 0-9 and '-')");
        } else if (!is_valid_name(name->value)) {
            problem(name->line, fmt::format("pack name '{}' may only use a-z, 0-9 and '-'",
                                            util::printable(name->value, false)));
        } else {
            pack.name = name->value;
        }
        const Field* title = get(m_blocks.header, "title");
        if (title == nullptr || title->value.empty()) {
            problem(title ? title->line : 1, "the header needs 'title: ...', a short human title");
        } else {
            pack.title = title->value;
        }
        if (const Field* d = get(m_blocks.header, "description")) {
            pack.description = d->value;
        }
        if (const Field* v = get(m_blocks.header, "version")) {
            if (!parse_int(v->value, pack.version) || pack.version < 0) {
                problem(v->line, fmt::format("version must be a whole number, not '{}'",
                                             util::printable(v->value, false)));
            }
        }
        if (const Field* o = get(m_blocks.header, "order")) {
            if (o->value == "daily") {
                pack.order = Order::daily;
            } else if (o->value == "sequence") {
                pack.order = Order::sequence;
            } else {
                problem(o->line, fmt::format("order must be 'daily' or 'sequence', not '{}'",
                                             util::printable(o->value, false)));
            }
        }
    }

    void check_scale(const Field& f, std::string_view range, Prompt& p) {
        // "A-B" where A and B may be negative: find the '-' that separates them.
        const std::string r = util::trim(range);
        const std::size_t sep = r.find('-', r.empty() || r[0] != '-' ? 0 : 1);
        int lo = 0;
        int hi = 0;
        if (sep == std::string::npos || !parse_int(util::trim(r.substr(0, sep)), lo) ||
            !parse_int(util::trim(r.substr(sep + 1)), hi)) {
            problem(f.line, fmt::format("a scale needs a range, for example 'kind: scale 1-5' (got "
                                        "'{}')",
                                        util::printable(f.value, false)));
            return;
        }
        if (lo >= hi) {
            problem(f.line, fmt::format("scale {}-{}: the first number must be smaller than the "
                                        "second",
                                        lo, hi));
            return;
        }
        if (hi - lo > 100) {
            problem(f.line, fmt::format("scale {}-{} has more than 101 steps; please use a "
                                        "smaller range",
                                        lo, hi));
            return;
        }
        p.scale_min = lo;
        p.scale_max = hi;
    }

    // "kind: text", "kind: choice" or "kind: scale A-B".
    void check_kind(const Field& k, Prompt& p) {
        const std::string_view v = k.value;
        if (v == "text") {
            p.kind = Kind::text;
        } else if (v == "choice") {
            p.kind = Kind::choice;
        } else if (v.substr(0, 5) == "scale" && (v.size() == 5 || v[5] == ' ' || v[5] == '\t')) {
            p.kind = Kind::scale;
            check_scale(k, v.substr(5), p);
        } else {
            problem(k.line, fmt::format("unknown kind '{}' (use text, 'scale A-B' or choice)",
                                        util::printable(v, false)));
        }
    }

    // A choice needs its options; no other kind may have them.
    void check_options(const Block& b, Prompt& p) {
        const Field* options = get(b, "options");
        if (p.kind == Kind::choice) {
            if (options == nullptr) {
                problem(b.line, fmt::format("choice prompt '{}' needs 'options: a | b'", b.id));
            } else {
                for (const std::string& o : util::split(options->value, '|')) {
                    const std::string opt = util::trim(o);
                    if (opt.empty()) {
                        problem(options->line, "an option is empty (two '|' in a row, or one at an "
                                               "end)");
                    }
                    p.options.push_back(opt);
                }
                if (p.options.size() < 2) {
                    problem(options->line, "a choice needs at least two options, separated by '|'");
                }
            }
        } else if (options != nullptr) {
            problem(
                options->line,
                fmt::format("'options' is for choice prompts; add 'kind: choice' to '{}'", b.id));
        }
    }

    Prompt check_prompt(const Block& b) {
        Prompt p;
        p.id = b.id;
        p.line = b.line;
        const Field* text = get(b, "text");
        if (text == nullptr || text->value.empty()) {
            problem(text ? text->line : b.line,
                    fmt::format("prompt '{}' has no text; add 'text: ...'", b.id));
        } else {
            p.text = text->value;
        }
        if (const Field* k = get(b, "kind")) {
            check_kind(*k, p);
        }
        for (const char* label : {"low", "high"}) {
            if (const Field* f = get(b, label); f && p.kind != Kind::scale) {
                problem(f->line, fmt::format("'{}' is a label for scale prompts; prompt '{}' is "
                                             "not a scale",
                                             label, b.id));
            }
        }
        if (const Field* f = get(b, "low")) {
            p.low = f->value;
        }
        if (const Field* f = get(b, "high")) {
            p.high = f->value;
        }
        check_options(b, p);
        if (const Field* t = get(b, "together")) {
            if (t->value == "yes") {
                p.together = true;
            } else if (t->value != "no") {
                problem(t->line, fmt::format("together must be 'yes' or 'no', not '{}'",
                                             util::printable(t->value, false)));
            }
        }
        if (const Field* t = get(b, "tags")) {
            for (const std::string& tag : util::split(t->value, ',')) {
                if (std::string tt = util::trim(tag); !tt.empty()) {
                    p.tags.push_back(std::move(tt));
                }
            }
        }
        return p;
    }

    std::string m_file;
    Blocks m_blocks;
    std::vector<Diagnostic> m_problems;
};

} // namespace

ParseResult parse_pack(std::string_view content, const std::string& file_label) {
    if (content.size() > k_max_pack_bytes) {
        return {std::nullopt,
                {{file_label, 1,
                  fmt::format("file is too large for a prompt pack ({} bytes; at most {})",
                              content.size(), k_max_pack_bytes)}}};
    }
    return Parser(file_label).run(content);
}

ParseResult load_pack_file(const std::filesystem::path& path) {
    std::string content;
    try {
        content = util::read_file(path, k_max_pack_bytes);
    } catch (const Error& e) {
        return {std::nullopt, {{path.string(), 1, e.what()}}};
    }
    ParseResult r = parse_pack(content, path.string());
    if (r.pack) {
        r.pack->file = path;
    }
    return r;
}

} // namespace duet::prompts
