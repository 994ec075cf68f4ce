#pragma once
// Long output on a terminal goes through the person's pager, as git does.
#include <string_view>

namespace duet::cli {

// Is stdout a terminal (so paging is worth considering)?
bool stdout_is_terminal();

// Writes the text to stdout, through $PAGER (run by /bin/sh; default
// `less -FRX`) when stdout is a terminal and the text is taller than it. The
// pager inherits duet's environment, from which the passphrase variables were
// removed at start-up.
void show_paged(std::string_view text);

} // namespace duet::cli
