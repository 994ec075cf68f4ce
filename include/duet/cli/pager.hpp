#pragma once
// Long output on a terminal goes through the person's pager, as git does.
// Output::paged() decides when (text taller than the terminal); this starts it.
#include "duet/cli/output.hpp"

#include <memory>

namespace duet::cli {

// Starts $PAGER (run by /bin/sh; default `less -FRX`) reading from a pipe;
// nullptr when no pipe or process could be made. The pager inherits duet's
// environment, from which the passphrase variables were removed at start-up.
// While it lives, Ctrl-C and a closed pipe belong to the pager: duet ignores
// them and waits. If the shell cannot run the command, finish() says so on
// output.err() and returns false, so the text is shown directly instead.
std::unique_ptr<Pager> start_pager(Output& output);

} // namespace duet::cli
