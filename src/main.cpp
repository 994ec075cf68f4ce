// duet: parse, dispatch, and turn failures into one message and an exit code.
#include "duet/cli/commands.hpp"
#include "duet/crypto/secure.hpp"
#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

namespace {

// Keys and answers must never land in a core file; files duet makes are private.
void harden_process() {
    ::umask(077);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int fail(duet::ExitCode code, const std::string& message) {
    std::cerr << "duet: error: " << duet::util::printable(message) << '\n';
    return static_cast<int>(code);
}

} // namespace

int main(int argc, char** argv) {
    harden_process();
    try {
        duet::crypto::init();
        duet::cli::SecretSources secrets = duet::cli::SecretSources::take_from_environment();
        duet::cli::GlobalOptions options;

        CLI::App app{"duet: a consent-first journal for two. Every prompt can be skipped; nothing "
                     "leaves your journal unless you share it.",
                     "duet"};
        app.set_version_flag("--version", std::string("duet ") + DUET_VERSION);
        app.require_subcommand(1);
        app.fallthrough();
        app.add_option("--home", options.home, "data folder (default $XDG_DATA_HOME/duet)")
            ->envname("DUET_HOME");
        app.add_option("--prompts", options.prompts, "extra prompt-pack folder (repeatable)");
        app.add_flag("--no-color", options.no_color, "plain output");
        app.add_option("--passphrase-fd", options.passphrase_fd,
                       "read the passphrase from this file descriptor")
            ->check(CLI::NonNegativeNumber);
        app.footer("Run `duet COMMAND --help` for each command; `man duet` for the whole story.");

        // Reads options.no_color when asked, so it sees the parsed flag.
        duet::cli::ProcessTerminal terminal(options.no_color);
        duet::cli::Context ctx(options, terminal, secrets);
        int exit_code = 0;
        duet::cli::setup_reflect(app, ctx, exit_code);
        duet::cli::setup_invite(app, ctx, exit_code);
        duet::cli::setup_share(app, ctx, exit_code);
        duet::cli::setup_review(app, ctx, exit_code);
        duet::cli::setup_housekeeping(app, ctx, exit_code);
        duet::cli::setup_unlock(app, ctx, exit_code);
        try {
            app.parse(argc, argv);
        } catch (const CLI::ParseError& e) {
            if (e.get_exit_code() == 0) {
                return app.exit(e); // --help and --version
            }
            std::cerr << "duet: error: " << e.what() << "\n"
                      << "Run `duet --help` or `duet COMMAND --help` to see what duet accepts.\n";
            return static_cast<int>(duet::ExitCode::usage);
        }
        return exit_code;
    } catch (const duet::Interrupted& e) {
        std::cerr << "\nStopped. Nothing from the prompt in progress was saved.\n";
        return static_cast<int>(e.code());
    } catch (const duet::Error& e) {
        return fail(e.code(), e.what());
    } catch (const std::bad_alloc&) {
        return fail(duet::ExitCode::runtime, "out of memory");
    } catch (const std::exception& e) {
        return fail(duet::ExitCode::runtime, e.what());
    }
}
