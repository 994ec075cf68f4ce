#pragma once
// One pair per subcommand: setup_X registers its options, run_X does the work.
#include "duet/cli/context.hpp"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace duet::cli {

struct ReflectOptions {
    std::string pack;
    std::string prompt;
    std::optional<std::string> answer;
    bool skip = false;
    bool for_session = false;
    bool together = false;
    bool list = false;
    bool remind = false;
    bool no_quote = false; // --remind without today's prompt in it
    std::string import_file;
    std::vector<std::string> check_files;
};

struct ReviewOptions {
    std::string since;
    std::string until;
    int last = 0;
    std::string pack;
    std::string grep;
    bool mine = false;
    bool partner = false;
    std::string format = "text";
    std::string output;
    bool force = false;
    bool summary = false;
    bool with_answered = false;
    std::optional<std::string> session_done; // a DATE, "today" when given bare
};

struct InviteOptions {
    std::string name;
    std::string message;
    std::string message_file;
    std::string shared;
    std::string output;
};

struct InviteAnswerOptions {
    std::string file;
    std::string name;
    std::string message;
    std::string shared;
    std::string code; // invite verify
    bool yes = false;
    bool not_now = false;         // invite decline
    bool remove_received = false; // invite leave
    bool keep_received = false;   // invite leave
};

struct ShareOptions {
    std::vector<std::int64_t> entries;
    bool yes = false;
    bool list = false;
    bool withdraw = false;
};

// Each setup function stores the command's exit code in `exit_code` when it runs.
void setup_reflect(CLI::App& app, Context& ctx, int& exit_code);
void setup_review(CLI::App& app, Context& ctx, int& exit_code);
void setup_invite(CLI::App& app, Context& ctx, int& exit_code);
void setup_housekeeping(CLI::App& app, Context& ctx, int& exit_code);
void setup_share(CLI::App& app, Context& ctx, int& exit_code);
void setup_unlock(CLI::App& app, Context& ctx, int& exit_code); // unlock and lock

int run_reflect(const ReflectOptions& options, Context& ctx);
int run_review(const ReviewOptions& options, Context& ctx);
int run_invite(const InviteOptions& options, Context& ctx);
int run_invite_accept(const InviteAnswerOptions& options, Context& ctx);
int run_invite_decline(const InviteAnswerOptions& options, Context& ctx);
int run_invite_status(const InviteAnswerOptions& options, Context& ctx);
int run_invite_leave(const InviteAnswerOptions& options, Context& ctx);
int run_invite_verify(const InviteAnswerOptions& options, Context& ctx);
int run_share(const ShareOptions& options, Context& ctx);

// Parts of reflect that live in their own files.
int run_pack_list(const ReflectOptions& options, Context& ctx);
int run_pack_check(const std::vector<std::string>& files, Context& ctx);
int run_remind(const ReflectOptions& options, Context& ctx);
// Part of review: `--session-done [DATE]`.
int run_session_done(const std::string& date, Context& ctx);
int run_import(const ReflectOptions& options, Context& ctx);

} // namespace duet::cli
