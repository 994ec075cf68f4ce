#include "duet/prompts/today.hpp"

#include "duet/prompts/library.hpp"

#include <set>
#include <string>

namespace duet::prompts {

std::vector<const Prompt*> todays_prompts(const Pack& pack, util::DayNumber day,
                                          const std::vector<store::Entry>& done_today) {
    std::set<std::string> done;
    for (const store::Entry& e : done_today) {
        if (e.pack == pack.name && e.day == day) {
            done.insert(e.prompt_id);
        }
    }
    std::vector<const Prompt*> out;
    if (pack.order == Order::daily) {
        const Prompt& p = daily_prompt(pack, day);
        if (!done.contains(p.id)) {
            out.push_back(&p);
        }
        return out;
    }
    for (const Prompt& p : pack.prompts) {
        if (!done.contains(p.id)) {
            out.push_back(&p);
        }
    }
    return out;
}

store::Entry make_entry(const Pack& pack, const Prompt& prompt, util::DayNumber day,
                        const std::optional<Answer>& answer, bool for_session) {
    store::Entry e;
    e.created_at = util::now();
    e.day = day;
    e.pack = pack.name;
    e.prompt_id = prompt.id;
    e.prompt_text = prompt.text;
    e.kind = std::string(kind_name(prompt.kind));
    if (prompt.kind == Kind::scale) {
        e.scale_min = prompt.scale_min;
        e.scale_max = prompt.scale_max;
    }
    e.for_session = for_session;
    if (answer) {
        e.answer = answer->text;
        e.value = answer->value;
    } else {
        e.skipped = true;
    }
    return e;
}

} // namespace duet::prompts
