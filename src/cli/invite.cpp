// duet invite: an offer, never a demand. Accepting, declining and ignoring
// an invitation are all equally fine.
#include "duet/cli/commands.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <iostream>

namespace duet::cli {

namespace fs = std::filesystem;

void setup_invite(CLI::App& app, Context& ctx, int& exit_code) {
    auto opts = std::make_shared<InviteOptions>();
    auto answer = std::make_shared<InviteAnswerOptions>();
    CLI::App* cmd = app.add_subcommand("invite", "invite a partner; accept or decline an "
                                                 "invitation; link status");
    cmd->add_option("--name", opts->name, "your name, as your partner will see it");
    auto* msg = cmd->add_option("--message", opts->message, "a personal note for the invitation");
    auto* msg_file =
        cmd->add_option("--message-file", opts->message_file, "read the note from FILE");
    msg->excludes(msg_file);
    cmd->add_option("--shared", opts->shared, "the shared folder (remembered once set)");
    cmd->add_option("-o,--output", opts->output, "write the invitation to FILE instead");

    CLI::App* accept = cmd->add_subcommand("accept", "accept an invitation and link journals");
    accept->add_option("FILE", answer->file, "the invitation file")->required();
    accept->add_option("--name", answer->name, "your name, as your partner will see it");
    accept->add_option("--shared", answer->shared,
                       "the shared folder (default: the invitation's folder)");
    accept->add_flag("-y,--yes", answer->yes, "accept without asking (for scripts)");

    CLI::App* decline = cmd->add_subcommand("decline", "decline an invitation, kindly; needs no "
                                                       "journal");
    decline->add_option("FILE", answer->file, "the invitation file")->required();
    decline->add_option("--message", answer->message, "an optional note with your answer");

    CLI::App* status = cmd->add_subcommand("status", "partner link, invitations, replies, and "
                                                     "the safety code");
    status->add_option("--shared", answer->shared, "set the shared folder");

    accept->final_callback(
        [answer, &ctx, &exit_code] { exit_code = run_invite_accept(*answer, ctx); });
    decline->final_callback(
        [answer, &ctx, &exit_code] { exit_code = run_invite_decline(*answer, ctx); });
    status->final_callback(
        [answer, &ctx, &exit_code] { exit_code = run_invite_status(*answer, ctx); });
    cmd->final_callback([cmd, opts, &ctx, &exit_code] {
        if (cmd->get_subcommands().empty()) {
            exit_code = run_invite(*opts, ctx);
        }
    });
}

namespace {

std::string read_note(const std::string& text, const std::string& file) {
    std::string note = file.empty() ? text : util::read_file(file, exchange::k_max_note);
    if (!util::is_valid_utf8(note)) {
        throw DataError(
            fmt::format("{}: the message is not UTF-8 text", file.empty() ? "--message" : file));
    }
    return util::trim(note);
}

exchange::Invitation load_invitation(const std::string& file) {
    const auto text = util::read_file_if_exists(file, 64 * 1024);
    if (!text) {
        throw RuntimeError(fmt::format("there is no file {}", file));
    }
    return exchange::parse_invitation(*text, file);
}

void show_note(std::ostream& out, const std::string& message) {
    for (const std::string& line : util::split(message, '\n')) {
        out << "  │ " << util::printable(line, false) << '\n';
    }
}

} // namespace

int run_invite(const InviteOptions& o, Context& ctx) {
    const std::string note = read_note(o.message, o.message_file);
    if (o.shared.empty() && o.output.empty() && !store::Journal::exists(ctx.data_folder())) {
        throw UsageError("where should the invitation go? Give the shared folder with --shared "
                         "DIR (remembered after that), or a file with -o FILE");
    }
    store::Journal journal = ctx.unlock(true);
    if (const auto partner = exchange::load_partner(journal)) {
        throw UsageError(fmt::format("this journal is already linked with {}; `duet invite status` "
                                     "shows the link",
                                     util::printable(partner->name, false)));
    }
    if (!o.shared.empty()) {
        fs::create_directories(o.shared);
        exchange::remember_shared_folder(journal, o.shared);
    }
    const auto shared = exchange::shared_folder(journal);
    if (o.output.empty() && !shared) {
        throw UsageError("where should the invitation go? Give the shared folder with --shared "
                         "DIR (remembered after that), or a file with -o FILE");
    }
    exchange::Invitation inv;
    inv.id = crypto::to_hex(crypto::random_bytes(16));
    inv.from_name = display_name(&journal, o.name);
    inv.message = note;
    inv.public_key = exchange::own_key(journal);
    inv.date = util::format_day(util::today());
    const fs::path file = o.output.empty()
                              ? *shared / ("duet-invitation-" + inv.id.substr(0, 8) + ".txt")
                              : fs::path(o.output);
    util::write_file_atomic(file, exchange::render_invitation(inv), false, 0644);
    exchange::record_invitation(journal, inv, file);
    std::cout << fmt::format("Your invitation is ready: {}\n", file.string());
    std::cout << "Your partner can read it with any text viewer, and accept it, decline it, or "
                 "simply leave it; all three are fine.\n";
    if (!shared) {
        std::cout << "When you know where replies will arrive, tell duet with `duet invite status "
                     "--shared DIR`.\n";
    }
    return 0;
}

int run_invite_accept(const InviteAnswerOptions& o, Context& ctx) {
    const exchange::Invitation inv = load_invitation(o.file);
    const std::string from = util::printable(inv.from_name, false);
    std::cout << fmt::format("{} invites you to keep a duet journal alongside them.\n", from);
    if (!inv.message.empty()) {
        std::cout << "\nTheir note:\n";
        show_note(std::cout, inv.message);
    }
    std::cout << '\n' << exchange::joining_explained() << '\n';
    if (!o.yes) {
        if (!ctx.terminal().interactive()) {
            throw UsageError("accepting needs your own yes: run this on a terminal, or add --yes");
        }
        if (!ask_yes_no(ctx.terminal(), fmt::format("Link your journal with {}'s?", from))) {
            std::cout << "Nothing was changed. You can decide later, or not at all.\n";
            return 0;
        }
    }
    store::Journal journal = ctx.unlock(true);
    const exchange::PublicKey mine = exchange::own_key(journal);
    if (crypto::equal_constant_time(mine, inv.public_key)) {
        throw UsageError("this is an invitation from your own journal; it is meant for your "
                         "partner");
    }
    if (const auto partner = exchange::load_partner(journal);
        partner && !crypto::equal_constant_time(partner->key, inv.public_key)) {
        throw UsageError(fmt::format("this journal is already linked with {}",
                                     util::printable(partner->name, false)));
    }
    const fs::path dir = o.shared.empty() ? fs::absolute(o.file).parent_path() : fs::path(o.shared);
    fs::create_directories(dir);
    // The reply goes out first: a journal never counts as linked if its answer was not written.
    const fs::path reply =
        exchange::write_acceptance(journal, inv, display_name(&journal, o.name), dir);
    exchange::remember_shared_folder(journal, dir);
    exchange::save_partner(journal,
                           {inv.from_name, inv.public_key, util::format_day(util::today())});
    std::cout << fmt::format("Linked with {}. Your answer is in {}.\n", from, reply.string());
    std::cout << safety_line(mine, inv.public_key) << '\n';
    std::cout << fmt::format("When you next see {}, compare this code in person: if both show "
                             "the same digits, nobody swapped keys on the way.\n",
                             from);
    std::cout << "Your journal stays private. Nothing is shared unless you share an entry "
                 "yourself (`duet share`).\n";
    return 0;
}

int run_invite_decline(const InviteAnswerOptions& o, Context& /*ctx*/) {
    const exchange::Invitation inv = load_invitation(o.file);
    if (!util::is_valid_utf8(o.message)) {
        throw DataError("--message is not UTF-8 text");
    }
    exchange::Decline d;
    d.invitation_id = inv.id;
    d.message = util::trim(o.message);
    d.date = util::format_day(util::today());
    const fs::path file = fs::absolute(o.file).parent_path() /
                          fmt::format("duet-decline-{}-{}.txt", inv.id.substr(0, 8),
                                      crypto::to_hex(crypto::random_bytes(3)));
    util::write_file_atomic(file, exchange::render_decline(d), false, 0644);
    std::cout << fmt::format("Your answer is in {}. {} will see a short, kind note{}; nothing "
                             "else is shared.\n",
                             file.string(), util::printable(inv.from_name, false),
                             d.message.empty() ? "" : " with your message");
    return 0;
}

} // namespace duet::cli
