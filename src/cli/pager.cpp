#include "duet/cli/pager.hpp"

#include "duet/util/files.hpp"
#include "duet/util/io.hpp"
#include "duet/util/process.hpp"
#include "duet/util/text.hpp"

#include <fmt/format.h>

#include <csignal>
#include <optional>
#include <ostream>
#include <string>
#include <sys/wait.h>
#include <utility>

namespace duet::cli {

namespace {

constexpr std::string_view k_default_pager = "less -FRX";

class ProcessPager final : public Pager {
  public:
    ProcessPager(Output& output, std::string command)
        : m_output(output), m_command(std::move(command)) {
        for (const int sig : {SIGPIPE, SIGINT, SIGQUIT}) {
            m_quiet.ignore(sig);
        }
    }
    ProcessPager(const ProcessPager&) = delete;
    ProcessPager& operator=(const ProcessPager&) = delete;
    ~ProcessPager() override {
        if (m_child) {
            m_child->close_pipe();
            (void)m_child->wait();
        }
    }

    bool start() {
        util::ChildOptions options;
        options.pipe = util::ChildPipe::to_stdin;
        options.default_signals = {SIGPIPE, SIGINT, SIGQUIT};
        // less keeps colour and quits on short text when LESS does not say otherwise.
        options.env_defaults = {{"LESS", "FRX"}};
        auto child = util::ChildProcess::start_shell(m_command, {}, options);
        if (!child) {
            return false;
        }
        m_child.emplace(std::move(*child));
        return true;
    }

    bool write(std::string_view text) override {
        // A failed write means the person quit the pager before the end: fine.
        if (m_gone || !m_child || !util::write_all(m_child->pipe_fd(), text)) {
            m_gone = true;
            return false;
        }
        return true;
    }

    bool finish() override {
        if (!m_child) {
            return false;
        }
        m_child->close_pipe();
        const int status = m_child->wait();
        m_child.reset();
        // 126/127: the shell could not find or run the pager, so nothing was shown.
        if (WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)) {
            m_output.err() << fmt::format(
                "duet: the pager '{}' could not be started; showing the text "
                "directly (set PAGER to change it).\n",
                util::printable(m_command, false));
            return false;
        }
        return true;
    }

  private:
    Output& m_output;
    std::string m_command;
    util::ScopedSignals m_quiet;
    std::optional<util::ChildProcess> m_child;
    bool m_gone = false;
};

} // namespace

std::unique_ptr<Pager> start_pager(Output& output) {
    auto pager = std::make_unique<ProcessPager>(
        output, util::env("PAGER").value_or(std::string(k_default_pager)));
    if (!pager->start()) {
        return nullptr;
    }
    return pager;
}

} // namespace duet::cli
