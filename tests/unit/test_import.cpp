#include "duet/error.hpp"
#include "duet/report/writer.hpp"
#include "duet/transfer/import.hpp"
#include "duet/util/dates.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <sstream>

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
        return transfer::detect_format(transfer::parse_json(text, "f.json"), "f.json");
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
            CHECK(transfer::duet_identity(original) == item.identity);
        }
        store::Entry changed = batch.entries[0].entry;
        changed.answer = "Something else.";
        CHECK(transfer::duet_identity(changed) != batch.entries[0].identity);
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
