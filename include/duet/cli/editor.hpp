#pragma once
// Longer answers in $VISUAL/$EDITOR, through a private file on tmpfs that is
// wiped and removed afterwards, also when the person presses Ctrl-C.
#include <filesystem>
#include <optional>
#include <string>

namespace duet::cli {

// The memory-backed folder for editor files: $XDG_RUNTIME_DIR when it is tmpfs,
// else /dev/shm when it is; nullopt if neither is (duet then refuses /edit).
std::optional<std::filesystem::path> private_tmpfs_dir();

// Runs the editor on an empty private file; returns what was written, or
// nullopt when the editor failed. Throws RuntimeError when no tmpfs exists.
std::optional<std::string> edit_in_editor();

} // namespace duet::cli
