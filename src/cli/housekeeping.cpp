// Housekeeping: changing the passphrase, and checking what is intact.
#include "duet/cli/commands.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/util/files.hpp"

#include <fmt/format.h>

#include <iostream>
#include <sys/stat.h>

namespace duet::cli {

namespace {

struct PassphraseOptions {
    int new_fd = -1;
};

int run_passphrase(const PassphraseOptions& o, Context& ctx) {
    ctx.require_journal();
    store::Journal journal = ctx.unlock(false);
    const crypto::SecureBytes fresh =
        o.new_fd >= 0 ? ctx.read_passphrase_fd(o.new_fd) : ctx.ask_new_passphrase_twice();
    const auto preset = util::env("DUET_KDF");
    const crypto::KdfParams kdf = preset ? crypto::kdf_preset(*preset) : journal.kdf();
    journal.change_passphrase(fresh, kdf);
    std::cout << "Your passphrase is changed. Your entries were not touched; only the key that "
                 "opens them was locked again.\n";
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

int run_check(Context& ctx) {
    ctx.require_journal();
    const store::DataFolder folder = ctx.data_folder();
    store::Journal journal = ctx.unlock(false);
    int problems = 0;
    auto line = [&](const std::string& what, const std::string& verdict) {
        std::cout << fmt::format("{:<28} {}\n", what, verdict);
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
    std::string entries = damaged.empty()
                              ? fmt::format("ok, {} intact", intact)
                              : fmt::format("{} intact, {} damaged:", intact, damaged.size());
    for (const std::int64_t id : damaged) {
        entries += fmt::format(" {}", id);
    }
    line("entries", entries);
    std::size_t records_damaged = 0;
    for (const char* kind : {"received", "shared", "invitation"}) {
        journal.for_each_record(
            kind, [](std::int64_t, const std::string&) {},
            [&](std::int64_t, const std::string&) { ++records_damaged; });
    }
    line("partner records",
         records_damaged == 0 ? std::string("ok") : fmt::format("{} damaged", records_damaged));
    try {
        const auto partner = exchange::load_partner(journal);
        line("partner link", partner ? "ok, linked" : "ok, none");
    } catch (const DataError& e) {
        line("partner link", e.what());
    }
    if (problems == 0) {
        std::cout << "Everything duet keeps for you is intact.\n";
        return 0;
    }
    std::cout << "Some parts are damaged; everything marked ok is still readable. A backup of "
                 "the data folder from before the damage would restore the rest.\n";
    return static_cast<int>(ExitCode::invalid_data);
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
    check->final_callback([&ctx, &exit_code] { exit_code = run_check(ctx); });
}

} // namespace duet::cli
