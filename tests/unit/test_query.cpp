#include "duet/error.hpp"
#include "duet/store/journal.hpp"
#include "duet/store/query.hpp"
#include "duet/store/sessions.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

using namespace duet;
using store::Entry;
using store::Journal;

namespace {

// The lowest Argon2id settings a journal accepts: these tests are about
// reading, not about the key, so they should not spend seconds deriving it.
crypto::KdfParams cheapest_kdf() {
    crypto::KdfParams kdf = crypto::kdf_preset("interactive");
    kdf.opslimit = 1;    // crypto_pwhash_OPSLIMIT_MIN
    kdf.memlimit = 8192; // crypto_pwhash_MEMLIMIT_MIN
    return kdf;
}

Journal fresh_journal(const std::string& name) {
    std::filesystem::remove_all(name);
    const crypto::SecureBytes passphrase(crypto::as_bytes(std::string_view("pw")));
    return Journal::create({std::filesystem::absolute(name)}, passphrase, cheapest_kdf());
}

// Written at noon of the day (plus `minute`), so the order is the day's order.
Entry entry_on(util::DayNumber day, std::string pack, std::string answer, int minute = 0) {
    Entry e;
    e.created_at = {day * 86400 + 12 * 3600 + minute * 60, 0};
    e.day = day;
    e.pack = std::move(pack);
    e.prompt_id = "noticed";
    e.prompt_text = "What did I notice?";
    e.kind = "text";
    e.answer = std::move(answer);
    return e;
}

// Own entries on days 10..15, added out of time order (an import of older
// ones after newer ones), and partner entries on days 11 and 14 (minute 30).
struct Fixture {
    Journal journal = fresh_journal("jq");
    std::vector<Entry> theirs;

    Fixture() {
        for (const auto& [day, pack, answer] :
             std::vector<std::tuple<int, std::string, std::string>>{{13, "daily", "a walk"},
                                                                    {14, "couple", "Tea TOGETHER"},
                                                                    {15, "daily", "quiet"},
                                                                    {10, "daily", "rain"},
                                                                    {11, "couple", "dinner"},
                                                                    {12, "daily", "tired"}}) {
            Entry e = entry_on(day, pack, answer);
            journal.add(e);
        }
        for (const auto& [day, answer] :
             std::vector<std::pair<int, std::string>>{{14, "their tea"}, {11, "their walk"}}) {
            Entry e = entry_on(day, "couple", answer, 30);
            e.author = store::Author::partner;
            e.id = journal.reserve_number();
            theirs.push_back(e);
        }
    }

    // The answers the query visits, in the order it visits them.
    std::vector<std::string> answers(store::Filter filter, std::size_t last = 0) {
        store::Query query(std::move(filter), last);
        if (query.wants_partner()) {
            query.set_partner_entries(theirs);
        }
        std::vector<std::string> out;
        query.run(
            journal, [&](const Entry& e) { out.push_back(e.answer.value_or("")); },
            [](std::int64_t, const std::string&) { FAIL("no entry is damaged"); });
        return out;
    }
};

using Answers = std::vector<std::string>;

} // namespace

TEST_CASE("store::Query") {
    Fixture f;

    SUBCASE("own and partner entries merged in time order") {
        CHECK(f.answers({}) == Answers{"rain", "dinner", "their walk", "tired", "a walk",
                                       "Tea TOGETHER", "their tea", "quiet"});
    }
    SUBCASE("a date range, both ends included") {
        store::Filter filter;
        filter.since = 11;
        filter.until = 13;
        CHECK(f.answers(filter) == Answers{"dinner", "their walk", "tired", "a walk"});
        filter.since.reset();
        CHECK(f.answers(filter) == Answers{"rain", "dinner", "their walk", "tired", "a walk"});
    }
    SUBCASE("one pack") {
        store::Filter filter;
        filter.pack = "couple";
        CHECK(f.answers(filter) == Answers{"dinner", "their walk", "Tea TOGETHER", "their tea"});
    }
    SUBCASE("text in the answer or the prompt, in any case") {
        store::Filter filter;
        filter.text = "tEa";
        CHECK(f.answers(filter) == Answers{"Tea TOGETHER", "their tea"});
        filter.text = "NOTICE";
        CHECK(f.answers(filter).size() == 8);
        filter.text = "no entry says this";
        CHECK(f.answers(filter).empty());
    }
    SUBCASE("mine or my partner's") {
        store::Filter filter;
        filter.whose = store::Whose::mine;
        CHECK(f.answers(filter) ==
              Answers{"rain", "dinner", "tired", "a walk", "Tea TOGETHER", "quiet"});
        filter.whose = store::Whose::partner;
        CHECK(f.answers(filter) == Answers{"their walk", "their tea"});
    }
    SUBCASE("the last N, oldest first") {
        CHECK(f.answers({}, 3) == Answers{"Tea TOGETHER", "their tea", "quiet"});
        CHECK(f.answers({}, 100).size() == 8);
        store::Filter filter;
        filter.pack = "couple";
        CHECK(f.answers(filter, 3) == Answers{"their walk", "Tea TOGETHER", "their tea"});
        filter.whose = store::Whose::partner;
        CHECK(f.answers(filter, 1) == Answers{"their tea"});
    }
    SUBCASE("filters combine") {
        const store::Filter filter{12, std::nullopt, "daily", "WALK", store::Whose::mine, {}};
        CHECK(f.answers(filter, 1) == Answers{"a walk"});
    }
}

TEST_CASE("store::Query reads chosen entries by number") {
    Fixture f;
    store::Filter filter;
    filter.ids = std::set<std::int64_t>{5, 1, 99};
    store::Query query(filter);
    CHECK_FALSE(query.wants_partner());
    std::vector<std::int64_t> ids;
    query.run(
        f.journal, [&](const Entry& e) { ids.push_back(e.id); },
        [](std::int64_t, const std::string&) {});
    // Entry 1 is day 13, entry 5 day 11: time order puts 5 first; 99 does not exist.
    CHECK(ids == std::vector<std::int64_t>{5, 1});
}

TEST_CASE("store::Query notes whether the pack asked for exists") {
    Fixture f;
    store::Filter filter;
    filter.pack = "dialy";
    store::Query typo(filter);
    typo.set_partner_entries(f.theirs);
    typo.run(
        f.journal, [](const Entry&) { FAIL("nothing matches"); },
        [](std::int64_t, const std::string&) {});
    CHECK_FALSE(typo.pack_seen());
    CHECK(typo.other_packs() == std::set<std::string>{"couple", "daily"});

    filter.pack = "couple";
    filter.whose = store::Whose::partner;
    store::Query known(filter);
    known.set_partner_entries(f.theirs);
    known.run(
        f.journal, [](const Entry&) {}, [](std::int64_t, const std::string&) {});
    CHECK(known.pack_seen());
}

TEST_CASE("store::session days in a journal") {
    Journal journal = fresh_journal("js");
    const util::DayNumber today = util::today();
    CHECK(store::session_days(journal).empty());
    CHECK_FALSE(store::last_session(journal));

    CHECK(store::record_session(journal, today - 7));
    CHECK(store::record_session(journal, today + 7)); // still ahead
    CHECK_FALSE(store::record_session(journal, today - 7));
    CHECK(store::session_days(journal) == std::vector<util::DayNumber>{today - 7, today + 7});
    CHECK(store::last_session(journal) == today - 7);
    CHECK(journal.setting("last_session") == util::format_day(today - 7));

    // An older journal keeps only the single setting; it still counts.
    journal.delete_setting("sessions");
    journal.set_setting("last_session", util::format_day(today - 3));
    CHECK(store::session_days(journal) == std::vector<util::DayNumber>{today - 3});
    CHECK(store::last_session(journal) == today - 3);
}
