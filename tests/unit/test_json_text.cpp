#include "duet/util/json_text.hpp"

#include "duet/report/writer.hpp"
#include "duet/util/dates.hpp"
#include "duet/util/text.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace duet;

namespace {

constexpr std::string_view k_fffd = "\xEF\xBF\xBD";

// What nlohmann writes for a string: the behaviour append_json_string must reproduce.
std::string nlohmann_quoted(const std::string& text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string json_quoted(std::string_view text) {
    std::string out;
    util::append_json_string(out, text);
    return out;
}

// Valid JSON text is valid UTF-8: nlohmann's parser rejects anything else.
bool parses_as_json_string(const std::string& json) {
    try {
        return nlohmann::json::parse(json).is_string();
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Seeded, so a failure reproduces; the pieces are chosen to hit every escaping rule and
// every UTF-8 sequence length, and with invalid = true also broken sequences and stray bytes.
class TextGenerator {
  public:
    explicit TextGenerator(std::uint64_t seed) : m_rng(seed) {}

    std::string text(bool invalid) {
        std::string out;
        const std::size_t pieces = pick(0, 40);
        for (std::size_t i = 0; i < pieces; ++i) {
            append_piece(out, invalid);
        }
        return out;
    }

    std::uint64_t number(std::uint64_t low, std::uint64_t high) { return pick(low, high); }

  private:
    std::uint64_t pick(std::uint64_t low, std::uint64_t high) {
        return std::uniform_int_distribution<std::uint64_t>(low, high)(m_rng);
    }

    std::uint32_t code_point(std::uint32_t low, std::uint32_t high) {
        return static_cast<std::uint32_t>(pick(low, high));
    }

    void append_piece(std::string& out, bool invalid) {
        switch (pick(0, invalid ? 10 : 7)) {
        case 0: // a run of ordinary ASCII, DEL included
            for (std::size_t n = pick(1, 12); n > 0; --n) {
                out += static_cast<char>(pick(0x20, 0x7F));
            }
            break;
        case 1:
            out += static_cast<char>(pick(0x00, 0x1F));
            break;
        case 2:
            out += std::array{'"', '\\', '/', '\n', '\t'}[pick(0, 4)];
            break;
        case 3:
            append_utf8(out, code_point(0x80, 0x7FF));
            break;
        case 4: // three bytes, either side of the surrogates
            append_utf8(out,
                        pick(0, 1) == 0 ? code_point(0x800, 0xD7FF) : code_point(0xE000, 0xFFFF));
            break;
        case 5:
            append_utf8(out, code_point(0x10000, 0x10FFFF));
            break;
        case 6: // the edges of each range
            append_utf8(out, std::array<std::uint32_t, 10>{0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000,
                                                           0xFFFD, 0xFFFF, 0x10000,
                                                           0x10FFFF}[pick(0, 9)]);
            break;
        case 7:
            out += "\xF0\x9F\x98\x80"; // an emoji
            break;
        case 8: // any byte at all
            out += static_cast<char>(pick(0x80, 0xFF));
            break;
        case 9: { // a valid sequence cut short
            std::string whole;
            append_utf8(whole, code_point(0x80, 0x10FFFF));
            out += whole.substr(0, pick(1, whole.size() - 1));
            break;
        }
        case 10: // overlong, surrogate or past U+10FFFF
            out += std::array<std::string_view, 6>{
                "\xC0\x80",     "\xC1\xBF",         "\xE0\x80\x80",
                "\xED\xA0\x80", "\xF0\x80\x80\x80", "\xF4\x90\x80\x80"}[pick(0, 5)];
            break;
        default:
            break;
        }
    }

    std::mt19937_64 m_rng;
};

// The ordered_json implementation entry_json replaced, kept as the oracle: the export
// format must not change.
std::string reference_entry_json(const store::Entry& e) {
    nlohmann::ordered_json j;
    j["id"] = e.id;
    j["created_at"] = util::format_iso8601(e.created_at);
    j["day"] = util::format_day(e.day);
    j["pack"] = e.pack;
    j["prompt_id"] = e.prompt_id;
    j["prompt"] = e.prompt_text;
    j["kind"] = e.kind;
    j["answer"] = e.answer && !e.skipped ? nlohmann::ordered_json(*e.answer) : nullptr;
    if (e.value && !e.skipped) {
        j["value"] = *e.value;
    }
    if (e.kind == "scale") {
        j["scale"] = {{"min", e.scale_min}, {"max", e.scale_max}};
    }
    j["skipped"] = e.skipped;
    j["for_session"] = e.for_session;
    j["together"] = e.together;
    j["imported"] = e.imported;
    j["author"] = e.author == store::Author::me ? "me" : "partner";
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

store::Entry base_entry(std::int64_t id, std::string kind) {
    store::Entry e;
    e.id = id;
    e.day = util::days_from_civil(2026, 11, 26);
    e.created_at = {e.day * 86400 + 8 * 3600 + 12 * 60 + 3, 3600};
    e.pack = "core";
    e.prompt_id = "mood";
    e.prompt_text = "How light did today feel?";
    e.kind = std::move(kind);
    return e;
}

std::vector<store::Entry> sample_entries() {
    std::vector<store::Entry> entries;

    store::Entry skipped = base_entry(1, "text");
    skipped.skipped = true;
    skipped.for_session = true;
    entries.push_back(skipped);

    store::Entry skipped_with_leftovers = base_entry(2, "scale");
    skipped_with_leftovers.skipped = true;
    skipped_with_leftovers.answer = "3";
    skipped_with_leftovers.value = 3;
    skipped_with_leftovers.scale_min = 1;
    skipped_with_leftovers.scale_max = 5;
    entries.push_back(skipped_with_leftovers);

    store::Entry scale = base_entry(3, "scale");
    scale.answer = "-2";
    scale.value = -2;
    scale.scale_min = -5;
    scale.scale_max = 5;
    entries.push_back(scale);

    store::Entry choice = base_entry(4, "choice");
    choice.prompt_text = "How shall we talk tonight?";
    choice.answer = "talk a little";
    choice.value = 2;
    choice.together = true;
    entries.push_back(choice);

    store::Entry partner = base_entry(5, "text");
    partner.author = store::Author::partner;
    partner.imported = true;
    partner.created_at = {partner.day * 86400 - 3600, -5 * 3600 - 1800};
    partner.answer = "the long walk";
    entries.push_back(partner);

    store::Entry text = base_entry(std::numeric_limits<std::int64_t>::max(), "text");
    text.pack = "pack \"quoted\"";
    text.prompt_text = "Line one\nline two\ttabbed \\ back\r\n";
    text.answer = "She said \"yes\" 🎉\nthen \x01\x1f\x7f and </script> ü 中文 😀";
    entries.push_back(text);

    store::Entry answered_without_text = base_entry(7, "text");
    answered_without_text.answer = std::nullopt;
    entries.push_back(answered_without_text);

    store::Entry empty_answer = base_entry(8, "text");
    empty_answer.answer = "";
    entries.push_back(empty_answer);
    return entries;
}

store::Entry random_entry(TextGenerator& gen, bool invalid) {
    static const std::array<std::string, 4> k_kinds = {"text", "scale", "choice", "other"};
    store::Entry e;
    e.id = static_cast<std::int64_t>(gen.number(0, std::numeric_limits<std::int64_t>::max()));
    e.created_at = {static_cast<std::int64_t>(gen.number(0, 4'000'000'000)),
                    static_cast<std::int32_t>(gen.number(0, 112)) * 900 - 14 * 3600};
    e.day = static_cast<util::DayNumber>(gen.number(0, 50'000));
    e.pack = gen.text(invalid);
    e.prompt_id = gen.text(invalid);
    e.prompt_text = gen.text(invalid);
    e.kind = k_kinds[gen.number(0, k_kinds.size() - 1)];
    if (gen.number(0, 3) != 0) {
        e.answer = gen.text(invalid);
    }
    if (gen.number(0, 1) != 0) {
        e.value = static_cast<int>(gen.number(0, 2'000'000)) - 1'000'000;
    }
    e.scale_min = static_cast<int>(gen.number(0, 20)) - 10;
    e.scale_max = static_cast<int>(gen.number(0, 20));
    e.skipped = gen.number(0, 4) == 0;
    e.for_session = gen.number(0, 1) != 0;
    e.together = gen.number(0, 1) != 0;
    e.imported = gen.number(0, 1) != 0;
    e.author = gen.number(0, 1) != 0 ? store::Author::me : store::Author::partner;
    return e;
}

std::string json_export(const std::vector<store::Entry>& entries) {
    std::ostringstream out;
    auto writer = report::make_writer(report::Format::json, out, {});
    writer->begin();
    for (const auto& e : entries) {
        writer->write(e);
    }
    writer->end();
    return out.str();
}

} // namespace

TEST_CASE("util::append_json_string") {
    SUBCASE("escapes what JSON requires and nothing else") {
        CHECK(json_quoted("") == R"("")");
        CHECK(json_quoted("plain text / slash") == R"("plain text / slash")");
        CHECK(json_quoted("say \"hi\" \\ bye") == R"("say \"hi\" \\ bye")");
        CHECK(json_quoted("\b\f\n\r\t") == R"("\b\f\n\r\t")");
        CHECK(json_quoted(std::string_view("\0\x01\x0b\x1f", 4)) ==
              R"("\u0000\u0001\u000b\u001f")");
        CHECK(json_quoted("\x7f") == "\"\x7f\"");
        CHECK(json_quoted("ü 中文 😀") == "\"ü 中文 😀\"");
    }

    SUBCASE("appends to what is already there") {
        std::string out = "[";
        util::append_json_string(out, "a");
        out += ',';
        util::append_json_string(out, "b\n");
        CHECK(out == R"(["a","b\n")");
    }

    SUBCASE("every control character is written as nlohmann writes it") {
        for (int c = 0; c < 0x80; ++c) {
            const std::string text(1, static_cast<char>(c));
            CAPTURE(c);
            CHECK(json_quoted(text) == nlohmann_quoted(text));
        }
    }

    SUBCASE("matches nlohmann on random valid UTF-8") {
        TextGenerator gen(20261126);
        std::array<bool, 0x20> seen_control{};
        std::array<bool, 5> seen_length{};
        for (int i = 0; i < 20'000; ++i) {
            const std::string text = gen.text(false);
            REQUIRE(util::is_valid_utf8(text));
            for (std::size_t k = 0; k < text.size(); ++k) {
                const auto b = static_cast<unsigned char>(text[k]);
                if (b < 0x20) {
                    seen_control[b] = true;
                }
                // A lead byte's top bits give the sequence length.
                seen_length[b < 0x80    ? 1
                            : b >= 0xF0 ? 4
                            : b >= 0xE0 ? 3
                            : b >= 0xC0 ? 2
                                        : 0] = true;
            }
            CAPTURE(text);
            REQUIRE(json_quoted(text) == nlohmann_quoted(text));
        }
        // The comparison above proves little unless the generator really covered the ground.
        for (bool seen : seen_control) {
            CHECK(seen);
        }
        CHECK((seen_length[1] && seen_length[2] && seen_length[3] && seen_length[4]));
    }

    SUBCASE("matches nlohmann on random invalid UTF-8, and stays valid") {
        TextGenerator gen(7);
        int invalid_count = 0;
        for (int i = 0; i < 20'000; ++i) {
            const std::string text = gen.text(true);
            invalid_count += util::is_valid_utf8(text) ? 0 : 1;
            const std::string out = json_quoted(text);
            CAPTURE(text);
            REQUIRE(out == nlohmann_quoted(text));
            REQUIRE(parses_as_json_string(out));
        }
        CHECK(invalid_count > 10'000);
    }
}

TEST_CASE("util::append_json_string replaces invalid UTF-8") {
    struct Case {
        const char* name;
        std::string_view input;
        std::string expected; // the JSON text, quotes included
    };
    const std::string r(k_fffd);
    // One U+FFFD per maximal subpart: a byte that cannot continue a sequence starts afresh.
    const std::vector<Case> cases = {
        {"lone continuation byte", "a\x80z", "\"a" + r + "z\""},
        {"two continuation bytes", "\x80\xBF", "\"" + r + r + "\""},
        {"2-byte cut at the end", "ab\xC3", "\"ab" + r + "\""},
        {"2-byte cut mid-string", "a\xC3z", "\"a" + r + "z\""},
        {"3-byte cut at the end", "a\xE2\x82", "\"a" + r + "\""},
        {"3-byte cut mid-string", "\xE2\x82z", "\"" + r + "z\""},
        {"3-byte lead alone", "\xE2z", "\"" + r + "z\""},
        {"4-byte cut at the end", "x\xF0\x9F\x98", "\"x" + r + "\""},
        {"4-byte cut mid-string", "\xF0\x9F\x98 ok", "\"" + r + " ok\""},
        {"overlong C0 80", "a\xC0\x80z", "\"a" + r + r + "z\""},
        {"overlong E0 80 80", "\xE0\x80\x80", "\"" + r + r + r + "\""},
        {"overlong F0 80 80 80", "\xF0\x80\x80\x80", "\"" + r + r + r + r + "\""},
        {"surrogate ED A0 80", "\xED\xA0\x80", "\"" + r + r + r + "\""},
        {"past U+10FFFF", "\xF4\x90\x80\x80", "\"" + r + r + r + r + "\""},
        {"byte FF", "a\xFFz", "\"a" + r + "z\""},
        {"byte F5", "\xF5\x80", "\"" + r + r + "\""},
        {"valid around invalid", "\xC3\xA9\xFF\xC3\xA9", "\"\xC3\xA9" + r + "\xC3\xA9\""},
        {"cut short by a quote", "\xE2\x82\"", "\"" + r + "\\\"\""},
        {"cut short by a newline", "\xF0\x9F\n", "\"" + r + "\\n\""},
        {"cut short by a valid sequence", "\xE2\xC3\xA9", "\"" + r + "\xC3\xA9\""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        const std::string out = json_quoted(c.input);
        CHECK(out == c.expected);
        CHECK(parses_as_json_string(out));
        CHECK(out == nlohmann_quoted(std::string(c.input)));
    }
}

TEST_CASE("util::append_json_int") {
    for (const std::int64_t value :
         {std::int64_t{0}, std::int64_t{-1}, std::int64_t{42},
          std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
        std::string out = "n=";
        util::append_json_int(out, value);
        CHECK(out == "n=" + nlohmann::json(value).dump());
    }
}

TEST_CASE("report::entry_json matches the ordered_json export") {
    SUBCASE("sample entries") {
        for (const auto& e : sample_entries()) {
            CAPTURE(e.id);
            CHECK(report::entry_json(e) == reference_entry_json(e));
        }
        // Spot-check the oracle itself, so a shared mistake cannot pass unnoticed.
        CHECK(report::entry_json(sample_entries()[2]) ==
              R"({"id":3,"created_at":"2026-11-26T09:12:03+01:00","day":"2026-11-26",)"
              R"("pack":"core","prompt_id":"mood","prompt":"How light did today feel?",)"
              R"("kind":"scale","answer":"-2","value":-2,"scale":{"min":-5,"max":5},)"
              R"("skipped":false,"for_session":false,"together":false,"imported":false,)"
              R"("author":"me"})");
    }

    SUBCASE("random entries, valid and invalid UTF-8") {
        TextGenerator gen(99);
        for (int i = 0; i < 5'000; ++i) {
            const store::Entry e = random_entry(gen, i % 2 == 1);
            const std::string out = report::entry_json(e);
            CAPTURE(out);
            REQUIRE(out == reference_entry_json(e));
        }
    }

    SUBCASE("the json writer joins entries as before") {
        TextGenerator gen(5);
        std::vector<store::Entry> entries = sample_entries();
        for (int i = 0; i < 200; ++i) {
            entries.push_back(random_entry(gen, i % 3 == 0));
        }
        std::string expected = R"({"format":"duet-export","version":1,"entries":[)";
        for (std::size_t i = 0; i < entries.size(); ++i) {
            expected += (i == 0 ? "\n" : ",\n") + reference_entry_json(entries[i]);
        }
        expected += "\n]}\n";
        const std::string out = json_export(entries);
        CHECK(out == expected);
        CHECK(nlohmann::json::parse(out)["entries"].size() == entries.size());
        CHECK(json_export({}) == "{\"format\":\"duet-export\",\"version\":1,\"entries\":[]}\n");
    }
}
