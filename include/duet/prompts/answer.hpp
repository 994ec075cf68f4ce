#pragma once
// Checking what a person typed against the prompt's kind.
#include "duet/prompts/pack.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace duet::prompts {

struct Answer {
    std::string text;         // what is stored as the answer
    std::optional<int> value; // a scale's number, or a choice's option number
};

// An Answer, or a friendly sentence saying what would fit (for a retry).
std::variant<Answer, std::string> check_answer(const Prompt& prompt, std::string_view input);

// The range hint shown on the answer line, e.g. "1-5" or "1-3".
std::string answer_hint(const Prompt& prompt);

} // namespace duet::prompts
