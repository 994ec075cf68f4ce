#include "duet/prompts/answer.hpp"

#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <charconv>

namespace duet::prompts {

namespace {
std::optional<int> whole_number(std::string_view s) {
    int n = 0;
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, n);
    if (s.empty() || ec != std::errc() || p != end) {
        return std::nullopt;
    }
    return n;
}
} // namespace

std::string answer_hint(const Prompt& p) {
    switch (p.kind) {
    case Kind::scale:
        return fmt::format("{}-{}", p.scale_min, p.scale_max);
    case Kind::choice:
        return fmt::format("1-{}", p.options.size());
    case Kind::text:
        break;
    }
    return {};
}

std::variant<Answer, std::string> check_answer(const Prompt& p, std::string_view input) {
    const std::string trimmed = util::trim(input);
    if (!util::is_valid_utf8(input)) {
        return std::string("that answer is not valid UTF-8 text");
    }
    switch (p.kind) {
    case Kind::scale: {
        const auto n = whole_number(trimmed);
        if (!n || *n < p.scale_min || *n > p.scale_max) {
            return fmt::format("please type a whole number from {} to {}", p.scale_min,
                               p.scale_max);
        }
        return Answer{std::to_string(*n), *n};
    }
    case Kind::choice: {
        if (const auto n = whole_number(trimmed)) {
            if (*n >= 1 && static_cast<std::size_t>(*n) <= p.options.size()) {
                return Answer{p.options[static_cast<std::size_t>(*n - 1)], *n};
            }
        }
        // Scripts may name the option instead of numbering it.
        const std::string wanted = util::to_lower_ascii(trimmed);
        for (std::size_t i = 0; i < p.options.size(); ++i) {
            if (util::to_lower_ascii(p.options[i]) == wanted) {
                return Answer{p.options[i], static_cast<int>(i + 1)};
            }
        }
        return fmt::format("please type an option's number, from 1 to {}", p.options.size());
    }
    case Kind::text:
        break;
    }
    if (trimmed.empty()) {
        return std::string("the answer is empty");
    }
    // Keep the writer's own line breaks, drop only surrounding blank space.
    return Answer{trimmed, std::nullopt};
}

} // namespace duet::prompts
