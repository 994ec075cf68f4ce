// Housekeeping: changing the passphrase, and checking what is intact.
#include "duet/cli/commands.hpp"
#include "duet/cli/partner.hpp"
#include "duet/cli/unlock.hpp"
#include "duet/crypto/secure.hpp"
#include "duet/error.hpp"
#include "duet/util/dates.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>

namespace duet::cli {

namespace {

struct PassphraseOptions {
    int new_fd = -1;
};

int run_passphrase(const PassphraseOptions& o, Context& ctx) {
    ctx.set_passphrase_question("Current passphrase: ");
    // The current passphrase even while unlocked: a held unlock must not be
    // enough to lock the person out of their own journal.
    store::Journal journal = ctx.unlock_with_passphrase();
    const crypto::SecureBytes fresh =
        o.new_fd >= 0 ? ctx.read_passphrase_fd(o.new_fd) : ctx.ask_new_passphrase_twice();
    const auto preset = util::env("DUET_KDF");
    const crypto::KdfParams kdf = preset ? crypto::kdf_preset(*preset) : journal.kdf();
    journal.change_passphrase(fresh, kdf);
    const int dropped = drop_held(journal.key_tie().journal_id);
    ctx.out() << "Your passphrase is changed. Your entries were not touched; only the key that "
                 "opens them was locked again.\n";
    if (dropped > 0) {
        ctx.out() << "The unlock that `duet unlock` held for it has ended too.\n";
    }
    return 0;
}

std::string mode_note(const std::filesystem::path& p, unsigned want) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
        return "missing";
    }
    const unsigned mode = st.st_mode & 0777;
    return mode == want ? "ok" : fmt::format("mode {:o}, expected {:o}", mode, want);
}

// "3, 5-9, 12": ids in order, runs shortened.
std::string id_ranges(const std::vector<std::int64_t>& ids) {
    std::string out;
    for (std::size_t i = 0; i < ids.size();) {
        std::size_t j = i;
        while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) {
            ++j;
        }
        out += (out.empty() ? "" : ", ") + (j > i + 1    ? fmt::format("{}-{}", ids[i], ids[j])
                                            : j == i + 1 ? fmt::format("{}, {}", ids[i], ids[j])
                                                         : std::to_string(ids[i]));
        i = j + 1;
    }
    return out;
}

// Copies what can be read into a fresh journal, keeps the damaged file beside
// it under another name, and puts the fresh one in its place.
int run_salvage(Context& ctx) {
    ctx.require_journal();
    const store::DataFolder folder = ctx.data_folder();
    const std::filesystem::path fresh =
        folder.dir / (".journal.db.salvage-" + crypto::to_hex(crypto::random_bytes(6)));
    store::Journal::SalvageReport r;
    {
        store::Journal journal = ctx.unlock(false);
        r = journal.salvage_into(fresh);
    }
    const std::string stamp = util::format_iso8601(util::now()).substr(0, 19);
    std::string kept_name = "journal.db.damaged-" + stamp;
    std::replace(kept_name.begin(), kept_name.end(), ':', '-');
    const std::filesystem::path kept = folder.dir / kept_name;
    std::error_code ec;
    std::filesystem::rename(folder.journal(), kept, ec);
    if (ec) {
        std::filesystem::remove(fresh, ec);
        throw RuntimeError(fmt::format("could not set {} aside: {}; nothing was changed",
                                       folder.journal().string(), ec.message()));
    }
    std::filesystem::rename(fresh, folder.journal(), ec);
    if (ec) {
        std::error_code back;
        std::filesystem::rename(kept, folder.journal(), back);
        throw RuntimeError(fmt::format("could not put the salvaged journal in place: {}; the "
                                       "journal was left as it was",
                                       ec.message()));
    }
    util::sync_directory(folder.dir);
    ctx.out() << fmt::format("Copied {} entr{} into a fresh journal.\n", r.entries_kept,
                             r.entries_kept == 1 ? "y" : "ies");
    if (!r.entries_lost.empty()) {
        ctx.out() << fmt::format("These entries could not be read and are not in it: {}.\n",
                                 id_ranges(r.entries_lost));
    }
    if (r.records_lost > 0 || r.settings_lost > 0 || !r.settings_complete) {
        ctx.out() << "Some of the journal's own bookkeeping (partner records or settings) could "
                     "not be read; duet rebuilds what it can as you use it.\n";
    }
    ctx.out() << fmt::format("The file it was copied from is kept as {} (still encrypted). "
                             "Remove it when you are sure you no longer need it.\n",
                             kept.string());
    return 0;
}

int run_check(Context& ctx) {
    ctx.require_journal();
    const store::DataFolder folder = ctx.data_folder();
    store::Journal journal = ctx.unlock(false);
    int problems = 0;
    auto line = [&](const std::string& what, const std::string& verdict) {
        ctx.out() << fmt::format("{:<28} {}\n", what, verdict);
        if (verdict != "ok" && !verdict.starts_with("ok,")) {
            ++problems;
        }
    };
    line("data folder permissions", mode_note(folder.dir, 0700));
    line("journal permissions", mode_note(folder.journal(), 0600));
    line("reminder key", mode_note(folder.reminder_key(), 0600));
    line("database structure", journal.integrity_check());

    std::int64_t intact = 0;
    std::vector<std::int64_t> damaged;
    journal.for_each([&](const store::Entry&) { ++intact; },
                     [&](std::int64_t id, const std::string&) { damaged.push_back(id); });
    std::sort(damaged.begin(), damaged.end());
    damaged.erase(std::unique(damaged.begin(), damaged.end()), damaged.end());
    const std::string entries = damaged.empty() ? fmt::format("ok, {} intact", intact)
                                                : fmt::format("{} intact, {} damaged: {}", intact,
                                                              damaged.size(), id_ranges(damaged));
    line("entries", entries);
    const auto tally = journal.check_tally();
    line("entries removed", tally ? *tally : std::string("ok, none"));
    std::size_t records_damaged = 0;
    for (const char* kind : {"received", "shared", "invitation"}) {
        journal.for_each_record(
            kind, [](std::int64_t, const std::string&) {},
            [&](std::int64_t, const std::string&) { ++records_damaged; });
    }
    line("partner records",
         records_damaged == 0 ? std::string("ok") : fmt::format("{} damaged", records_damaged));
    try {
        journal.link_public_key();
        line("partner-link key", "ok");
    } catch (const DataError& e) {
        line("partner-link key", e.what());
    }
    try {
        const auto partner = exchange::load_partner(journal);
        line("partner link", partner ? "ok, linked" : "ok, none");
    } catch (const DataError& e) {
        line("partner link", e.what());
    }
    if (problems == 0) {
        ctx.out() << "Everything duet keeps for you is intact.\n";
        return 0;
    }
    ctx.out() << "Some parts are damaged; everything marked ok is still readable. "
                 "`duet check --salvage` copies everything readable into a fresh journal; a "
                 "backup of the data folder from before the damage would restore the rest.\n";
    return static_cast<int>(ExitCode::invalid_data);
}

struct EraseOptions {
    bool yes = false;
};

// Editor folders duet made (duet-edit-*) in the places it makes them, if this user owns them.
int remove_editor_leftovers() {
    int removed = 0;
    std::vector<std::filesystem::path> bases{"/dev/shm"};
    if (const auto run = util::env("XDG_RUNTIME_DIR")) {
        bases.emplace_back(*run);
    }
    for (const auto& base : bases) {
        std::error_code ec;
        for (const auto& de : std::filesystem::directory_iterator(base, ec)) {
            struct stat st {};
            const std::string name = de.path().filename().string();
            if (!name.starts_with("duet-edit-") || ::lstat(de.path().c_str(), &st) != 0 ||
                !S_ISDIR(st.st_mode) || st.st_uid != ::getuid()) {
                continue;
            }
            // duet-edit-PID-XXXXXX: a draft of a duet that is still running is not a leftover.
            const std::string rest = name.substr(10);
            const auto dash = rest.find('-');
            if (dash != std::string::npos && dash > 0 &&
                rest.find_first_not_of("0123456789") == dash) {
                const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
                if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM)) {
                    continue;
                }
            }
            std::error_code rm;
            std::filesystem::remove_all(de.path(), rm);
            removed += rm ? 0 : 1;
        }
    }
    return removed;
}

// With the passphrase, the link is ended properly and the shared folder tidied;
// any key `duet unlock` keeps for the journal is dropped.
void end_link_before_erase(Context& ctx, const store::DataFolder& folder) {
    std::error_code ec;
    std::optional<store::Journal::KeyTie> tie;
    try {
        tie = store::Journal::key_tie(folder);
    } catch (const Error&) {
    }
    try {
        store::Journal journal = ctx.unlock(false);
        const auto dir = exchange::shared_folder(journal);
        if (const auto partner = exchange::load_partner(journal)) {
            const exchange::LeaveResult left =
                exchange::leave_link(journal, *partner, dir, "", false);
            ctx.out() << (left.notice_written
                              ? fmt::format("The link with {} has ended; they get a short "
                                            "notice.\n",
                                            partner_name(*partner))
                              : std::string("The shared folder was not there, so no notice "
                                            "could be left in it.\n"));
        } else if (dir && std::filesystem::is_directory(*dir, ec)) {
            exchange::remove_own_files(journal, *dir);
        }
    } catch (const AuthError&) {
        ctx.out() << "Without the passphrase, duet cannot read where your shared folder is or "
                     "end a link; the journal itself is removed all the same. Files of "
                     "yours in a shared folder (duet-*.duet, duet-invitation-*.txt) can be "
                     "deleted by hand.\n";
    }
    // A kept key would still open a copy of the journal (a backup): drop it,
    // or every one duet keeps when this journal's cannot be told apart.
    if (tie) {
        drop_held(tie->journal_id);
    } else {
        drop_all_held();
    }
}

// Everything in the data folder but the person's own packs.
void remove_data_folder(const store::DataFolder& folder) {
    std::error_code ec;
    for (const auto& de : std::filesystem::directory_iterator(folder.dir, ec)) {
        if (de.path().filename() == "prompts") {
            continue; // the person's own packs: theirs to keep or delete
        }
        std::error_code rm;
        std::filesystem::remove_all(de.path(), rm);
        if (rm) {
            throw RuntimeError(
                fmt::format("could not remove {}: {}", de.path().string(), rm.message()));
        }
    }
    std::filesystem::remove(folder.dir, ec); // only if nothing else is left in it
}

int run_erase(const EraseOptions& o, Context& ctx) {
    const store::DataFolder folder = ctx.data_folder();
    std::error_code ec;
    const bool has_folder = std::filesystem::exists(folder.dir, ec);
    ctx.out() << fmt::format("This removes your duet journal and everything duet wrote for you: "
                             "the data folder {} (your own prompt packs in it are kept), your "
                             "files in the shared folder, and any editor drafts left behind. If "
                             "a partner is linked, they get a short notice that the link has "
                             "ended, and nothing else.\nIt cannot be undone.\n",
                             folder.dir.string());
    if (!o.yes) {
        if (!ctx.terminal().interactive()) {
            throw UsageError("erasing needs your own yes: run this on a terminal, or add --yes. "
                             "Nothing was removed");
        }
        const InputLine line =
            ctx.terminal().read_line("Type erase to remove it all, or press Enter to stop: ");
        if (line.status == InputLine::Status::interrupted) {
            throw Interrupted();
        }
        if (util::trim(line.text) != "erase") {
            ctx.out() << "Nothing was removed.\n";
            return 0;
        }
    }
    if (store::Journal::exists(folder)) {
        end_link_before_erase(ctx, folder);
    }
    if (has_folder) {
        remove_data_folder(folder);
    }
    const int drafts = remove_editor_leftovers();
    ctx.out() << fmt::format(
        "Removed the data folder{}{}.\n",
        std::filesystem::exists(folder.dir, ec)
            ? fmt::format(" (except {}/prompts)", folder.dir.string())
            : "",
        drafts > 0 ? fmt::format(" and {} editor draft folder{}", drafts, drafts == 1 ? "" : "s")
                   : "");
    ctx.out() << "If you set up a reminder, remove it too: the line with `duet reflect --remind` "
                 "in `crontab -e`, or `systemctl --user disable --now duet-remind.timer` and its "
                 "two files in ~/.config/systemd/user/. Your shell history may still hold "
                 "commands you typed; `history -c` (bash) clears it. To remove duet itself: "
                 "`apt remove duet`, or delete the installed files listed in the build folder's "
                 "install_manifest.txt.\n";
    return 0;
}

} // namespace

void setup_housekeeping(CLI::App& app, Context& ctx, int& exit_code) {
    auto opts = std::make_shared<PassphraseOptions>();
    CLI::App* pass = app.add_subcommand("passphrase", "change the journal's passphrase");
    pass->add_option("--new-passphrase-fd", opts->new_fd,
                     "read the new passphrase from this file descriptor (for scripts)")
        ->check(CLI::NonNegativeNumber);
    pass->final_callback([opts, &ctx, &exit_code] { exit_code = run_passphrase(*opts, ctx); });

    CLI::App* check = app.add_subcommand("check", "check the journal: what is intact, what is "
                                                  "damaged");
    auto salvage = std::make_shared<bool>(false);
    check->add_flag("--salvage", *salvage,
                    "copy everything readable into a fresh journal, keeping the damaged file "
                    "beside it");
    check->final_callback(
        [salvage, &ctx, &exit_code] { exit_code = *salvage ? run_salvage(ctx) : run_check(ctx); });

    auto erase = std::make_shared<EraseOptions>();
    CLI::App* erase_cmd = app.add_subcommand("erase", "remove your journal and everything duet "
                                                      "wrote, for good");
    erase_cmd->add_flag("-y,--yes", erase->yes, "erase without asking (for scripts)");
    erase_cmd->final_callback([erase, &ctx, &exit_code] { exit_code = run_erase(*erase, ctx); });
}

} // namespace duet::cli
