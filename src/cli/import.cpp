// reflect --import FILE (or - for standard input): entries from a duet, jrnl or Day
// One export, each added once.
#include "duet/transfer/import.hpp"
#include "duet/cli/commands.hpp"
#include "duet/error.hpp"

#include <fmt/format.h>

#include <unistd.h>

namespace duet::cli {

namespace {

// Small imports finish before a progress line would be read.
constexpr std::size_t k_progress_above = 2000;
constexpr std::size_t k_progress_every = 1000;

std::string count_of(std::size_t n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

// What the import left out on purpose, one calm line each.
void say_left_out(std::ostream& out, const transfer::CheckedImport& checked) {
    if (checked.partner_entries() > 0) {
        out << fmt::format("Left out {} your partner shared with you; what a partner "
                           "shares stays theirs.\n",
                           count_of(checked.partner_entries(), "entry", "entries"));
    }
    if (checked.empty_entries() > 0) {
        out << fmt::format("Left out {} without any text.\n",
                           count_of(checked.empty_entries(), "entry", "entries"));
    }
}

// The journal's record of identities, as the import's bookkeeping sees it.
class JournalIdentities final : public transfer::SeenIdentities {
  public:
    explicit JournalIdentities(store::Journal& journal) : m_journal(journal) {}
    bool seen(std::string_view identity) const override { return m_journal.seen(identity); }
    void mark(std::string_view identity) override { m_journal.mark_seen(identity); }

  private:
    store::Journal& m_journal;
};

// Why nothing was imported, in words that fit the kind of file.
void say_nothing_to_import(std::ostream& out, const transfer::CheckedImport& checked) {
    if (checked.blank()) {
        out << fmt::format("Nothing to import from {}: it is empty.\n", checked.name());
        return;
    }
    if (checked.records() == 0) {
        out << fmt::format("Nothing to import from {}: this {} export has no entries.\n",
                           checked.name(), transfer::format_title(checked.format()));
        return;
    }
    out << fmt::format("Nothing to import from {}.\n", checked.name());
    say_left_out(out, checked);
}

transfer::CheckedImport check_import(const std::string& file) {
    if (file != "-") {
        return transfer::CheckedImport::of_file(file);
    }
    if (::isatty(STDIN_FILENO) == 1) {
        throw UsageError("--import - reads an export from standard input, which is a terminal "
                         "here; pipe one in, for example: jrnl --export json | duet reflect "
                         "--import -");
    }
    return transfer::CheckedImport::of_stdin();
}

class Progress {
  public:
    Progress(Context& ctx, std::size_t total)
        : m_err(ctx.err()), m_total(total),
          m_on(total > k_progress_above && ctx.terminal().interactive() &&
               ctx.output().err_is_terminal()) {}

    void step(std::size_t done) {
        if (m_on && done % k_progress_every == 0) {
            m_line = fmt::format("Importing: {} of {} entries", done, m_total);
            m_err << '\r' << m_line << std::flush;
        }
    }

    void finish() {
        if (m_on && !m_line.empty()) {
            m_err << '\r' << std::string(m_line.size(), ' ') << '\r' << std::flush;
        }
    }

  private:
    std::ostream& m_err;
    std::size_t m_total;
    bool m_on;
    std::string m_line;
};

} // namespace

int run_import(const ReflectOptions& o, Context& ctx) {
    if (!o.pack.empty() || !o.prompt.empty() || o.for_session || o.together) {
        throw UsageError("--import keeps what the file says: it takes no --pack, --prompt, "
                         "--for-session or --together");
    }
    // The whole file is read and checked first: a bad file changes nothing and
    // does not even ask for the passphrase. Only where each entry is in the file
    // is kept; the entries are read again as they are added.
    const transfer::CheckedImport checked = check_import(o.import_file);
    if (checked.size() == 0) {
        say_nothing_to_import(ctx.out(), checked);
        return 0;
    }
    const std::string_view from = transfer::format_title(checked.format());

    store::Journal journal = ctx.unlock(true);
    // The journal's own entries count as already there (a duet export of
    // this very journal adds nothing); older journals are indexed once here.
    journal.index_identities();
    JournalIdentities identities(journal);
    Progress progress(ctx, checked.size());
    std::size_t added = 0;
    std::size_t already = 0;
    // One transaction: an interrupted or failed import leaves the journal as it was.
    journal.batch([&] {
        std::size_t done = 0;
        checked.for_each([&](transfer::ImportedEntry& item) {
            if (transfer::already_there(item, identities)) {
                ++already;
            } else {
                const std::string content = store::content_identity(item.entry);
                const bool content_seen = journal.seen(content);
                journal.add(item.entry);
                transfer::record_added(item, content, content_seen, identities);
                ++added;
            }
            progress.step(++done);
        });
    });
    progress.finish();

    std::string line =
        fmt::format("Imported {} from {}", count_of(added, "entry", "entries"), from);
    if (already > 0) {
        line += fmt::format(" ({} already in your journal)",
                            already == 1 ? std::string("1 was") : fmt::format("{} were", already));
    }
    ctx.out() << line << ".\n";
    say_left_out(ctx.out(), checked);
    return 0;
}

} // namespace duet::cli
