#include "duet/cli/context.hpp"

#include "duet/error.hpp"
#include "duet/util/files.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <unistd.h>

namespace duet::cli {

namespace fs = std::filesystem;

namespace {
fs::path xdg_data_home() {
    if (auto x = util::env("XDG_DATA_HOME"); x && fs::path(*x).is_absolute()) {
        return *x;
    }
    if (auto home = util::env("HOME")) {
        return fs::path(*home) / ".local" / "share";
    }
    throw RuntimeError("neither XDG_DATA_HOME nor HOME is set; use --home DIR or DUET_HOME");
}

fs::path self_exe() {
    std::error_code ec;
    return fs::read_symlink("/proc/self/exe", ec);
}

bool is_within(const fs::path& inner, const fs::path& outer) {
    const auto [o_end, i_it] =
        std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
    return o_end == outer.end();
}
} // namespace

fs::path bundled_prompts_dir() {
    std::error_code ec;
    const fs::path exe = self_exe();
    if (!exe.empty()) {
        const fs::path exe_dir = exe.parent_path();
        // A binary inside the build tree uses the packs of its source tree.
        const fs::path build_dir = fs::weakly_canonical(DUET_BUILD_DIR, ec);
        if (!build_dir.empty() && is_within(exe_dir, build_dir)) {
            return DUET_SOURCE_PROMPTS_DIR;
        }
        // An installed (possibly relocated) binary: PREFIX/bin/duet -> PREFIX/share/duet/prompts.
        const fs::path relative = exe_dir.parent_path() / "share" / "duet" / "prompts";
        if (fs::is_directory(relative, ec)) {
            return relative;
        }
    }
    return DUET_INSTALL_PROMPTS_DIR;
}

SecretSources SecretSources::take_from_environment() {
    SecretSources s;
    if (const char* v = std::getenv("DUET_PASSPHRASE"); v != nullptr && *v != '\0') {
        const std::string_view view(v);
        s.env_passphrase.emplace(crypto::as_bytes(view));
    }
    s.file = util::env("DUET_PASSPHRASE_FILE");
    s.command = util::env("DUET_PASSPHRASE_COMMAND");
    ::unsetenv("DUET_PASSPHRASE");
    ::unsetenv("DUET_PASSPHRASE_FILE");
    ::unsetenv("DUET_PASSPHRASE_COMMAND");
    return s;
}

store::DataFolder Context::data_folder() const {
    if (!m_options.home.empty()) {
        return {fs::absolute(m_options.home)};
    }
    if (auto h = util::env("DUET_HOME")) {
        return {fs::absolute(*h)};
    }
    return {xdg_data_home() / "duet"};
}

std::vector<prompts::SearchDir> Context::search_dirs() const {
    std::vector<prompts::SearchDir> dirs;
    for (const std::string& d : m_options.prompts) {
        dirs.push_back({d, "--prompts"});
    }
    if (auto p = util::env("DUET_PROMPTS_PATH")) {
        for (const std::string& d : util::split(*p, ':')) {
            if (!d.empty()) {
                dirs.push_back({d, "DUET_PROMPTS_PATH"});
            }
        }
    }
    try {
        dirs.push_back({xdg_data_home() / "duet" / "prompts", "user"});
    } catch (const RuntimeError&) {
        // No home folder: only the other places are searched.
    }
    dirs.push_back({bundled_prompts_dir(), "bundled"});
    return dirs;
}

prompts::Library Context::load_library() const {
    return prompts::Library::load(search_dirs());
}

std::map<std::string, std::string> Context::config() const {
    std::map<std::string, std::string> out;
    const fs::path file = data_folder().config();
    const auto content = util::read_file_if_exists(file, 64 * 1024);
    if (!content) {
        return out;
    }
    int line_no = 0;
    for (const std::string& raw : util::split(*content, '\n')) {
        ++line_no;
        const std::string line = util::trim(raw);
        if (line.empty() || line[0] == '#') {
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos) {
            throw DataError(fmt::format("{}:{}: expected 'key = value'", file.string(), line_no));
        }
        out[util::trim(line.substr(0, eq))] = util::trim(line.substr(eq + 1));
    }
    return out;
}

std::string Context::default_pack() const {
    const auto cfg = config();
    if (auto it = cfg.find("pack"); it != cfg.end() && !it->second.empty()) {
        return it->second;
    }
    return "daily";
}

void Context::require_journal() const {
    const store::DataFolder folder = data_folder();
    if (!store::Journal::exists(folder)) {
        throw RuntimeError(fmt::format("there is no journal in {} yet; `duet reflect` starts one",
                                       folder.dir.string()));
    }
}

} // namespace duet::cli
