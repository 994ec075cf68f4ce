// reflect --list and reflect --check: the prompt-pack side of reflect.
#include "duet/cli/commands.hpp"
#include "duet/error.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

namespace duet::cli {

namespace {
void report_broken(std::ostream& err, const prompts::Library& lib) {
    for (const prompts::BrokenPack& bp : lib.broken()) {
        for (const prompts::Diagnostic& d : bp.problems) {
            err << "duet: " << util::printable(d.to_string(), false) << '\n';
        }
    }
}
} // namespace

int run_pack_list(const ReflectOptions& o, Context& ctx) {
    const prompts::Library lib = ctx.load_library();
    Terminal& t = ctx.terminal();
    if (!o.pack.empty()) {
        const prompts::Pack& pack = lib.pack(o.pack);
        ctx.out() << bold(t, fmt::format("{} — {}", pack.name, util::printable(pack.title, false)))
                  << '\n';
        if (!pack.description.empty()) {
            ctx.out() << util::wrap(util::printable(pack.description), t.width(), "  ");
        }
        ctx.out() << fmt::format("  {} prompts, {}; from {}\n\n", pack.prompts.size(),
                                 pack.order == prompts::Order::daily ? "one a day"
                                                                     : "walked in order",
                                 pack.file.string());
        for (const prompts::Prompt& p : pack.prompts) {
            std::string kind(prompts::kind_name(p.kind));
            if (p.kind == prompts::Kind::scale) {
                kind += fmt::format(" {}-{}", p.scale_min, p.scale_max);
            }
            if (p.together) {
                kind += ", together";
            }
            ctx.out() << fmt::format("  {}/{}  ({})\n", pack.name, p.id, kind);
            ctx.out() << util::wrap(util::printable(p.text), t.width(), "      ");
        }
    } else {
        for (const prompts::FoundPack& fp : lib.packs()) {
            ctx.out() << fmt::format("{:<16} {:>3} prompts  {}\n", fp.pack.name,
                                     fp.pack.prompts.size(), util::printable(fp.pack.title, false));
            ctx.out() << dim(t, fmt::format("{:<16} {} ({})", "", fp.pack.file.string(), fp.origin))
                      << '\n';
        }
        for (const prompts::FoundPack& fp : lib.hidden()) {
            ctx.out() << dim(t, fmt::format("{:<16} hidden by the pack of the same name above: {}",
                                            fp.pack.name, fp.pack.file.string()))
                      << '\n';
        }
        if (lib.packs().empty()) {
            ctx.out() << "No prompt packs found. Searched:\n";
            for (const prompts::SearchDir& d : ctx.search_dirs()) {
                ctx.out() << fmt::format("  {} ({})\n", d.dir.string(), d.origin);
            }
        }
    }
    report_broken(ctx.err(), lib);
    return lib.broken().empty() ? 0 : static_cast<int>(ExitCode::invalid_data);
}

int run_pack_check(const std::vector<std::string>& files, Context& ctx) {
    bool all_good = true;
    for (const std::string& f : files) {
        const prompts::ParseResult r = prompts::load_pack_file(f);
        if (r.pack) {
            ctx.out() << fmt::format("{}: ok, pack '{}' with {} prompts\n", f, r.pack->name,
                                     r.pack->prompts.size());
            continue;
        }
        all_good = false;
        for (const prompts::Diagnostic& d : r.problems) {
            ctx.err() << util::printable(d.to_string(), false) << '\n';
        }
    }
    return all_good ? 0 : static_cast<int>(ExitCode::invalid_data);
}

} // namespace duet::cli
