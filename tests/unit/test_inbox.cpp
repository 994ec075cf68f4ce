// The shared folder as the inbox meets it: real journals on both sides (with
// the cheapest key derivation), real sealed files, and a folder that misbehaves.
#include "duet/exchange/invitation.hpp"
#include "duet/exchange/link.hpp"
#include "duet/util/files.hpp"
#include "helpers.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

using namespace duet;
using namespace duet::exchange;

namespace {

store::Journal new_journal(const std::string& name) {
    return store::Journal::create(test::fresh_folder(name), test::pass("pw"), test::cheapest_kdf());
}

fs::path empty_folder(const std::string& name) {
    fs::remove_all(name);
    fs::create_directories(name);
    return fs::absolute(name);
}

// What `duet invite` does: the invitation file, and the journal's note of it.
Invitation invite(store::Journal& from, const fs::path& shared) {
    Invitation inv;
    inv.id = crypto::to_hex(crypto::random_bytes(16));
    inv.from_name = "Alex";
    inv.public_key = own_key(from);
    inv.date = "2026-11-26";
    const fs::path file = shared / ("duet-invitation-" + inv.id.substr(0, 8) + ".txt");
    util::write_file_atomic(file, render_invitation(inv), false, 0644);
    record_invitation(from, inv, file);
    return inv;
}

// What `duet invite accept` does; returns the acceptance written.
fs::path accept(store::Journal& by, const Invitation& inv, const fs::path& shared) {
    const fs::path reply = write_acceptance(by, inv, "Sam", shared);
    save_partner(by, {inv.from_name, inv.public_key, "2026-11-26", "", {}, inv.id});
    return reply;
}

// Older than the inbox's settling time: a file that fails its check now is
// damaged, not half written by a sync tool.
void settle(const fs::path& file) {
    fs::last_write_time(file, fs::file_time_type::clock::now() - std::chrono::minutes(5));
}

std::string bytes_of(const fs::path& file) {
    return util::read_file(file);
}

void put_back(const fs::path& file, const std::string& bytes) {
    util::write_file_atomic(file, bytes, false, 0644);
}

std::vector<std::string> answers(const store::Journal& j) {
    std::vector<std::string> out;
    for (const store::Entry& e : partner_entries(j, [](std::int64_t, const std::string&) {
                                     FAIL("nothing is damaged");
                                 }).visible) {
        CHECK(e.author == store::Author::partner);
        out.push_back(e.answer.value_or(""));
    }
    return out;
}

// Alex invited, Sam accepted, and Alex's inbox has taken the acceptance in.
struct Linked {
    fs::path shared = empty_folder("shared");
    store::Journal alex = new_journal("alex");
    store::Journal sam = new_journal("sam");
    Invitation inv = invite(alex, shared);
    fs::path acceptance = accept(sam, inv, shared);
    InboxReport first = process_inbox(alex, shared);

    Partner alex_for_sam() const { return *load_partner(sam); }
    fs::path share(const std::string& words) {
        store::Entry e = test::sample_entry(words);
        sam.add(e);
        return share_entry(sam, alex_for_sam(), shared, e);
    }
};

} // namespace

TEST_CASE("exchange::process_inbox: an entry before the acceptance waits for it") {
    const fs::path shared = empty_folder("shared");
    store::Journal alex = new_journal("alex");
    store::Journal sam = new_journal("sam");
    const Invitation inv = invite(alex, shared);
    const fs::path acceptance = accept(sam, inv, shared);
    const std::string held = bytes_of(acceptance);
    fs::remove(acceptance); // delivered late by the sync tool
    store::Entry e = test::sample_entry("before the answer");
    sam.add(e);
    share_entry(sam, *load_partner(sam), shared, e);

    // The invitation is still waiting for its answer: the entry waits, unread and unreported.
    InboxReport r = process_inbox(alex, shared);
    CHECK(r.received == 0);
    CHECK(r.refused.empty());
    CHECK_FALSE(load_partner(alex));

    put_back(acceptance, held);
    r = process_inbox(alex, shared);
    CHECK(r.accepted == 1);
    CHECK(r.received == 1);
    CHECK(r.refused.empty());
    REQUIRE(load_partner(alex));
    CHECK(load_partner(alex)->name == "Sam");
    CHECK(load_partner(alex)->key == own_key(sam));
    CHECK(load_partner(alex)->invitation == inv.id);
    CHECK(answers(alex) == std::vector<std::string>{"before the answer"});
    CHECK_FALSE(fs::exists(acceptance)); // it has served its purpose
    CHECK(sent_invitations(alex).at(0).reply == "accepted");
}

TEST_CASE("exchange::process_inbox: entries, a withdrawal and a leave") {
    Linked l;
    CHECK(l.first.accepted == 1);
    CHECK(l.first.refused.empty());

    l.share("one");
    l.share("two");
    InboxReport r = process_inbox(l.alex, l.shared);
    CHECK(r.received == 2);
    CHECK(answers(l.alex) == std::vector<std::string>{"one", "two"});
    // Read again, nothing is taken in twice.
    CHECK(process_inbox(l.alex, l.shared).received == 0);

    CHECK(withdraw_entries(l.sam, l.alex_for_sam(), l.shared, {1}) == std::vector<std::int64_t>{1});
    r = process_inbox(l.alex, l.shared);
    CHECK(r.withdrawn == 1);
    CHECK(answers(l.alex) == std::vector<std::string>{"two"});

    leave_link(l.sam, l.alex_for_sam(), l.shared, "Take care.", false);
    r = process_inbox(l.alex, l.shared);
    CHECK(r.link_ended);
    REQUIRE_FALSE(r.notices.empty());
    CHECK(r.notices.back().find("has ended the link") != std::string::npos);
    CHECK(r.notices.back().find("Take care.") != std::string::npos);
    CHECK_FALSE(load_partner(l.alex));
    CHECK(answers(l.alex) == std::vector<std::string>{"two"}); // kept until asked to remove
}

TEST_CASE("exchange::process_inbox: a decline answers the invitation") {
    const fs::path shared = empty_folder("shared");
    store::Journal alex = new_journal("alex");
    const Invitation inv = invite(alex, shared);
    const fs::path file = shared / "duet-decline-1.txt";
    util::write_file_atomic(file, render_decline({inv.id, "Not now.", "2026-11-27"}), false, 0644);
    const InboxReport r = process_inbox(alex, shared);
    CHECK(r.declined == 1);
    CHECK(r.refused.empty());
    CHECK(sent_invitations(alex).at(0).reply == "declined");
    CHECK(sent_invitations(alex).at(0).reply_message == "Not now.");
    CHECK_FALSE(fs::exists(file));
}

TEST_CASE("exchange::process_inbox refuses what it cannot trust, and says so once") {
    Linked l;
    const auto refused_once = [&](const std::string& words) {
        const InboxReport r = process_inbox(l.alex, l.shared);
        REQUIRE(r.refused.size() == 1);
        CHECK(r.refused[0].find(words) != std::string::npos);
        CHECK(r.received == 0);
        // Remembered by name, size and time: unchanged, it is not named again.
        CHECK(process_inbox(l.alex, l.shared).refused.empty());
        return r;
    };

    SUBCASE("a tampered message") {
        const fs::path file = l.share("words");
        std::string bytes = bytes_of(file);
        bytes.back() ^= 0x01;
        fs::remove(file);
        put_back(file, bytes);
        // Just written, it may be a sync tool's half-written copy: read again later.
        CHECK(process_inbox(l.alex, l.shared).refused.empty());
        settle(file);
        CHECK(refused_once("fails its integrity check").refused_addressed_to_me);
        CHECK(answers(l.alex).empty());
    }
    SUBCASE("a file that is not a message") {
        const fs::path file = l.shared / "duet-share-0000.duet";
        put_back(file, "hello, this is not sealed");
        settle(file);
        refused_once("not a duet message");
    }
    SUBCASE("an oversized file") {
        put_back(l.shared / "duet-share-big.duet", std::string(k_max_message_size + 1, 'x'));
        refused_once("");
    }
    SUBCASE("a symbolic link") {
        const fs::path elsewhere = fs::absolute("elsewhere.duet");
        util::write_file_atomic(elsewhere, "outside the folder");
        fs::create_symlink(elsewhere, l.shared / "duet-share-link.duet");
        refused_once("not a plain file");
    }
    SUBCASE("a FIFO, which must not block the inbox") {
        REQUIRE(::mkfifo((l.shared / "duet-share-fifo.duet").c_str(), 0600) == 0);
        refused_once("not a plain file");
    }
}

TEST_CASE("exchange::process_inbox sets aside what belongs to an ended link") {
    Linked l;
    const fs::path late_entry = l.share("sent before leaving");
    const std::string entry_bytes = bytes_of(late_entry);
    const Partner alex_for_sam = l.alex_for_sam();
    const LeaveResult left = leave_link(l.sam, alex_for_sam, l.shared, "", false);
    CHECK(left.notice_written);
    // The leave notice is delivered late, after the two have linked again.
    fs::path leave_file;
    for (const auto& de : fs::directory_iterator(l.shared)) {
        if (de.path().filename().string().starts_with("duet-leave-")) {
            leave_file = de.path();
        }
    }
    REQUIRE_FALSE(leave_file.empty());
    const std::string leave_bytes = bytes_of(leave_file);
    fs::remove(leave_file);

    SUBCASE("an entry of a link this journal has left") {
        leave_link(l.alex, *load_partner(l.alex), l.shared, "", false);
        put_back(late_entry, entry_bytes);
        const InboxReport r = process_inbox(l.alex, l.shared);
        CHECK(r.received == 0);
        CHECK(r.refused.empty()); // set aside quietly
        CHECK(answers(l.alex).empty());
    }
    SUBCASE("the leave notice of an earlier link ends nothing now") {
        leave_link(l.alex, *load_partner(l.alex), l.shared, "", false);
        const Invitation again = invite(l.alex, l.shared);
        accept(l.sam, again, l.shared);
        InboxReport r = process_inbox(l.alex, l.shared);
        CHECK(r.accepted == 1);
        REQUIRE(load_partner(l.alex));
        CHECK(load_partner(l.alex)->invitation == again.id);

        put_back(leave_file, leave_bytes);
        r = process_inbox(l.alex, l.shared);
        CHECK_FALSE(r.link_ended);
        CHECK(r.refused.empty());
        REQUIRE(load_partner(l.alex));
        CHECK(load_partner(l.alex)->key == own_key(l.sam));
        CHECK_FALSE(fs::exists(leave_file)); // served
    }
}
