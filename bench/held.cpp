// Commands with an unlock held: `duet unlock` once (its passphrase from DUET_PASSPHRASE),
// then each command with no passphrase given at all, so none of them runs Argon2id.
// The bench joins a session keyring of its own first, so a tester's keyrings are untouched.
#include "common.hpp"
#include "measure.hpp"
#include "suite.hpp"

#include <fmt/format.h>
#include <keyutils.h>

#include <cerrno>
#include <cstring>
#include <iostream>

namespace duet::bench {

namespace {

struct HeldSpec {
    std::string name;
    std::vector<std::string> args;
};

// The session keyring every duet the bench starts from now on inherits.
const std::string& join_own_session() {
    static const std::string why_not = [] {
        return keyctl_join_session_keyring(nullptr) < 0
                   ? fmt::format("no kernel keyring here ({})", std::strerror(errno))
                   : std::string();
    }();
    return why_not;
}

} // namespace

void run_held(const BenchOptions& o, SizeResult& r) {
    if (const std::string& why = join_own_session(); !why.empty()) {
        r.held_note = why;
        return;
    }
    const std::string home = "DUET_HOME=" + r.home.string();
    // Long enough for every run below; `duet lock` ends it afterwards.
    const Command unlock({o.duet.string(), "unlock", "--for", "2h"},
                         {home, "DUET_PASSPHRASE=" + bench_passphrase(), "NO_COLOR=1"});
    const auto said = capture(unlock, o.timeout_s);
    if (!said) {
        r.held_note = "`duet unlock` failed: " + run_once(unlock, o.timeout_s).stderr_text;
        return;
    }
    r.held_note = said->find("user keyring") != std::string::npos ? "the user keyring"
                                                                  : "the session keyring";
    const std::vector<HeldSpec> specs = {
        {"review --last 20", {"review", "--last", "20"}},
        {"share --list", {"share", "--list"}},
        {"review --summary", {"review", "--summary"}},
    };
    for (const HeldSpec& spec : specs) {
        std::string shown = "duet";
        for (const std::string& a : spec.args) {
            shown += " " + a;
        }
        Figure f{spec.name, shown, false};
        // No DUET_PASSPHRASE: a run that needed one would fail (exit 3) and say so.
        Command c({o.duet.string()}, {home, "NO_COLOR=1"});
        c.argv.insert(c.argv.end(), spec.args.begin(), spec.args.end());
        f.total = measure(c, measure_options(o));
        std::cout << fmt::format("  [{}] held: {}: {}\n", r.size, f.name,
                                 f.total.ok ? fmt::format("{:.1f} ms", f.total.median_ms)
                                            : "FAILED (" + f.total.error + ")")
                  << std::flush;
        r.held.push_back(std::move(f));
    }
    run_once(Command({o.duet.string(), "lock"}, {home}), o.timeout_s);
}

} // namespace duet::bench
