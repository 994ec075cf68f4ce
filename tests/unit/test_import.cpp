#include "duet/error.hpp"
#include "duet/report/writer.hpp"
#include "duet/transfer/import.hpp"
#include "duet/util/dates.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
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
    CHECK(cooking.answer == "We cooked together and the kitchen smelled of cardamom.");
    CHECK(cooking.prompt_text == "Imported from Day One");
    CHECK(cooking.pack == "imported");
    CHECK(cooking.prompt_id == "dayone");
    CHECK(cooking.source == "dayone");
    CHECK(cooking.imported);
    CHECK(batch.entries[0].identity == "dayone:A1B2C3D4E5F60718293A4B5C6D7E8F90");

    SUBCASE("the UTC instant is kept and shown in this machine's zone") {
        CHECK(cooking.created_at.seconds == util::parse_iso8601("2024-01-05T20:14:03Z")->seconds);
        CHECK(iso(cooking) == "2024-01-05T21:14:03+01:00");
        const store::Entry& train = batch.entries[1].entry;
        // 22:30 UTC is half past midnight in Berlin's summer: the next local day.
        CHECK(iso(train) == "2024-07-01T00:30:00+02:00");
        CHECK(train.day == util::parse_day("2024-07-01"));
        CHECK(train.answer == "Late train home; she fell asleep on my shoulder.\n\nA good day.");
    }
    SUBCASE("in another zone the same instant, another wall clock") {
        const ZoneGuard utc("UTC0");
        const ImportBatch b = sample("dayone.json");
        CHECK(iso(b.entries[1].entry) == "2024-06-30T22:30:00+00:00");
        CHECK(b.entries[1].entry.day == util::parse_day("2024-06-30"));
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
        CHECK(rejection("").find("x.json: not valid JSON") == 0);
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
