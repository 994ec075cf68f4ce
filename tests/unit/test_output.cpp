#include "duet/cli/output.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using duet::cli::CapturedOutput;
using duet::cli::PagedStream;
using duet::cli::Pager;

namespace {

// Neither copied nor moved: returned by guaranteed copy elision.
CapturedOutput terminal_of(std::size_t width, std::size_t rows = 24) {
    return CapturedOutput({true, true, width, rows});
}

// A pager that keeps what it was given, or that refuses (never started, or quit).
struct FakePager {
    std::string shown;
    bool started = true;      // finish(): false as if the shell could not run it
    std::size_t accepts = ~0; // bytes taken before it goes away
    int launches = 0;
    int finishes = 0;
};

class FakePagerProcess final : public Pager {
  public:
    explicit FakePagerProcess(FakePager& fake) : m_fake(fake) {}
    bool write(std::string_view text) override {
        if (!m_fake.started || m_fake.shown.size() + text.size() > m_fake.accepts) {
            return false;
        }
        m_fake.shown.append(text);
        return true;
    }
    bool finish() override {
        ++m_fake.finishes;
        return m_fake.started;
    }

  private:
    FakePager& m_fake;
};

duet::cli::StartPager start(FakePager& fake) {
    return [&fake]() -> std::unique_ptr<Pager> {
        ++fake.launches;
        return std::make_unique<FakePagerProcess>(fake);
    };
}

std::string lines(int n) {
    std::string out;
    for (int i = 1; i <= n; ++i) {
        out += "line " + std::to_string(i) + "\n";
    }
    return out;
}

} // namespace

TEST_CASE("cli::Output prose and data") {
    SUBCASE("prose is wrapped on a terminal, never cutting a word") {
        CapturedOutput o = terminal_of(20);
        o.out() << "Your journal stays private unless you share an entry.\n";
        CHECK(o.out_text() == "Your journal stays\nprivate unless you\nshare an entry.\n");
    }
    SUBCASE("off a terminal every byte is left as written") {
        CapturedOutput o({false, false, 20, 24});
        const std::string long_line = "Your journal stays private unless you share an entry.\n";
        o.out() << long_line;
        o.err() << long_line;
        CHECK(o.out_text() == long_line);
        CHECK(o.err_text() == long_line);
        CHECK_FALSE(o.out_is_terminal());
    }
    SUBCASE("stderr is wrapped on its own") {
        CapturedOutput o({false, true, 20, 24});
        o.err() << "duet: a message of several words\n";
        o.out() << "duet: a message of several words\n";
        CHECK(o.err_text() == "duet: a message of\nseveral words\n");
        CHECK(o.out_text() == "duet: a message of several words\n");
    }
    SUBCASE("data passes through untouched, and prose after it starts a fresh line") {
        CapturedOutput o = terminal_of(20);
        o.out() << "Some words ";
        o.data() << "{\"a json line longer than twenty columns\": true}\n";
        o.out() << "and prose after it, wrapped again\n";
        CHECK(o.out_text() == "Some words {\"a json line longer than twenty columns\": true}\n"
                              "and prose after it,\nwrapped again\n");
    }
    SUBCASE("say shows the word in progress at once, as a prompt before input") {
        CapturedOutput o = terminal_of(40);
        o.say("Name: ");
        CHECK(o.out_text() == "Name: ");
        o.at_new_line(); // the person typed a name and pressed Enter
        o.say("Thanks\n");
        CHECK(o.out_text() == "Name: Thanks\n");
    }
    SUBCASE("width and rows are the chosen ones") {
        CapturedOutput o = terminal_of(33, 10);
        CHECK(o.width() == 33);
        CHECK(o.rows() == 10);
        CHECK(o.out_is_terminal());
    }
}

TEST_CASE("cli::PagedStream") {
    FakePager fake;
    SUBCASE("text shorter than the terminal is shown directly, without a pager") {
        CapturedOutput o = terminal_of(20, 5);
        {
            PagedStream paged = o.paged(start(fake));
            paged.stream() << lines(4);
        }
        CHECK(o.out_text() == lines(4));
        CHECK(fake.launches == 0);
    }
    SUBCASE("taller text starts the pager once the screen is full, then streams") {
        CapturedOutput o = terminal_of(20, 5);
        PagedStream paged = o.paged(start(fake));
        paged.stream() << lines(4);
        CHECK(fake.launches == 0);
        paged.stream() << "line 5\n";
        CHECK(fake.launches == 1);
        paged.stream() << "a line longer than twenty columns is not wrapped\n";
        paged.finish();
        CHECK(fake.shown == lines(5) + "a line longer than twenty columns is not wrapped\n");
        CHECK(fake.finishes == 1);
        CHECK(o.out_text().empty());
    }
    SUBCASE("off a terminal nothing is held and no pager starts") {
        CapturedOutput o({false, false, 80, 5});
        PagedStream paged = o.paged(start(fake));
        paged.stream() << lines(30);
        CHECK(o.out_text() == lines(30));
        paged.finish();
        CHECK(fake.launches == 0);
    }
    SUBCASE("no pager could be started: the text is shown directly") {
        CapturedOutput o = terminal_of(20, 5);
        PagedStream paged = o.paged([] { return std::unique_ptr<Pager>(); });
        paged.stream() << lines(8);
        paged.finish();
        CHECK(o.out_text() == lines(8));
    }
    SUBCASE("a pager that could not run: everything is shown directly after all") {
        fake.started = false;
        CapturedOutput o = terminal_of(20, 5);
        PagedStream paged = o.paged(start(fake));
        paged.stream() << lines(6);
        paged.stream() << lines(3);
        paged.finish();
        CHECK(o.out_text() == lines(6) + lines(3));
        CHECK(fake.finishes == 1);
    }
    SUBCASE("the person quit the pager: the rest is dropped quietly") {
        fake.accepts = 10000;
        CapturedOutput o = terminal_of(20, 5);
        PagedStream paged = o.paged(start(fake));
        for (int i = 0; i < 2000; ++i) {
            paged.stream() << "line of the long review\n";
        }
        paged.finish();
        CHECK(fake.shown.size() <= 10000);
        CHECK(fake.finishes == 1);
        CHECK(o.out_text().empty());
    }
    SUBCASE("what came before shows first") {
        CapturedOutput o = terminal_of(20, 3);
        o.out() << "Before the pager.\n";
        PagedStream paged = o.paged(start(fake));
        paged.stream() << lines(3);
        paged.finish();
        CHECK(o.out_text() == "Before the pager.\n");
        CHECK(fake.shown == lines(3));
    }
}
