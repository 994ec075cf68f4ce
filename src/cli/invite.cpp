// duet invite: an offer, never a demand. Accepting, declining and ignoring
// an invitation are all equally fine.
#include "duet/cli/commands.hpp"
#include "duet/cli/partner.hpp"
#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

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

    CLI::App* decline = cmd->add_subcommand("decline", "decline an invitation; needs no journal");
    decline->add_option("FILE", answer->file, "the invitation file")->required();
    decline->add_flag("--not-now", answer->not_now,
                      "answer \"Not now.\" instead of \"No, thank you.\"");
    decline->add_option("--message", answer->message, "your own words, added to the answer");
    decline->add_flag("-y,--yes", answer->yes, "write the answer without asking");

    CLI::App* leave = cmd->add_subcommand("leave", "end the link with your partner, at any time");
    leave->add_option("--message", answer->message, "your own words for the notice (optional)");
    leave->add_flag("-y,--yes", answer->yes, "end the link without asking (for scripts)");
    auto* remove_received = leave->add_flag("--remove-received", answer->remove_received,
                                            "also remove the entries your partner shared");
    auto* keep_received = leave->add_flag("--keep-received", answer->keep_received,
                                          "keep the entries your partner shared (the default)");
    remove_received->excludes(keep_received);

    CLI::App* verify = cmd->add_subcommand("verify", "confirm the safety code you compared in "
                                                     "person");
    verify->add_option("CODE", answer->code, "the code your partner's duet shows");
    verify->add_flag("-y,--yes", answer->yes, "the codes matched: confirm without typing it");

    CLI::App* status = cmd->add_subcommand("status", "partner link, invitations, replies, and "
                                                     "the safety code");
    status->add_option("--shared", answer->shared, "set the shared folder");

    accept->final_callback(
        [answer, &ctx, &exit_code] { exit_code = run_invite_accept(*answer, ctx); });
    decline->final_callback(
        [answer, &ctx, &exit_code] { exit_code = run_invite_decline(*answer, ctx); });
    status->final_callback(
        [answer, &ctx, &exit_code] { exit_code = run_invite_status(*answer, ctx); });
    leave->final_callback(
        [answer, &ctx, &exit_code] { exit_code = run_invite_leave(*answer, ctx); });
    verify->final_callback(
        [answer, &ctx, &exit_code] { exit_code = run_invite_verify(*answer, ctx); });
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
                                     partner_name(*partner)));
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
    inv.from_name = display_name(ctx, &journal, o.name);
    inv.message = note;
    inv.public_key = exchange::own_key(journal);
    inv.date = util::format_day(util::today());
    const fs::path file = o.output.empty()
                              ? *shared / ("duet-invitation-" + inv.id.substr(0, 8) + ".txt")
                              : fs::path(o.output);
    util::write_file_atomic(file, exchange::render_invitation(inv), false, 0644);
    exchange::record_invitation(journal, inv, file);
    ctx.out() << fmt::format("Your invitation is ready: {}\n", file.string());
    ctx.out() << "Your partner can read it with any text viewer, and accept it, decline it, or "
                 "simply leave it; all three are fine.\n";
    if (!shared) {
        ctx.out() << "When you know where replies will arrive, tell duet with `duet invite status "
                     "--shared DIR`.\n";
    }
    return 0;
}

namespace {

// A decline written next to an invitation makes it dead for good.
bool declined_beside(const fs::path& invitation_file, const std::string& invitation_id) {
    std::error_code ec;
    const fs::path dir = fs::absolute(invitation_file).parent_path();
    for (const auto& de : fs::directory_iterator(dir, ec)) {
        const std::string name = de.path().filename().string();
        if (!name.starts_with("duet-decline-") || !name.ends_with(".txt")) {
            continue;
        }
        try {
            const util::ForeignFile f = util::read_foreign_file(de.path(), 64 * 1024);
            if (exchange::parse_decline(f.content, de.path().string()).invitation_id ==
                invitation_id) {
                return true;
            }
        } catch (const Error&) {
        }
    }
    return false;
}

} // namespace

int run_invite_accept(const InviteAnswerOptions& o, Context& ctx) {
    const exchange::Invitation inv = load_invitation(o.file);
    if (declined_beside(o.file, inv.id)) {
        throw UsageError("this invitation was declined, and a declined invitation stays "
                         "declined: it cannot be accepted. Nothing was changed");
    }
    const std::string from = shown_name(inv.from_name);
    ctx.out() << fmt::format("{} invites you to keep a duet journal alongside them.\n",
                             inv.from_name.empty() ? "Your partner" : from);
    if (!inv.message.empty()) {
        ctx.out() << "\nTheir note:\n";
        show_note(ctx.out(), inv.message);
    }
    ctx.out() << '\n' << exchange::joining_explained() << '\n';
    ctx.out() << exchange::safety_note() << '\n';
    if (!o.yes) {
        if (!ctx.terminal().interactive()) {
            throw UsageError("accepting needs your own yes: run this on a terminal, or add --yes");
        }
        if (!ask_yes_no(ctx.terminal(), fmt::format("Link your journal with {}'s?", from))) {
            ctx.out() << "Nothing was changed. You can decide later, or not at all.\n";
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
        throw UsageError(fmt::format("this journal is already linked with {}; `duet invite "
                                     "leave` ends a link",
                                     partner_name(*partner)));
    }
    const fs::path dir = o.shared.empty() ? fs::absolute(o.file).parent_path() : fs::path(o.shared);
    fs::create_directories(dir);
    const std::string my_name = display_name(ctx, &journal, o.name);
    // The reply goes out first: a journal never counts as linked if its answer was not written.
    const fs::path reply = exchange::write_acceptance(journal, inv, my_name, dir);
    exchange::remember_shared_folder(journal, dir);
    exchange::save_partner(
        journal, {inv.from_name, inv.public_key, util::format_day(util::today()), "", {}, inv.id});
    ctx.out() << fmt::format("Linked with {}. Your answer is in {}{}.\n", from, reply.string(),
                             my_name.empty() ? " (it gives no name)"
                                             : fmt::format(" (it gives your name as {})",
                                                           util::printable(my_name, false)));
    ctx.out() << safety_line(mine, inv.public_key) << '\n';
    ctx.out() << fmt::format("When you are next together, check that {} sees the same code "
                             "(`duet invite status`); then `duet invite verify` notes that you "
                             "did.\n",
                             from);
    ctx.out() << "Your journal stays private. Nothing is shared unless you share an entry "
                 "yourself (`duet share`), and `duet invite leave` ends the link at any time.\n";
    return 0;
}

int run_invite_decline(const InviteAnswerOptions& o, Context& ctx) {
    const exchange::Invitation inv = load_invitation(o.file);
    if (!util::is_valid_utf8(o.message)) {
        throw DataError("--message is not UTF-8 text");
    }
    if (o.message.size() > exchange::k_max_note - 32) {
        throw UsageError("--message is too long for a decline; a few lines are plenty");
    }
    exchange::Decline d;
    d.invitation_id = inv.id;
    d.message = exchange::decline_text(o.not_now ? exchange::DeclineKind::not_now
                                                 : exchange::DeclineKind::no_thank_you,
                                       o.message);
    const std::string to = shown_name(inv.from_name);
    ctx.out() << fmt::format("This is exactly what {} will read:\n\n", to);
    show_note(ctx.out(), d.message);
    ctx.out() << '\n';
    if (!o.yes && ctx.terminal().interactive() &&
        !ask_yes_no(ctx.terminal(), "Write this answer next to the invitation?")) {
        ctx.out() << "Nothing was written. You can answer later, differently, or not at all.\n";
        return 0;
    }
    const fs::path file = fs::absolute(o.file).parent_path() /
                          fmt::format("duet-decline-{}-{}.txt", inv.id.substr(0, 8),
                                      crypto::to_hex(crypto::random_bytes(3)));
    util::write_file_atomic(file, exchange::render_decline(d), false, 0644);
    ctx.out() << fmt::format("Your answer is in {}. Nothing else is shared, and this invitation "
                             "can no longer be accepted.\n",
                             file.string());
    return 0;
}

} // namespace duet::cli
