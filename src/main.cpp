// duet: parse, dispatch, and turn failures into one message and an exit code.
#include "duet/cli/commands.hpp"
#include "duet/cli/terminal.hpp"
#include "duet/crypto/secure.hpp"
#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// Keys and answers must never land in a core file; files duet makes are private.
void harden_process() {
    ::umask(077);
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int fail(duet::cli::Output& output, duet::ExitCode code, const std::string& message) {
    output.err() << "duet: error: " << duet::util::printable(message) << '\n';
    return static_cast<int>(code);
}

// --help as a person reads it: each option with its text, without CLI11's
// "Excludes: ..." lists (run_X says what goes together when it matters), and
// on a terminal with the texts wrapped under their column.
class HelpFormatter : public CLI::Formatter {
  public:
    explicit HelpFormatter(std::size_t width) : m_width(width) {}

    std::string make_option_opts(const CLI::Option* opt) const override {
        std::string out;
        if (!opt->get_option_text().empty()) {
            return " " + opt->get_option_text();
        }
        if (opt->get_type_size() != 0) {
            if (!opt->get_type_name().empty()) {
                out += " " + get_label(opt->get_type_name());
            }
            if (!opt->get_default_str().empty()) {
                out += "=" + opt->get_default_str();
            }
            if (opt->get_expected_max() == CLI::detail::expected_max_vector_size) {
                out += " ...";
            } else if (opt->get_expected_min() > 1) {
                out += " x " + std::to_string(opt->get_expected());
            }
            if (opt->get_required()) {
                out += " " + get_label("REQUIRED");
            }
        }
        if (!opt->get_envname().empty()) {
            out += " (" + get_label("Env") + ":" + opt->get_envname() + ")";
        }
        return out;
    }

    std::string make_option(const CLI::Option* opt, bool is_positional) const override {
        return columns(make_option_name(opt, is_positional) + make_option_opts(opt),
                       make_option_desc(opt));
    }

    std::string make_subcommand(const CLI::App* sub) const override {
        return columns(sub->get_display_name(true), sub->get_description());
    }

  private:
    std::string columns(const std::string& name, const std::string& description) const {
        const std::size_t col = get_column_width();
        std::string out = "  " + name;
        if (description.empty()) {
            return out + "\n";
        }
        out += out.size() + 2 > col ? "\n" + std::string(col, ' ')
                                    : std::string(col - out.size(), ' ');
        if (m_width < col + 20) {
            return out + description + "\n"; // not a terminal: one line each
        }
        return out + duet::util::wrap(description, m_width, std::string(col, ' ')).substr(col);
    }

    std::size_t m_width;
};

// Passphrases in argv are visible to other users and kept in shell history,
// so there is no such option; whoever looks for one is told where duet reads it.
std::optional<std::string> passphrase_in_arguments(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") {
            break;
        }
        for (const std::string_view name : {"--passphrase", "--password", "--new-passphrase"}) {
            if (arg == name ||
                (arg.starts_with(name) && arg.substr(name.size()).starts_with('='))) {
                return std::string(name);
            }
        }
    }
    return std::nullopt;
}

int refuse_passphrase_argument(duet::cli::Output& output, const std::string& name) {
    const std::string where =
        name == "--new-passphrase"
            ? "`duet passphrase` asks for the new passphrase on the terminal, or reads it with "
              "--new-passphrase-fd N"
            : "duet asks for the passphrase on the terminal, or reads it from "
              "DUET_PASSPHRASE_FILE, DUET_PASSPHRASE_COMMAND, DUET_PASSPHRASE or "
              "--passphrase-fd N (PASSPHRASE in `man duet` says more)";
    return fail(output, duet::ExitCode::usage,
                fmt::format("duet takes no {} on the command line, where other programs can see "
                            "it. {}. If you typed a real passphrase, your shell history may "
                            "hold it now. Nothing was done",
                            name, where));
}

// What every command accepts, and how help looks.
void add_global_options(CLI::App& app, duet::cli::GlobalOptions& options,
                        const duet::cli::Output& output) {
    // Set first, so every subcommand inherits it.
    app.formatter(std::make_shared<HelpFormatter>(output.out_is_terminal() ? output.width() : 0));
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
}

} // namespace

int main(int argc, char** argv) {
    harden_process();
    duet::cli::ProcessOutput output; // wraps what reaches a terminal, while main runs
    if (const auto name = passphrase_in_arguments(argc, argv)) {
        return refuse_passphrase_argument(output, *name);
    }
    try {
        duet::crypto::init();
        duet::cli::SecretSources secrets = duet::cli::SecretSources::take_from_environment();
        duet::cli::GlobalOptions options;

        CLI::App app{"duet: a consent-first journal for two. Every prompt can be skipped; nothing "
                     "leaves your journal unless you share it.",
                     "duet"};
        add_global_options(app, options, output);

        // Reads options.no_color when asked, so it sees the parsed flag.
        duet::cli::ProcessTerminal terminal(output, options.no_color);
        duet::cli::Context ctx(options, terminal, output, secrets);
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
                return app.exit(e, output.out(), output.err()); // --help and --version
            }
            output.err()
                << "duet: error: " << e.what() << "\n"
                << "Run `duet --help` or `duet COMMAND --help` to see what duet accepts.\n";
            return static_cast<int>(duet::ExitCode::usage);
        }
        return exit_code;
    } catch (const duet::Interrupted& e) {
        output.err() << "\nStopped. Nothing from the prompt in progress was saved.\n";
        return static_cast<int>(e.code());
    } catch (const duet::Error& e) {
        return fail(output, e.code(), e.what());
    } catch (const std::bad_alloc&) {
        return fail(output, duet::ExitCode::runtime, "out of memory");
    } catch (const std::exception& e) {
        return fail(output, duet::ExitCode::runtime, e.what());
    }
}
