#include "duet/error.hpp"
#include "duet/report/writer.hpp"
#include "duet/transfer/dayone.hpp"
#include "duet/transfer/import.hpp"
#include "duet/transfer/zones.hpp"
#include "duet/util/dates.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace duet;
using transfer::ImportBatch;
using transfer::ImportFormat;

namespace {

const std::filesystem::path k_data = std::filesystem::path(DUET_TEST_DATA_DIR) / "import";

// Central European time without needing tzdata: +01:00 in winter, +02:00 in summer.
class ZoneGuard {
  public:
    explicit ZoneGuard(const char* tz = "CET-1CEST,M3.5.0,M10.5.0/3") {
        if (const char* old = std::getenv("TZ")) {
            m_old = old;
        }
        ::setenv("TZ", tz, 1);
        ::tzset();
    }
    ~ZoneGuard() {
        if (m_old) {
            ::setenv("TZ", m_old->c_str(), 1);
        } else {
            ::unsetenv("TZ");
        }
        ::tzset();
    }
    ZoneGuard(const ZoneGuard&) = delete;
    ZoneGuard& operator=(const ZoneGuard&) = delete;

  private:
    std::optional<std::string> m_old;
};

ImportBatch sample(const char* name) {
    return transfer::read_import(k_data / name);
}

std::string iso(const store::Entry& e) {
    return util::format_iso8601(e.created_at);
}

// The message of the DataError the text raises ("" when it raises none).
std::string rejection(std::string_view text, std::string_view name = "x.json") {
    try {
        transfer::parse_import(text, name);
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

} // namespace

TEST_CASE("transfer::detect_format") {
    const auto detect = [](std::string_view text) {
        return transfer::detect_format(nlohmann::json::parse(text), "f.json");
    };
    SUBCASE("each format from its content") {
        CHECK(detect(R"({"format":"duet-export","version":1,"entries":[]})") == ImportFormat::duet);
        CHECK(detect(R"({"tags":{},"entries":[]})") == ImportFormat::jrnl);
        CHECK(detect(R"({"metadata":{"version":"1.0"},"entries":[]})") == ImportFormat::dayone);
        CHECK(sample("jrnl.json").format == ImportFormat::jrnl);
        CHECK(sample("dayone.json").format == ImportFormat::dayone);
        CHECK(sample("duet.json").format == ImportFormat::duet);
    }
    SUBCASE("anything else names the file and the formats duet reads") {
        for (const char* text :
             {"[]", "{}", "42", R"({"entries":[]})", R"({"tags":[],"entries":[]})",
              R"({"metadata":{},"entries":[]})", R"({"format":"other","tags":{},"entries":[]})"}) {
            CAPTURE(text);
            const std::string why = rejection(text, "notes.json");
            CHECK(why.find("notes.json is not an export duet can import") != std::string::npos);
            CHECK(why.find("jrnl") != std::string::npos);
            CHECK(why.find("Day One") != std::string::npos);
        }
        CHECK(rejection(R"({"format":"duet-export","version":1})").find("no \"entries\"") !=
              std::string::npos);
    }
    SUBCASE("names") {
        CHECK(transfer::format_id(ImportFormat::dayone) == "dayone");
        CHECK(transfer::format_title(ImportFormat::dayone) == "Day One");
        CHECK(transfer::format_title(ImportFormat::jrnl) == "jrnl");
    }
}

TEST_CASE("transfer::convert jrnl") {
    const ZoneGuard zone;
    const ImportBatch batch = sample("jrnl.json");
    REQUIRE(batch.entries.size() == 2);
    CHECK(batch.empty_entries == 1);
    CHECK(batch.partner_entries == 0);

    SUBCASE("title stands for the prompt; a lone title is the answer") {
        const store::Entry& walk = batch.entries[0].entry;
        CHECK(walk.prompt_text == "Long walk by the river with @walk today.");
        CHECK(walk.answer == "We talked about the summer and\nwho we want to visit.");
        const store::Entry& breakfast = batch.entries[1].entry;
        CHECK(breakfast.prompt_text == "Imported from jrnl");
        CHECK(breakfast.answer == "Quiet breakfast, café au lait on the balcony.");
        for (const auto& item : batch.entries) {
            CHECK(item.entry.pack == "imported");
            CHECK(item.entry.prompt_id == "jrnl");
            CHECK(item.entry.kind == "text");
            CHECK(item.entry.imported);
            CHECK(item.entry.source == "jrnl");
            CHECK_FALSE(item.entry.skipped);
            CHECK_FALSE(item.entry.for_session);
        }
    }
    SUBCASE("dates are local wall-clock time on the given day") {
        CHECK(iso(batch.entries[0].entry) == "2024-01-05T20:14:00+01:00");
        CHECK(batch.entries[0].entry.day == util::parse_day("2024-01-05"));
        CHECK(iso(batch.entries[1].entry) == "2024-07-14T08:30:00+02:00");
        CHECK(batch.entries[1].entry.day == util::parse_day("2024-07-14"));
    }
    SUBCASE("identities are stable, distinct and reveal nothing") {
        const ImportBatch again = sample("jrnl.json");
        CHECK(again.entries[0].identity == batch.entries[0].identity);
        CHECK(again.entries[1].identity == batch.entries[1].identity);
        CHECK(batch.entries[0].identity != batch.entries[1].identity);
        CHECK(batch.entries[0].identity.rfind("jrnl:", 0) == 0);
        CHECK(batch.entries[0].identity.size() == 5 + 64);
        CHECK(batch.entries[0].identity.find("walk") == std::string::npos);
    }
    SUBCASE("seconds in the time, and order by date") {
        const ImportBatch b = transfer::parse_import(
            R"({"tags":{},"entries":[
              {"title":"Later.","body":"","date":"2024-03-02","time":"10:00:30"},
              {"title":"Earlier.","body":"","date":"2024-03-01","time":"23:59"}]})",
            "j.json");
        REQUIRE(b.entries.size() == 2);
        CHECK(b.entries[0].entry.answer == "Earlier.");
        CHECK(iso(b.entries[1].entry) == "2024-03-02T10:00:30+01:00");
    }
}

TEST_CASE("transfer::convert dayone") {
    const ZoneGuard zone;
    const ImportBatch batch = sample("dayone.json");
    REQUIRE(batch.entries.size() == 2);
    CHECK(batch.empty_entries == 1);

    const store::Entry& cooking = batch.entries[0].entry;
    CHECK(cooking.answer ==
          "We cooked together and the kitchen smelled of cardamom.\n\nTags: home, us");
    CHECK(cooking.prompt_text == "Imported from Day One");
    CHECK(cooking.pack == "imported");
    CHECK(cooking.prompt_id == "dayone");
    CHECK(cooking.source == "dayone");
    CHECK(cooking.imported);
    CHECK(batch.entries[0].identity == "dayone:A1B2C3D4E5F60718293A4B5C6D7E8F90");

    SUBCASE("the UTC instant is kept and shown on the writer's clock") {
        CHECK(cooking.created_at.seconds == util::parse_iso8601("2024-01-05T20:14:03Z")->seconds);
        CHECK(iso(cooking) == "2024-01-05T21:14:03+01:00");
        const store::Entry& train = batch.entries[1].entry;
        // 22:30 UTC is half past midnight in Berlin's summer: the next local day.
        CHECK(iso(train) == "2024-07-01T00:30:00+02:00");
        CHECK(train.day == util::parse_day("2024-07-01"));
        CHECK(train.answer == "Late train home; she fell asleep on my shoulder.\n\nA good day.");
    }
    SUBCASE("in another zone the same instant, and still the writer's clock") {
        const ZoneGuard utc("UTC0");
        const ImportBatch b = sample("dayone.json");
        CHECK(iso(b.entries[1].entry) == "2024-07-01T00:30:00+02:00");
        CHECK(b.entries[1].entry.day == util::parse_day("2024-07-01"));
        CHECK(b.entries[1].identity == batch.entries[1].identity);
    }
}

TEST_CASE("transfer::convert duet") {
    const ImportBatch batch = sample("duet.json");
    REQUIRE(batch.entries.size() == 4);
    CHECK(batch.partner_entries == 1);

    SUBCASE("fields as written by review --format json") {
        const store::Entry& text = batch.entries[0].entry;
        CHECK(text.pack == "daily");
        CHECK(text.prompt_id == "noticed");
        CHECK(text.answer == "You fixed the bike light \"without\" being asked.");
        CHECK(text.for_session);
        CHECK(text.imported);
        CHECK(text.source == "duet");
        CHECK(iso(text) == "2025-03-02T21:05:10+01:00");
        CHECK(text.day == util::parse_day("2025-03-02"));
        const store::Entry& scale = batch.entries[1].entry;
        CHECK(scale.kind == "scale");
        CHECK(scale.value == 4);
        CHECK(scale.scale_min == 1);
        CHECK(scale.scale_max == 5);
        const store::Entry& choice = batch.entries[2].entry;
        CHECK(choice.answer == "sit together quietly");
        CHECK(choice.value == 2);
        CHECK_FALSE(choice.together); // importing never shares
        const store::Entry& skip = batch.entries[3].entry;
        CHECK(skip.skipped);
        CHECK_FALSE(skip.answer);
        CHECK_FALSE(skip.value);
    }
    SUBCASE("identity is the same as for the entry in the journal it came from") {
        for (const auto& item : batch.entries) {
            CHECK(item.identity.rfind("duet:", 0) == 0);
            store::Entry original = item.entry;
            original.id = 42;
            original.imported = false;
            original.source.clear();
            original.for_session = !original.for_session;
            CHECK(store::content_identity(original) == item.identity);
        }
        store::Entry changed = batch.entries[0].entry;
        changed.answer = "Something else.";
        CHECK(store::content_identity(changed) != batch.entries[0].identity);
    }
    SUBCASE("a round trip through the JSON writer keeps every field") {
        std::ostringstream out;
        auto writer = report::make_writer(report::Format::json, out, {});
        writer->begin();
        for (const auto& item : batch.entries) {
            writer->write(item.entry);
        }
        writer->end();
        const ImportBatch back = transfer::parse_import(out.str(), "export.json");
        REQUIRE(back.entries.size() == batch.entries.size());
        for (std::size_t i = 0; i < back.entries.size(); ++i) {
            const store::Entry& a = batch.entries[i].entry;
            const store::Entry& b = back.entries[i].entry;
            CHECK(b.answer == a.answer);
            CHECK(b.value == a.value);
            CHECK(b.kind == a.kind);
            CHECK(b.prompt_text == a.prompt_text);
            CHECK(b.skipped == a.skipped);
            CHECK(b.for_session == a.for_session);
            CHECK(b.created_at.seconds == a.created_at.seconds);
            CHECK(b.created_at.utc_offset == a.created_at.utc_offset);
            CHECK(b.day == a.day);
            CHECK(back.entries[i].identity == batch.entries[i].identity);
        }
    }
    SUBCASE("an empty export imports nothing") {
        const ImportBatch empty =
            transfer::parse_import(R"({"format":"duet-export","version":1,"entries":[]})", "e");
        CHECK(empty.entries.empty());
    }
}

TEST_CASE("transfer::errors") {
    SUBCASE("every malformed sample is refused with the entry it is about") {
        const std::string manifest = util::read_file(k_data / "bad" / "EXPECTED");
        int checked = 0;
        for (const std::string& line : util::split(manifest, '\n')) {
            if (line.empty() || line[0] == '#') {
                continue;
            }
            const auto tab = line.find('\t');
            REQUIRE(tab != std::string::npos);
            const std::filesystem::path file = k_data / "bad" / line.substr(0, tab);
            const std::string expect = line.substr(tab + 1);
            CAPTURE(file);
            std::string why;
            try {
                transfer::read_import(file);
            } catch (const DataError& e) {
                why = e.what();
                CHECK(e.code() == ExitCode::invalid_data);
            }
            CHECK(why.rfind(file.string(), 0) == 0);
            CHECK(why.find(expect) != std::string::npos);
            CHECK(util::is_valid_utf8(why));
            ++checked;
        }
        CHECK(checked >= 20);
    }
    SUBCASE("wrong types and missing fields name the field and the entry") {
        const auto jrnl = [](std::string_view entry) {
            return rejection(R"({"tags":{},"entries":[{"title":"Fine.","body":"","date":)"
                             R"("2024-01-01","time":"10:00"},)" +
                             std::string(entry) + "]}");
        };
        CHECK(jrnl(R"({"title":"T","body":"B","date":"2024-01-01"})") ==
              "x.json: entry 2: \"time\" is missing");
        CHECK(jrnl(R"({"title":"T","body":null,"date":"2024-01-01","time":"10:00"})") ==
              "x.json: entry 2: \"body\" should be text, not null");
        CHECK(jrnl(R"({"title":"T","body":"","date":"01/02/2024","time":"10:00"})")
                  .find("entry 2: \"date\" should be a day like 2024-01-05, not \"01/02/2024\"") !=
              std::string::npos);
        CHECK(jrnl(R"({"title":"T","body":"","date":"2024-01-01","time":"10:00","starred":1})") ==
              "x.json: entry 2: \"starred\" should be true or false, not number");
        CHECK(jrnl(R"({"title":"T","body":"","date":"2024-01-01","time":"1000"})")
                  .find("entry 2: \"time\"") != std::string::npos);
        CHECK(jrnl(R"("just text")") == "x.json: entry 2: should be an object, not string");
    }
    SUBCASE("invalid UTF-8, also behind escapes, names the entry") {
        const std::string raw =
            "{\"tags\":{},\"entries\":[{\"title\":\"ok\",\"body\":\"\",\"date\":"
            "\"2024-01-01\",\"time\":\"10:00\"},{\"title\":\"\xff\"}]}";
        CHECK(rejection(raw).find("x.json: entry 2: not valid JSON") == 0);
        const std::string surrogate =
            R"({"metadata":{"version":"1"},"entries":[{"text":"\ud800"}]})";
        CHECK(rejection(surrogate).find("x.json: entry 1: not valid JSON") == 0);
        // The bytes of a broken entry are not echoed back.
        CHECK(util::is_valid_utf8(rejection(raw)));
    }
    SUBCASE("a syntax error outside the entries names only the file") {
        CHECK(rejection(R"({"tags":{,"entries":[]})").find("x.json: not valid JSON") == 0);
    }
    SUBCASE("nesting is limited, wherever it is") {
        const std::string deep = std::string(500, '[') + std::string(500, ']');
        CHECK(rejection(deep).find("nested more than") != std::string::npos);
        const std::string inside = R"({"metadata":{"version":"1"},"entries":[{"x":)" +
                                   std::string(100, '[') + std::string(100, ']') + "}]}";
        CHECK(rejection(inside).find("x.json: entry 1: nested more than") == 0);
    }
    SUBCASE("over-long fields and out-of-range numbers") {
        const std::string big(transfer::k_max_text_size + 1, 'a');
        CHECK(rejection(R"({"metadata":{"version":"1"},"entries":[{"uuid":"A","creationDate":)"
                        R"("2024-01-01T00:00:00Z","text":")" +
                        big + "\"}]}")
                  .find("entry 1: \"text\" is over 1 MiB") != std::string::npos);
        CHECK(rejection(R"({"format":"duet-export","version":1,"entries":[{"created_at":)"
                        R"("2025-01-01T10:00:00Z","pack":"p","prompt_id":"q","prompt":"?",)"
                        R"("kind":"choice","answer":"a","value":99999999999,"skipped":false,)"
                        R"("for_session":false,"author":"me"}]})")
                  .find("entry 1: \"value\" should be a whole number") != std::string::npos);
    }
    SUBCASE("a missing file is not a data error") {
        CHECK_THROWS_AS(transfer::read_import(k_data / "no-such.json"), RuntimeError);
    }
}

namespace {

// A jrnl record; title and body are JSON string literals, written as they should appear.
std::string jrnl_record(std::string_view title, std::string_view date,
                        std::string_view time = "10:00", std::string_view body = R"("")") {
    return std::string(R"({"title":)") + std::string(title) + R"(,"body":)" + std::string(body) +
           R"(,"date":")" + std::string(date) + R"(","time":")" + std::string(time) + R"("})";
}

std::string duet_record(std::string_view created_at, std::string_view answer) {
    return std::string(R"({"created_at":")") + std::string(created_at) +
           R"(","pack":"daily","prompt_id":"q","prompt":"?","kind":"text","answer":)" +
           nlohmann::json(answer).dump() + R"(,"skipped":false,"for_session":false,"author":"me"})";
}

std::string joined(const std::vector<std::string>& records, std::string_view between = ",") {
    std::string out;
    for (const std::string& r : records) {
        if (!out.empty()) {
            out += between;
        }
        out += r;
    }
    return out;
}

std::vector<std::string> answers(const ImportBatch& batch) {
    std::vector<std::string> out;
    for (const auto& item : batch.entries) {
        out.push_back(item.entry.answer.value_or(""));
    }
    return out;
}

} // namespace

TEST_CASE("transfer::CheckedImport format members after the entries") {
    const std::string jrnl = jrnl_record(R"("After.")", "2024-01-02");
    const std::string duet = duet_record("2025-01-01T10:00:00Z", "tea");
    SUBCASE("each format, told only at the end of the file") {
        const ImportBatch j =
            transfer::parse_import(R"({"entries":[)" + jrnl + R"(],"tags":{}})", "j");
        CHECK(j.format == ImportFormat::jrnl);
        CHECK(answers(j) == std::vector<std::string>{"After."});
        const ImportBatch d = transfer::parse_import(
            R"({"entries":[)" + duet + R"(],"format":"duet-export","version":1})", "d");
        CHECK(d.format == ImportFormat::duet);
        CHECK(answers(d) == std::vector<std::string>{"tea"});
        const ImportBatch v = transfer::parse_import(
            R"({"format":"duet-export","entries":[)" + duet + R"(],"version":1})", "v");
        CHECK(answers(v) == std::vector<std::string>{"tea"});
        const ImportBatch o = transfer::parse_import(
            R"({"entries":[{"uuid":"AB12","creationDate":"2024-01-05T20:14:03Z","text":"x"}],)"
            R"("metadata":{"version":"1.0"}})",
            "o");
        CHECK(o.format == ImportFormat::dayone);
        CHECK(o.entries.size() == 1);
    }
    SUBCASE("what comes after overrides what the beginning suggested") {
        // "tags" first looks like jrnl; the records only make sense as duet's.
        const ImportBatch d = transfer::parse_import(
            R"({"tags":{},"entries":[)" + duet + R"(],"format":"duet-export","version":1})", "d");
        CHECK(d.format == ImportFormat::duet);
        CHECK(answers(d) == std::vector<std::string>{"tea"});
        CHECK(rejection(R"({"tags":{},"entries":[)" + jrnl + R"(],"format":"other"})")
                  .find("x.json is not an export duet can import") == 0);
        CHECK(rejection(R"({"format":"duet-export","entries":[)" + duet + R"(],"version":7})")
                  .find("exported by a newer duet (export version 7)") != std::string::npos);
        CHECK(rejection(R"({"entries":[)" + duet + "]}").find("is not an export duet can import") !=
              std::string::npos);
    }
    SUBCASE("a bad record is named in the format the file turns out to be") {
        const std::string bad = jrnl_record(R"("Bad.")", "2024-13-40");
        CHECK(rejection(R"({"entries":[)" + jrnl + "," + bad + R"(],"tags":{}})")
                  .find("x.json: entry 2: \"date\" should be a day") == 0);
        // Read first as jrnl (entry 1 would fail), then as the duet export it is.
        CHECK(rejection(R"({"tags":{},"entries":[)" + duet + "," + bad +
                        R"(],"format":"duet-export","version":1})")
                  .find("x.json: entry 2: \"created_at\" is missing") == 0);
    }
    SUBCASE("a syntax error anywhere comes before a bad record") {
        const std::string bad = jrnl_record(R"("Bad.")", "2024-13-40");
        CHECK(rejection(R"({"tags":{},"entries":[)" + bad + R"(],"x":[1,]})")
                  .find("x.json: not valid JSON") == 0);
    }
    SUBCASE("a repeated \"entries\" keeps the last, as a parsed document would") {
        const std::string bad = jrnl_record(R"("Bad.")", "2024-13-40");
        const ImportBatch j = transfer::parse_import(
            R"({"tags":{},"entries":[)" + bad + R"(],"entries":[)" + jrnl + "]}", "j");
        CHECK(answers(j) == std::vector<std::string>{"After."});
        CHECK(rejection(R"({"tags":{},"entries":[)" + jrnl + R"(],"entries":5})")
                  .find("is not an export duet can import") != std::string::npos);
    }
}

TEST_CASE("transfer::CheckedImport order and entry numbers") {
    const ZoneGuard zone;
    // Out of order, with two records at the same minute.
    const std::string text =
        R"({"tags":{},"entries":[)" +
        joined({jrnl_record(R"("March.")", "2024-03-01"),
                jrnl_record(R"("January.")", "2024-01-01"), jrnl_record(R"("")", "2023-01-01"),
                jrnl_record(R"("May, first.")", "2024-05-01"),
                jrnl_record(R"("February.")", "2024-02-01"),
                jrnl_record(R"("May, second.")", "2024-05-01")}) +
        "]}";
    SUBCASE("oldest first; the same time keeps the file's order") {
        const ImportBatch b = transfer::parse_import(text, "j");
        CHECK(answers(b) == std::vector<std::string>{"January.", "February.", "March.",
                                                     "May, first.", "May, second."});
        CHECK(b.empty_entries == 1);
        const auto checked = transfer::CheckedImport::of_text(text, "j");
        CHECK(checked.size() == 5);
        CHECK(checked.empty_entries() == 1);
        std::vector<std::string> seen;
        checked.for_each(
            [&](transfer::ImportedEntry& item) { seen.push_back(*item.entry.answer); });
        CHECK(seen == answers(b));
        // Handing them out again gives the same.
        seen.clear();
        checked.for_each(
            [&](transfer::ImportedEntry& item) { seen.push_back(*item.entry.answer); });
        CHECK(seen == answers(b));
    }
    SUBCASE("errors count the entries as they are in the file") {
        const std::string bad = R"({"tags":{},"entries":[)" +
                                joined({jrnl_record(R"("Late.")", "2024-09-01"),
                                        jrnl_record(R"("Early.")", "2024-01-01"),
                                        jrnl_record(R"("Bad.")", "2024-01-01", "25:99")}) +
                                "]}";
        CHECK(rejection(bad).find("x.json: entry 3: \"time\"") == 0);
    }
}

TEST_CASE("transfer::CheckedImport a long file") {
    constexpr int k_count = 5000;
    std::vector<std::string> records;
    for (int i = 0; i < k_count; ++i) {
        records.push_back(jrnl_record("\"Day " + std::to_string(i) + ".\"",
                                      "2023-" + std::string(i % 12 < 9 ? "0" : "") +
                                          std::to_string(1 + i % 12) + "-1" +
                                          std::to_string(i % 10)));
    }
    const std::string good = R"({"tags":{},"entries":[)" + joined(records, ",\n") + "]}";
    const ImportBatch b = transfer::parse_import(good, "long.json");
    CHECK(b.entries.size() == k_count);
    for (std::size_t i = 1; i < b.entries.size(); ++i) {
        REQUIRE(b.entries[i - 1].entry.created_at.seconds <= b.entries[i].entry.created_at.seconds);
    }
    SUBCASE("a bad last record: nothing at all") {
        records.back() = jrnl_record(R"("Last.")", "2023-13-01");
        const std::string bad = R"({"tags":{},"entries":[)" + joined(records, ",\n") + "]}";
        CHECK(rejection(bad, "long.json").find("long.json: entry 5000: \"date\"") == 0);
        util::write_file_atomic("long.json", bad);
        try {
            transfer::CheckedImport::of_file("long.json");
            FAIL("a bad last record is refused");
        } catch (const DataError& e) {
            CHECK(std::string_view(e.what()).starts_with("long.json: entry 5000: \"date\""));
            CHECK(e.code() == ExitCode::invalid_data);
        }
    }
    SUBCASE("cut short in the last record") {
        const std::string cut = good.substr(0, good.size() - 10);
        CHECK(rejection(cut, "long.json").find("long.json: entry 5000: not valid JSON") == 0);
    }
    SUBCASE("from a file, the same as from memory") {
        util::write_file_atomic("long.json", good);
        const ImportBatch f = transfer::read_import("long.json");
        REQUIRE(f.entries.size() == b.entries.size());
        for (std::size_t i = 0; i < f.entries.size(); ++i) {
            REQUIRE(f.entries[i].entry.answer == b.entries[i].entry.answer);
            REQUIRE(f.entries[i].identity == b.entries[i].identity);
        }
    }
}

TEST_CASE("transfer::CheckedImport reads each record back exactly") {
    const ZoneGuard zone;
    // Strings that hold what ends a record or a string, multibyte UTF-8, escapes;
    // a record larger than the read buffer; odd whitespace between records.
    const std::string huge(200 * 1024, 'h');
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"("}], {\"entries\": [")", "}], {\"entries\": ["},
        {R"("caf\u00e9 \"au\" lait \\ }")", "café \"au\" lait \\ }"},
        {R"("🌿 { 草 } é\"")", "🌿 { 草 } é\""},
        {R"("\\\"}")", "\\\"}"},
        {"\"" + huge + "\"", huge},
        {R"("tab\tnew\nline \/ \ud83c\udf3f")", "tab\tnew\nline / 🌿"},
    };
    std::vector<std::string> records;
    std::vector<std::string> expected(cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        // Written newest first, so reading them back jumps around the file.
        const std::size_t day = cases.size() - i;
        records.push_back(
            jrnl_record(R"("T.")", "2024-01-0" + std::to_string(day), "10:00", cases[i].first));
        expected[day - 1] = cases[i].second;
    }
    const std::string text = "\xEF\xBB\xBF{ \"tags\" : { \"é\" : 1 } ,\n\t\"entries\" : [ " +
                             joined(records, " ,\r\n\t ") + " ] }";
    const auto check = [&](const ImportBatch& b) {
        REQUIRE(b.entries.size() == cases.size());
        for (std::size_t i = 0; i < cases.size(); ++i) {
            CAPTURE(i);
            CHECK(b.entries[i].entry.prompt_text == "T.");
            CHECK(b.entries[i].entry.answer == expected[i]);
        }
    };
    check(transfer::parse_import(text, "x.json"));
    util::write_file_atomic("exact.json", text);
    check(transfer::read_import("exact.json"));
    // Records lying across the 64 KiB boundaries of the reader, at every alignment.
    for (const std::size_t pad : {0, 1, 2, 3, 7, 100}) {
        std::vector<std::string> many;
        for (int i = 0; i < 1500; ++i) {
            many.push_back(jrnl_record(R"("🌿 é \"}\" )" + std::string(pad + i % 5, 'x') + "\"",
                                       "2024-02-0" + std::to_string(1 + i % 9), "10:00"));
        }
        util::write_file_atomic("many.json",
                                R"({"tags":{},"entries":[)" + joined(many, ",") + "]}");
        const ImportBatch b = transfer::read_import("many.json");
        CHECK(b.entries.size() == 1500);
    }
}

TEST_CASE("transfer::CheckedImport a file changed after the check") {
    const ZoneGuard zone;
    const std::string before =
        R"({"tags":{},"entries":[)" +
        joined({jrnl_record(R"("One.")", "2024-01-05"), jrnl_record(R"("Two.")", "2024-01-06")}) +
        "]}";
    util::write_file_atomic("changing.json", before);
    const auto check_changed = [](const transfer::CheckedImport& checked) {
        std::size_t taken = 0;
        try {
            checked.for_each([&](transfer::ImportedEntry&) { ++taken; });
            FAIL("a changed file is noticed");
        } catch (const DataError& e) {
            CHECK(std::string_view(e.what()).find("changing.json changed while it was being "
                                                  "imported") != std::string_view::npos);
        }
        return taken;
    };
    SUBCASE("another size") {
        const auto checked = transfer::CheckedImport::of_file("changing.json");
        std::FILE* f = std::fopen("changing.json", "a");
        REQUIRE(f != nullptr);
        std::fputs("\n", f);
        std::fclose(f);
        CHECK(check_changed(checked) == 0);
    }
    SUBCASE("replaced by another file: the one checked is imported") {
        const auto checked = transfer::CheckedImport::of_file("changing.json");
        util::write_file_atomic("changing.json", "not even JSON");
        std::vector<std::string> seen;
        checked.for_each(
            [&](transfer::ImportedEntry& item) { seen.push_back(*item.entry.answer); });
        CHECK(seen == std::vector<std::string>{"One.", "Two."});
    }
    SUBCASE("the same size and time, other dates") {
        const auto checked = transfer::CheckedImport::of_file("changing.json");
        const auto when = std::filesystem::last_write_time("changing.json");
        std::string after = before;
        after.replace(after.find("2024-01-06"), 10, "2024-01-07");
        // Written in place, so the checked import still reads this file.
        std::FILE* f = std::fopen("changing.json", "r+");
        REQUIRE(f != nullptr);
        CHECK(std::fwrite(after.data(), 1, after.size(), f) == after.size());
        std::fclose(f);
        std::filesystem::last_write_time("changing.json", when);
        // The first entry is still what it was; the second is not.
        CHECK(check_changed(checked) == 1);
    }
}

namespace {

// A TZif file (version 2): the 32-bit block left empty, then the changes of
// offset in the 64-bit block and the POSIX rule for after them.
std::string tzif(const std::vector<std::pair<std::int64_t, std::int32_t>>& changes,
                 std::int32_t before, std::string_view rule) {
    std::vector<std::int32_t> types = {before};
    std::vector<unsigned char> indices;
    for (const auto& [when, offset] : changes) {
        auto it = std::find(types.begin(), types.end(), offset);
        if (it == types.end()) {
            types.push_back(offset);
            it = types.end() - 1;
        }
        indices.push_back(static_cast<unsigned char>(it - types.begin()));
    }
    std::string out;
    const auto put = [&out](std::uint64_t v, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) {
            out += static_cast<char>((v >> (8 * i)) & 0xff);
        }
    };
    const auto header = [&](std::uint32_t times, std::uint32_t type_count) {
        out += "TZif2";
        out += std::string(15, '\0');
        for (std::uint32_t count : {0U, 0U, 0U, times, type_count, 4U}) {
            put(count, 4);
        }
    };
    header(0, 1); // a minimal 32-bit block, as zic -b slim writes
    put(static_cast<std::uint32_t>(before), 4);
    out += std::string("\0\0", 2);
    out += std::string("LMT\0", 4);
    header(static_cast<std::uint32_t>(changes.size()), static_cast<std::uint32_t>(types.size()));
    for (const auto& change : changes) {
        put(static_cast<std::uint64_t>(change.first), 8);
    }
    for (unsigned char i : indices) {
        out += static_cast<char>(i);
    }
    for (std::int32_t offset : types) {
        put(static_cast<std::uint32_t>(offset), 4);
        out += std::string("\0\0", 2);
    }
    out += std::string("LMT\0", 4);
    out += '\n';
    out += rule;
    out += '\n';
    return out;
}

std::int64_t at(std::string_view iso8601) {
    return util::parse_iso8601(iso8601)->seconds;
}

} // namespace

TEST_CASE("transfer::zones") {
    SUBCASE("POSIX rules agree with the C library") {
        for (const char* rule : {"CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0",
                                 "AEST-10AEDT,M10.1.0,M4.1.0/3", "IST-1GMT0,M10.5.0,M3.5.0/1",
                                 "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "NZST-12NZDT,M9.5.0,M4.1.0/3",
                                 "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "<+0545>-5:45",
                                 "XXX3YYY,J60/1,300/4", "UTC0"}) {
            const std::string name = rule;
            CAPTURE(name);
            const auto parsed = transfer::PosixRule::parse(rule);
            REQUIRE(parsed);
            const ZoneGuard zone(rule);
            for (std::int64_t t = at("1972-01-01T00:00:00Z"); t < at("2090-01-01T00:00:00Z");
                 t += 86400 + 3599) {
                CAPTURE(t);
                REQUIRE(parsed->offset_at(t) == transfer::machine_offset_at(t));
            }
        }
    }
    SUBCASE("summer time all year (RFC 8536's example)") {
        const auto always = transfer::PosixRule::parse("EST5EDT,0/0,J365/25");
        REQUIRE(always);
        for (const char* t : {"2024-01-01T00:00:00-05:00", "2024-01-01T05:00:00Z",
                              "2024-07-01T00:00:00Z", "2024-12-31T23:59:59Z"}) {
            CAPTURE(std::string(t));
            CHECK(always->offset_at(at(t)) == -4 * 3600);
        }
    }
    SUBCASE("what is not a rule") {
        for (const char* rule :
             {"", "CET", "CET-1CEST,M3.5.0", "C-1", "CET-1CEST,M13.1.0,M10.5.0",
              "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J10",
              "CET-1CEST,M3.5.0,M10.5.0/3x", "CET-99", "<ab>1", "CET-1CEST"}) {
            CAPTURE(rule);
            CHECK_FALSE(transfer::PosixRule::parse(rule));
        }
    }
    SUBCASE("a zoneinfo file: its changes, then its rule") {
        // Berlin-like: local mean time, one listed change, then the CET rule.
        const auto z = transfer::Zone::parse(
            tzif({{at("1900-04-01T00:00:00+00:53"), 3600}, {at("2000-03-26T01:00:00Z"), 7200}},
                 3208, "CET-1CEST,M3.5.0,M10.5.0/3"));
        REQUIRE(z);
        CHECK(z->offset_at(at("1900-01-01T00:00:00Z")) == 3208);
        CHECK(z->offset_at(at("1990-01-01T00:00:00Z")) == 3600);
        CHECK(z->offset_at(at("2000-06-01T00:00:00Z")) == 7200);
        CHECK(z->offset_at(at("2024-01-01T00:00:00Z")) == 3600);
        CHECK(z->offset_at(at("2024-03-31T00:59:59Z")) == 3600);
        CHECK(z->offset_at(at("2024-03-31T01:00:00Z")) == 7200);
        CHECK(z->offset_at(at("2124-07-01T00:00:00Z")) == 7200);
        // Only a rule, as zic -b slim writes for a zone without history.
        const auto only_rule = transfer::Zone::parse(tzif({}, 32400, "JST-9"));
        REQUIRE(only_rule);
        CHECK(only_rule->offset_at(at("2024-12-31T15:30:00Z")) == 32400);
        // Nothing after the changes: the last one holds.
        const auto no_rule = transfer::Zone::parse(tzif({{0, -18000}}, 0, ""));
        REQUIRE(no_rule);
        CHECK(no_rule->offset_at(at("2050-01-01T00:00:00Z")) == -18000);
    }
    SUBCASE("damaged zoneinfo files are refused, never read past their end") {
        const std::string good = tzif({{0, 3600}, {86400, 7200}}, 0, "CET-1CEST,M3.5.0,M10.5.0/3");
        for (std::size_t n = 0; n < good.size(); ++n) {
            CHECK_FALSE(transfer::Zone::parse(good.substr(0, n)));
        }
        std::string version = good;
        version[4] = '9'; // a later version reads as version 2 does
        CHECK(transfer::Zone::parse(version));
        std::string magic = good;
        magic[0] = 'X';
        CHECK_FALSE(transfer::Zone::parse(magic));
        CHECK_FALSE(
            transfer::Zone::parse(tzif({{86400, 3600}, {0, 7200}}, 0, ""))); // not ascending
        CHECK_FALSE(transfer::Zone::parse(tzif({}, 0, "not a rule")));
    }
    SUBCASE("zones by name, from $TZDIR") {
        std::filesystem::create_directories("zones/Test");
        util::write_file_atomic("zones/Test/Tokyo", tzif({}, 32400, "JST-9"));
        util::write_file_atomic("zones/Test/Broken", "TZif2 but not really");
        ::setenv("TZDIR", (std::filesystem::current_path() / "zones").c_str(), 1);
        const auto tokyo = transfer::Zone::named("Test/Tokyo");
        const auto broken = transfer::Zone::named("Test/Broken");
        const auto missing = transfer::Zone::named("Test/Nowhere");
        ::unsetenv("TZDIR");
        REQUIRE(tokyo);
        CHECK(tokyo->offset_at(0) == 32400);
        CHECK_FALSE(broken);
        CHECK_FALSE(missing);
        CHECK_FALSE(transfer::Zone::named("Test")); // a folder
        for (const char* unsafe :
             {"", "../etc/passwd", "/etc/localtime", "Europe/../../x", "Europe//Berlin",
              "Europe/Berlin/", ".hidden", "a b", "Europe/Berlin\n"}) {
            CAPTURE(unsafe);
            CHECK_FALSE(transfer::Zone::named(unsafe));
        }
        // Fixed offsets by name, as Apple's zones may be called.
        CHECK(transfer::Zone::named("UTC")->offset_at(0) == 0);
        CHECK(transfer::Zone::named("GMT+0100")->offset_at(0) == 3600);
        CHECK(transfer::Zone::named("GMT-05:30")->offset_at(0) == -19800);
        CHECK_FALSE(transfer::Zone::named("GMT+99"));
    }
    SUBCASE("the system's zones agree with the C library") {
        int compared = 0;
        for (const char* name :
             {"Europe/Berlin", "America/New_York", "America/Los_Angeles", "Australia/Sydney",
              "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Tokyo", "Europe/Dublin",
              "America/Sao_Paulo", "Pacific/Chatham", "Africa/Casablanca", "America/Nuuk",
              "Pacific/Apia", "Asia/Tehran"}) {
            if (!std::filesystem::exists(std::filesystem::path("/usr/share/zoneinfo") / name)) {
                continue;
            }
            CAPTURE(name);
            const auto zone = transfer::Zone::named(name);
            REQUIRE(zone);
            const ZoneGuard guard(name);
            for (std::int64_t t = at("1900-01-01T00:00:00Z"); t < at("2100-01-01T00:00:00Z");
                 t += 5 * 86400 + 7211) {
                REQUIRE(zone->offset_at(t) == transfer::machine_offset_at(t));
            }
            ++compared;
        }
        if (compared == 0) {
            MESSAGE("no zoneinfo files here (tzdata): compared none");
        }
    }
}

TEST_CASE("transfer::from_wall_clock") {
    const ZoneGuard zone;
    const auto clock = [](std::string_view reading) {
        const auto t =
            transfer::from_wall_clock(at(std::string(reading) + "Z"), transfer::machine_offset_at);
        return util::format_iso8601(t);
    };
    CHECK(clock("2024-01-05T20:14:00") == "2024-01-05T20:14:00+01:00");
    CHECK(clock("2024-07-14T08:30:00") == "2024-07-14T08:30:00+02:00");
    // Clocks moved from 02:00 to 03:00: the reading is kept, with the winter offset.
    CHECK(clock("2024-03-31T02:00:00") == "2024-03-31T02:00:00+01:00");
    CHECK(clock("2024-03-31T02:30:00") == "2024-03-31T02:30:00+01:00");
    CHECK(clock("2024-03-31T02:59:59") == "2024-03-31T02:59:59+01:00");
    CHECK(clock("2024-03-31T03:00:00") == "2024-03-31T03:00:00+02:00");
    CHECK(clock("2024-03-31T01:59:59") == "2024-03-31T01:59:59+01:00");
    // 02:30 happened twice when summer time ended: the first.
    CHECK(clock("2024-10-27T02:30:00") == "2024-10-27T02:30:00+02:00");
    CHECK(clock("2024-10-27T03:00:00") == "2024-10-27T03:00:00+01:00");
    const ZoneGuard sydney("AEST-10AEDT,M10.1.0,M4.1.0/3");
    CHECK(clock("2024-10-06T02:30:00") == "2024-10-06T02:30:00+10:00");
    CHECK(clock("2024-04-07T02:30:00") == "2024-04-07T02:30:00+11:00");
}

TEST_CASE("transfer::convert jrnl keeps the time jrnl shows") {
    const ZoneGuard zone;
    SUBCASE("the real-file shapes") {
        const ImportBatch b = sample("jrnl-fidelity.json");
        REQUIRE(b.entries.size() == 5);
        CHECK(b.entries[0].entry.prompt_text == "Morning coffee on the balcony.");
        CHECK(b.entries[0].entry.answer == "The café downstairs was still closed.");
        // The hour the clocks skipped: 02:30 as jrnl shows it, on that day.
        CHECK(iso(b.entries[1].entry) == "2024-03-31T02:30:00+01:00");
        CHECK(b.entries[1].entry.day == util::parse_day("2024-03-31"));
        CHECK(iso(b.entries[4].entry) == "2024-10-27T02:30:00+02:00");
    }
    SUBCASE("every reading, generated as in the issue: none moves") {
        std::vector<std::string> records;
        std::vector<std::string> readings;
        std::uint64_t seed = 14;
        const auto next = [&seed](std::uint64_t below) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            return (seed >> 33) % below;
        };
        for (int i = 0; i < 10000; ++i) {
            const util::DayNumber day =
                *util::parse_day("2015-01-01") + static_cast<util::DayNumber>(next(3650));
            const std::string time = fmt::format("{:02}:{:02}", next(24), next(60));
            readings.push_back(util::format_day(day) + "T" + time);
            records.push_back(
                jrnl_record("\"Entry " + std::to_string(i) + ".\"", util::format_day(day), time));
        }
        // And every minute of two nights the clocks skip an hour.
        for (const char* date : {"2024-03-31", "2021-03-28"}) {
            for (int minute = 0; minute < 60; ++minute) {
                const std::string time = fmt::format("02:{:02}", minute);
                readings.push_back(std::string(date) + "T" + time);
                records.push_back(jrnl_record("\"Skipped hour.\"", date, time));
            }
        }
        const ImportBatch b =
            transfer::parse_import(R"({"tags":{},"entries":[)" + joined(records) + "]}", "j");
        REQUIRE(b.entries.size() == readings.size());
        std::vector<std::string> shown;
        for (const auto& item : b.entries) {
            shown.push_back(iso(item.entry).substr(0, 16));
            REQUIRE(item.entry.day == util::parse_day(shown.back().substr(0, 10)));
        }
        std::sort(shown.begin(), shown.end());
        std::sort(readings.begin(), readings.end());
        CHECK(shown == readings);
    }
}

TEST_CASE("transfer::convert dayone as the writer saw it") {
    const ZoneGuard zone("UTC0"); // a machine far from the writers
    const ImportBatch b = sample("dayone-fidelity.json");
    REQUIRE(b.entries.size() == 4);
    CHECK(b.empty_entries == 1); // a photo and no words
    SUBCASE("the writer's zone decides the clock and the day") {
        CHECK(iso(b.entries[0].entry) == "2024-03-10T00:40:12+01:00");
        CHECK(b.entries[0].entry.day == util::parse_day("2024-03-10"));
        CHECK(iso(b.entries[2].entry) == "2024-07-03T22:15:00-07:00");
        CHECK(b.entries[2].entry.day == util::parse_day("2024-07-03"));
        CHECK(iso(b.entries[3].entry) == "2025-01-01T00:30:00+09:00");
        CHECK(b.entries[3].entry.day == util::parse_day("2025-01-01"));
        // A zone this machine does not know: this machine's clock.
        CHECK(iso(b.entries[1].entry) == "2024-05-01T10:00:00+00:00");
        CHECK(b.entries[1].entry.answer == "A zone this computer does not know.");
    }
    SUBCASE("Markdown read as text, placeholders as words, tags at the end") {
        CHECK(b.entries[0].entry.answer ==
              "Couldn't sleep. Read on the sofa - the new novel!\n\n[photo]\n\n1. Tea\n2. "
              "Blanket\n\nPath: `C:\\temp\\.` stays\n\nTags: night, books");
        CHECK(b.entries[2].entry.answer == "Fireworks from the roof.\n\n[video]\n\nTomorrow:\n1. "
                                           "Pack\n2. Drive north\n\nTags: summer");
    }
    SUBCASE("words only in richText") {
        CHECK(b.entries[3].entry.answer ==
              "New Year in Tokyo\n[photo]\nWe watched the lanterns from the bridge; neither of "
              "us wanted to go home.\n\nTags: travel, us");
        CHECK(b.entries[3].identity == "dayone:E1F2A3B4C5D6478899AABBCCDDEEFF00");
    }
    SUBCASE("the instant is the same on any machine") {
        const ZoneGuard cet;
        const ImportBatch here = sample("dayone-fidelity.json");
        for (std::size_t i = 0; i < b.entries.size(); ++i) {
            CHECK(here.entries[i].entry.created_at.seconds ==
                  b.entries[i].entry.created_at.seconds);
        }
        CHECK(iso(here.entries[0].entry) == "2024-03-10T00:40:12+01:00");
        CHECK(iso(here.entries[1].entry) == "2024-05-01T12:00:00+02:00");
    }
    SUBCASE("a richText that is not one is refused, when it is needed") {
        const auto dayone = [](std::string_view fields) {
            return R"({"metadata":{"version":"1.0"},"entries":[{"uuid":"AB12",)"
                   R"("creationDate":"2024-01-05T20:14:03Z",)" +
                   std::string(fields) + "}]}";
        };
        CHECK(rejection(dayone(R"("richText":"{not json")")) ==
              "x.json: entry 1: \"richText\" is not Day One's rich text (a JSON document with "
              "\"contents\")");
        CHECK(rejection(dayone(R"("richText":5)")) ==
              "x.json: entry 1: \"richText\" should be text, not number");
        // With words in "text", "richText" is not read.
        CHECK(answers(transfer::parse_import(dayone(R"("text":"Hi","richText":"{")"), "d")) ==
              std::vector<std::string>{"Hi"});
        // Neither: an entry without text, left out.
        CHECK(transfer::parse_import(dayone(R"("starred":true)"), "d").empty_entries == 1);
        CHECK(rejection(dayone(R"("text":"x","tags":"a")")) ==
              "x.json: entry 1: \"tags\" should be a list of text, not string");
    }
}

TEST_CASE("transfer::dayone text") {
    const auto md = [](std::string_view s) {
        return transfer::dayone_markdown_text(s).text;
    };
    SUBCASE("backslash escapes") {
        CHECK(md(R"(1\. A\-B \(c\) \#tag \*not bold\* 100\% \\ back)") ==
              R"(1. A-B (c) #tag *not bold* 100% \ back)");
        CHECK(md(R"(a\b \é)") == R"(a\b \é)"); // only before ASCII punctuation
        CHECK(md("line\\\nbreak") == "line\nbreak");
        CHECK(md("ends with \\") == "ends with \\");
    }
    SUBCASE("code keeps its backslashes") {
        CHECK(md(R"(run `a\.b` and ``x\` y`` then \.)") == R"(run `a\.b` and ``x\` y`` then .)");
        CHECK(md("```\nC:\\dir\\.\n```\nafter\\.") == "```\nC:\\dir\\.\n```\nafter.");
        CHECK(md(R"(a lone ` tick\.)") == R"(a lone ` tick.)");
    }
    SUBCASE("media placeholders") {
        CHECK(md("![](dayone-moment://ABC)") == "[photo]");
        CHECK(md("![](dayone-moment:/video/ABC)") == "[video]");
        CHECK(md("![](dayone-moment:/audio/ABC)") == "[audio]");
        CHECK(md("![](dayone-moment:/pdfAttachment/ABC)") == "[PDF]");
        CHECK(md("![](dayone-moment:/sketch/ABC)") == "[attachment]");
        CHECK(md("see ![a caption](dayone-moment://X) here") == "see [photo] here");
        // Other images and links stay as written.
        CHECK(md("![](https://example.org/a.png)") == "![](https://example.org/a.png)");
        CHECK(md("![](dayone-moment://unclosed") == "![](dayone-moment://unclosed");
        CHECK_FALSE(transfer::dayone_markdown_text("![](dayone-moment://X)\n\n ").has_words);
        CHECK(transfer::dayone_markdown_text("![](dayone-moment://X) hi").has_words);
    }
    SUBCASE("rich text") {
        const auto rich = transfer::dayone_rich_text(
            R"({"contents":[{"text":"One "},{"text":"two\n"},{"embeddedObjects":[{"type":"audio"},)"
            R"({"type":"photo","identifier":"X"}]},{"text":"three"},5,{"other":1}]})");
        REQUIRE(rich);
        CHECK(rich->text == "One two\n[audio]\n[photo]\nthree");
        CHECK(rich->has_words);
        const auto only_media =
            transfer::dayone_rich_text(R"({"contents":[{"embeddedObjects":[{"type":"photo"}]}]})");
        REQUIRE(only_media);
        CHECK_FALSE(only_media->has_words);
        for (const char* bad : {"", "[]", "{}", R"({"contents":{}})", "{\"contents\":[", "nul"}) {
            CAPTURE(bad);
            CHECK_FALSE(transfer::dayone_rich_text(bad));
        }
        // Nested deeper than an export may be: not read, and no crash.
        const std::string deep = R"({"contents":[{"text":"x","a":)" + std::string(100000, '[') +
                                 std::string(100000, ']') + "}]}";
        const auto d = transfer::dayone_rich_text(deep);
        CHECK((!d || d->text == "x"));
    }
}

namespace {

// The journal's seen set, as a set of strings; `add` is what Journal::add records.
class FakeJournal final : public transfer::SeenIdentities {
  public:
    bool seen(std::string_view identity) const override {
        return m_seen.count(std::string(identity)) > 0;
    }
    void mark(std::string_view identity) override { m_seen.insert(std::string(identity)); }

    // The import of cli/import.cpp: true when the entry was added.
    bool import(const transfer::ImportedEntry& item) {
        if (transfer::already_there(item, *this)) {
            return false;
        }
        const std::string content = store::content_identity(item.entry);
        const bool content_seen = seen(content);
        mark(content);
        transfer::record_added(item, content, content_seen, *this);
        m_entries.push_back(item.entry);
        return true;
    }
    int import_all(const transfer::CheckedImport& checked) {
        int added = 0;
        checked.for_each([&](transfer::ImportedEntry& item) { added += import(item) ? 1 : 0; });
        return added;
    }
    const std::vector<store::Entry>& entries() const { return m_entries; }

  private:
    std::set<std::string> m_seen;
    std::vector<store::Entry> m_entries;
};

// A duet export of the entries, as `review --format json` writes it.
std::string export_of(const std::vector<store::Entry>& entries) {
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

TEST_CASE("transfer::CheckedImport the same entry twice in one file") {
    const ZoneGuard zone;
    const std::string twice = R"({"tags":{},"entries":[)" +
                              joined({jrnl_record(R"("Called mum.")", "2024-04-02", "19:05"),
                                      jrnl_record(R"("Other.")", "2024-04-02", "19:05"),
                                      jrnl_record(R"("Called mum.")", "2024-04-02", "19:05")}) +
                              "]}";
    const auto checked = transfer::CheckedImport::of_text(twice, "j");
    std::vector<std::pair<std::uint32_t, bool>> counts;
    checked.for_each([&](transfer::ImportedEntry& item) {
        counts.emplace_back(item.occurrence, item.repeated);
    });
    CHECK(counts == std::vector<std::pair<std::uint32_t, bool>>{{1, true}, {1, false}, {2, true}});

    SUBCASE("a fresh journal keeps both; importing again adds nothing") {
        FakeJournal journal;
        CHECK(journal.import_all(checked) == 3);
        CHECK(journal.import_all(checked) == 0);
        CHECK(journal.import_all(transfer::CheckedImport::of_text(twice, "j")) == 0);
    }
    SUBCASE("a journal that took both in as one (an earlier duet) sees nothing new") {
        FakeJournal journal;
        // What earlier duets recorded: each identity once, the contents once.
        std::set<std::string> added;
        checked.for_each([&](transfer::ImportedEntry& item) {
            if (added.insert(item.identity).second) {
                journal.mark(item.identity);
                journal.mark(store::content_identity(item.entry));
            }
        });
        CHECK(journal.import_all(checked) == 0);
    }
    SUBCASE("a third copy in a later file is new") {
        FakeJournal journal;
        CHECK(journal.import_all(checked) == 3);
        const std::string thrice = twice.substr(0, twice.size() - 2) + "," +
                                   jrnl_record(R"("Called mum.")", "2024-04-02", "19:05") + "]}";
        CHECK(journal.import_all(transfer::CheckedImport::of_text(thrice, "j")) == 1);
    }
    SUBCASE("the journal's own export finds both, and a fresh journal keeps both") {
        FakeJournal journal;
        CHECK(journal.import_all(checked) == 3);
        const std::string exported = export_of(journal.entries());
        CHECK(journal.import_all(transfer::CheckedImport::of_text(exported, "e")) == 0);
        FakeJournal fresh;
        CHECK(fresh.import_all(transfer::CheckedImport::of_text(exported, "e")) == 3);
        CHECK(fresh.import_all(transfer::CheckedImport::of_text(exported, "e")) == 0);
    }
    SUBCASE("Day One ids and duet entries are counted the same way") {
        const std::string record =
            R"({"uuid":"AB12","creationDate":"2024-01-05T20:14:03Z","text":"Same."})";
        const std::string dayone =
            R"({"metadata":{"version":"1.0"},"entries":[)" + record + "," + record + "]}";
        FakeJournal journal;
        CHECK(journal.import_all(transfer::CheckedImport::of_text(dayone, "d")) == 2);
        CHECK(journal.import_all(transfer::CheckedImport::of_text(dayone, "d")) == 0);
        const std::string duet = R"({"format":"duet-export","version":1,"entries":[)" +
                                 joined({duet_record("2025-01-01T10:00:00Z", "tea"),
                                         duet_record("2025-01-01T10:00:00Z", "tea")}) +
                                 "]}";
        FakeJournal other;
        CHECK(other.import_all(transfer::CheckedImport::of_text(duet, "d")) == 2);
        CHECK(other.import_all(transfer::CheckedImport::of_text(duet, "d")) == 0);
    }
}

TEST_CASE("transfer::CheckedImport an empty file") {
    for (const char* text : {"", " ", "\n", " \t\r\n \n"}) {
        CAPTURE(text);
        const auto checked = transfer::CheckedImport::of_text(text, "empty.json");
        CHECK(checked.blank());
        CHECK(checked.size() == 0);
        CHECK(checked.records() == 0);
        CHECK(checked.name() == "empty.json");
    }
    util::write_file_atomic("empty.json", "");
    CHECK(transfer::CheckedImport::of_file("empty.json").blank());
    const auto none = transfer::CheckedImport::of_text(R"({"tags":{},"entries":[]})", "n");
    CHECK_FALSE(none.blank());
    CHECK(none.records() == 0);
    const auto left_out = transfer::CheckedImport::of_text(
        R"({"tags":{},"entries":[)" + jrnl_record(R"("")", "2024-01-01") + "]}", "n");
    CHECK(left_out.records() == 1);
    CHECK(left_out.size() == 0);
    CHECK(rejection("\n x").find("x.json: not valid JSON") == 0);
}
