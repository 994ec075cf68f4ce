// duet unlock / duet lock: one passphrase per sitting, kept in the kernel keyring.
#include "duet/cli/unlock.hpp"

#include "duet/cli/commands.hpp"
#include "duet/crypto/keyring.hpp"
#include "duet/error.hpp"

#include <fmt/format.h>

#include <ctime>

namespace duet::cli {

namespace {

constexpr std::string_view k_name_prefix = "duet-unlock:";

std::string journal_prefix(const crypto::Bytes& journal_id) {
    return fmt::format("{}{}:", k_name_prefix, crypto::to_hex(journal_id));
}

std::string plural(long long n, std::string_view unit) {
    return fmt::format("{} {}{}", n, unit, n == 1 ? "" : "s");
}

// "14:32" ("14:32:05" with seconds), or "01:15 tomorrow" when that is another day.
std::string local_clock(std::chrono::system_clock::time_point t, bool seconds) {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    const std::time_t then = std::chrono::system_clock::to_time_t(t);
    std::tm a{};
    std::tm b{};
    ::localtime_r(&now, &a);
    ::localtime_r(&then, &b);
    const std::string clock = seconds
                                  ? fmt::format("{:02}:{:02}:{:02}", b.tm_hour, b.tm_min, b.tm_sec)
                                  : fmt::format("{:02}:{:02}", b.tm_hour, b.tm_min);
    return a.tm_yday == b.tm_yday && a.tm_year == b.tm_year ? clock : clock + " tomorrow";
}

struct UnlockOptions {
    std::string duration = "15m";
};

int run_unlock(const UnlockOptions& o, Context& ctx) {
    const std::chrono::seconds ttl = parse_unlock_duration(o.duration);
    ctx.require_journal();
    // Always the passphrase: a held unlock must not be able to renew itself.
    const store::Journal journal = ctx.unlock_with_passphrase();
    const crypto::SecureBytes key = journal.copy_data_key();
    const auto held = crypto::keyring::hold(held_key_name(journal.key_tie()), key, ttl);
    if (!held.place) {
        throw RuntimeError(fmt::format("this system does not let duet keep the key in a kernel "
                                       "keyring ({}), so nothing was kept: duet will ask for "
                                       "your passphrase each time, as before",
                                       held.why_not));
    }
    const auto until = std::chrono::system_clock::now() + ttl;
    ctx.out() << fmt::format("Your journal stays unlocked until {} (for {}): until then, duet "
                             "asks for no passphrase.\n",
                             local_clock(until, ttl < std::chrono::minutes(10)),
                             describe_duration(ttl));
    if (*held.place == crypto::keyring::Place::session) {
        ctx.out() << "The key is kept in the kernel's keyring for this login session, never on "
                     "disk, and is gone when its time is up or the session ends.\n";
    } else {
        ctx.out() << "This login has no session keyring duet can use, so the key is kept in "
                     "your user keyring, never on disk: every login of yours on this computer "
                     "can use it until its time is up, also after you log out.\n";
    }
    ctx.out() << "While it is unlocked, anyone who can run programs as you, at this terminal or "
                 "any other, can read your journal without the passphrase. `duet lock` locks it "
                 "again at once.\n";
    return 0;
}

int run_lock(Context& ctx) {
    const int dropped = drop_all_held();
    ctx.out() << (dropped > 0 ? "Locked: duet asks for your passphrase again from now on.\n"
                              : "Nothing was unlocked, so there is nothing to lock.\n");
    return 0;
}

} // namespace

std::chrono::seconds parse_unlock_duration(std::string_view text) {
    const auto refuse = [&](std::string_view why) -> UsageError {
        return UsageError(
            fmt::format("--for '{}': {}; for example 90s, 15m, 2h or 1h30m", text, why));
    };
    long long total = 0;
    std::string_view units = "hms";
    std::size_t i = 0;
    if (text.empty()) {
        throw refuse("please give a duration");
    }
    while (i < text.size()) {
        std::size_t digits = 0;
        long long n = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (++digits > 6) {
                throw refuse("that is far longer than duet keeps a journal unlocked (8h)");
            }
            n = n * 10 + (text[i++] - '0');
        }
        if (digits == 0 || i == text.size()) {
            throw refuse("each number needs its unit: h, m or s");
        }
        const auto at = units.find(text[i++]);
        if (at == std::string_view::npos) {
            throw refuse("units are h, m and s, in that order, each at most once");
        }
        units.remove_prefix(at + 1);
        total += n * (text[i - 1] == 'h' ? 3600 : text[i - 1] == 'm' ? 60 : 1);
    }
    if (total == 0) {
        throw refuse("that is no time at all");
    }
    if (total > k_longest_unlock.count()) {
        throw refuse("duet keeps a journal unlocked for at most 8 hours (8h)");
    }
    return std::chrono::seconds(total);
}

std::string describe_duration(std::chrono::seconds d) {
    const long long s = d.count();
    std::string out;
    for (const auto& [n, unit] : {std::pair{s / 3600, "hour"}, std::pair{s % 3600 / 60, "minute"},
                                  std::pair{s % 60, "second"}}) {
        if (n > 0) {
            out += (out.empty() ? "" : " ") + plural(n, unit);
        }
    }
    return out;
}

std::string held_key_name(const store::Journal::KeyTie& tie) {
    return journal_prefix(tie.journal_id) + crypto::to_hex(tie.wrapping);
}

std::optional<store::Journal> open_held(const store::DataFolder& folder) {
    if (!store::Journal::exists(folder)) {
        return std::nullopt;
    }
    const std::string name = held_key_name(store::Journal::key_tie(folder));
    auto key = crypto::keyring::fetch(name, crypto::k_key_size);
    if (!key) {
        return std::nullopt;
    }
    try {
        return store::Journal::open_with_key(folder, std::move(*key));
    } catch (const AuthError&) {
        crypto::keyring::drop(name); // of no use to anyone: ask as if none were held
        return std::nullopt;
    }
}

int drop_held(const crypto::Bytes& journal_id) {
    return crypto::keyring::drop(journal_prefix(journal_id));
}

int drop_all_held() {
    return crypto::keyring::drop(k_name_prefix);
}

void setup_unlock(CLI::App& app, Context& ctx, int& exit_code) {
    auto opts = std::make_shared<UnlockOptions>();
    CLI::App* unlock = app.add_subcommand(
        "unlock", "keep the journal unlocked for a while, so commands ask for no passphrase");
    unlock->add_option("--for", opts->duration,
                       "how long: 90s, 15m, 2h, 1h30m (default 15m, at most 8h)");
    unlock->final_callback([opts, &ctx, &exit_code] { exit_code = run_unlock(*opts, ctx); });

    CLI::App* lock = app.add_subcommand("lock", "lock the journal again now");
    lock->final_callback([&ctx, &exit_code] { exit_code = run_lock(ctx); });
}

} // namespace duet::cli
