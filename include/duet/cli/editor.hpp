#pragma once
// Longer answers in $VISUAL/$EDITOR, through a private file on tmpfs that is
// wiped and removed afterwards, also when the person presses Ctrl-C.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace duet::cli {

// The memory-backed folder for editor files: $XDG_RUNTIME_DIR when it is tmpfs,
// else /dev/shm when it is; nullopt if neither is (duet then refuses /edit).
std::optional<std::filesystem::path> private_tmpfs_dir();

// Runs the editor on a private file that starts with an empty line for the
// answer and, below it, `about` as comment lines ("# ..."), as git does for a
// commit message. Returns what was written without any line that starts with
// '#', or nullopt when the editor failed. Throws RuntimeError when no tmpfs exists.
std::optional<std::string> edit_in_editor(std::string_view about = {});

// The draft edit_in_editor starts with: an empty line, then `about` commented out.
std::string editor_draft(std::string_view about);

// Every line that starts with '#' dropped; all other lines kept as they are.
std::string without_comment_lines(std::string_view text);

} // namespace duet::cli
