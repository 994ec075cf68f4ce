// Prompt packs come from anyone's text editor: parse_pack must reject or accept
// every input without crashing, and a pack it accepts must keep the promises of
// duet-prompts(5), so daily selection and answer checking can rely on them.
#include "check.hpp"

#include "duet/crypto/secure.hpp"
#include "duet/prompts/answer.hpp"
#include "duet/prompts/library.hpp"
#include "duet/prompts/pack.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <variant>

using duet::fuzz::require;

namespace {

void check_pack(const duet::prompts::Pack& pack) {
    using duet::prompts::Kind;
    require(duet::prompts::is_valid_name(pack.name), "an accepted pack has a valid name");
    require(!pack.title.empty(), "an accepted pack has a title");
    require(!pack.prompts.empty(), "an accepted pack has prompts");
    std::set<std::string> ids;
    for (const auto& p : pack.prompts) {
        require(duet::prompts::is_valid_name(p.id), "prompt ids are [a-z0-9-]+");
        require(ids.insert(p.id).second, "prompt ids are unique");
        require(!p.text.empty(), "every prompt has text");
        require(p.kind != Kind::scale || p.scale_min < p.scale_max, "scales have A < B");
        require(p.kind != Kind::choice || p.options.size() >= 2, "choices have two options");
        require(pack.find(p.id) == &p, "find() returns the prompt with that id");
    }
}

// The day and the answer both come from the input, so the fuzzer steers them too.
duet::util::DayNumber day_from(std::string_view input) {
    std::int64_t day = 0;
    std::memcpy(&day, input.data(), std::min(input.size(), sizeof day));
    return day;
}

void check_answers(const duet::prompts::Prompt& prompt, std::string_view input) {
    using duet::prompts::Kind;
    (void)duet::prompts::answer_hint(prompt);
    const auto checked = duet::prompts::check_answer(prompt, input);
    const auto* answer = std::get_if<duet::prompts::Answer>(&checked);
    if (answer == nullptr) {
        require(!std::get<std::string>(checked).empty(), "a refusal says what would fit");
        return;
    }
    switch (prompt.kind) {
    case Kind::scale:
        require(answer->value && *answer->value >= prompt.scale_min &&
                    *answer->value <= prompt.scale_max,
                "a scale answer is in range");
        break;
    case Kind::choice:
        require(answer->value && *answer->value >= 1 &&
                    static_cast<std::size_t>(*answer->value) <= prompt.options.size() &&
                    answer->text == prompt.options[static_cast<std::size_t>(*answer->value - 1)],
                "a choice answer names one of the options");
        break;
    case Kind::text:
        require(!answer->value && !answer->text.empty(), "a text answer has text");
        break;
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    duet::crypto::init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view input = duet::fuzz::as_text(data, size);
    const auto result = duet::prompts::parse_pack(input, "fuzz.prompts");
    require(result.pack.has_value() == result.problems.empty(),
            "a pack is returned exactly when there are no problems");
    for (const auto& problem : result.problems) {
        require(!problem.to_string().empty(), "every problem has a message");
    }
    if (!result.pack) {
        return 0;
    }
    const auto& pack = *result.pack;
    check_pack(pack);

    const auto order = duet::prompts::daily_order(pack);
    std::vector<std::size_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        require(sorted[i] == i, "daily_order is a permutation of the prompts");
    }
    require(sorted.size() == pack.prompts.size(), "daily_order covers every prompt");

    const duet::prompts::Prompt& today = duet::prompts::daily_prompt(pack, day_from(input));
    require(&today >= pack.prompts.data() && &today < pack.prompts.data() + pack.prompts.size(),
            "daily_prompt returns one of the pack's prompts");

    // Answers: the input's last line, and its last few bytes (a bare number, say).
    const auto newline = input.rfind('\n');
    const std::string_view answer =
        newline == std::string_view::npos ? input : input.substr(newline + 1);
    const std::string_view tail =
        input.substr(input.size() - std::min<std::size_t>(input.size(), 3));
    for (const auto& prompt : pack.prompts) {
        check_answers(prompt, answer);
        check_answers(prompt, tail);
    }
    return 0;
}
