#pragma once
// Day One's entry text as plain words: its Markdown "text", or the "richText"
// document (JSON inside a string) newer exports may give instead.
#include <optional>
#include <string>
#include <string_view>

namespace duet::transfer {

struct DayOneText {
    std::string text;
    // Anything besides media placeholders and blank space.
    bool has_words = false;
};

// Day One's Markdown, read as text: a media placeholder such as
// "![](dayone-moment://ID)" becomes "[photo]" ("[video]", "[audio]", "[PDF]",
// "[attachment]"), and backslash escapes ("\." for ".") lose their backslash,
// except inside `code`.
DayOneText dayone_markdown_text(std::string_view markdown);

// The words of a "richText" document, with "[photo]" and the like on their
// own line for embedded media; nullopt if it is not one.
std::optional<DayOneText> dayone_rich_text(std::string_view rich);

} // namespace duet::transfer
