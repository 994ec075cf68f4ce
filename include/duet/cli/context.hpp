#pragma once
// What every subcommand needs: global options, the data folder, the pack
// search path, the terminal, the output, and unlocking the journal.
#include "duet/cli/terminal.hpp"
#include "duet/prompts/library.hpp"
#include "duet/store/journal.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace duet::cli {

struct GlobalOptions {
    std::string home;                 // --home
    std::vector<std::string> prompts; // --prompts, repeatable
    bool no_color = false;
    int passphrase_fd = -1;
};

// Passphrase sources read from the environment at start-up, then removed from
// it so that no child process (an editor, a passphrase command) inherits them.
struct SecretSources {
    std::optional<crypto::SecureBytes> env_passphrase; // DUET_PASSPHRASE
    std::optional<std::string> file;                   // DUET_PASSPHRASE_FILE
    std::optional<std::string> command;                // DUET_PASSPHRASE_COMMAND
    static SecretSources take_from_environment();
};

class Context {
  public:
    Context(GlobalOptions& options, Terminal& terminal, Output& output, SecretSources& secrets)
        : m_options(options), m_terminal(terminal), m_output(output), m_secrets(secrets) {}

    Terminal& terminal() { return m_terminal; }
    // Everything shown goes through it: out() and err() for prose, data() for data.
    Output& output() { return m_output; }
    std::ostream& out() { return m_output.out(); }
    std::ostream& err() { return m_output.err(); }
    const GlobalOptions& options() const { return m_options; }

    store::DataFolder data_folder() const;
    std::vector<prompts::SearchDir> search_dirs() const;
    prompts::Library load_library() const;
    // key = value lines from the data folder's plain config file (no secrets in it).
    std::map<std::string, std::string> config() const;
    std::string default_pack() const;

    // Opens the journal: with the key `duet unlock` keeps for it when one is
    // held, else asking for the passphrase; with create_if_missing a missing
    // journal is created (asking twice on a terminal).
    store::Journal unlock(bool create_if_missing);
    // Opens the journal with its passphrase, whatever unlock is held: for
    // `duet unlock` itself and for changing the passphrase.
    store::Journal unlock_with_passphrase();
    // What the terminal prompt for the journal's passphrase says; `duet
    // passphrase` asks for the current one (default "Passphrase for your journal: ").
    void set_passphrase_question(std::string question) {
        m_passphrase_question = std::move(question);
    }
    // A new passphrase, typed twice on the terminal (AuthError without one).
    crypto::SecureBytes ask_new_passphrase_twice();
    // The first line read from a file descriptor, for --new-passphrase-fd.
    crypto::SecureBytes read_passphrase_fd(int fd);

    // For review/share: a clear exit-1 error when there is no journal yet.
    void require_journal() const;

  private:
    crypto::SecureBytes passphrase(bool creating);
    store::Journal unlock_asking(bool create_if_missing);

    GlobalOptions& m_options;
    Terminal& m_terminal;
    Output& m_output;
    SecretSources& m_secrets;
    std::string m_passphrase_question = "Passphrase for your journal: ";
};

// Where the bundled packs are: next to an installed binary, or the source
// tree's share/prompts for a binary inside the build tree.
std::filesystem::path bundled_prompts_dir();

} // namespace duet::cli
