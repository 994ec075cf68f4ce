#include "duet/util/io.hpp"
#include "duet/util/process.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace duet::util;

namespace {
std::string read_everything(int fd) {
    std::string out;
    REQUIRE(read_to_end(fd, out, 1 << 20) == ReadEnd::complete);
    return out;
}

bool is_gone(pid_t pid) {
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}
} // namespace

TEST_CASE("util::write_all and read_to_end") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    CHECK(write_all(fds[1], "hello, "));
    CHECK(write_all(fds[1], ""));
    CHECK(write_all(fds[1], "world"));
    ::close(fds[1]);
    std::string out = "> ";
    CHECK(read_to_end(fds[0], out, 100) == ReadEnd::complete);
    CHECK(out == "> hello, world");
    ::close(fds[0]);

    SUBCASE("too much") {
        REQUIRE(::pipe(fds) == 0);
        CHECK(write_all(fds[1], "0123456789"));
        ::close(fds[1]);
        std::string text;
        CHECK(read_to_end(fds[0], text, 9) == ReadEnd::too_large);
        ::close(fds[0]);
    }
    SUBCASE("a reader that has gone") {
        struct sigaction ignore {};
        struct sigaction old {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ignore, &old);
        REQUIRE(::pipe(fds) == 0);
        ::close(fds[0]);
        CHECK_FALSE(write_all(fds[1], "nobody reads this"));
        CHECK(errno == EPIPE);
        ::close(fds[1]);
        ::sigaction(SIGPIPE, &old, nullptr);
    }
    SUBCASE("a bad descriptor") {
        char c = 0;
        CHECK(read_some(-1, &c, 1) == -1);
        CHECK(read_full(-1, &c, 1) == -1);
        std::string text;
        CHECK(read_to_end(-1, text, 9) == ReadEnd::failed);
    }
}

TEST_CASE("util::read_full") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    CHECK(write_all(fds[1], "abcdef"));
    ::close(fds[1]);
    char buf[4] = {};
    CHECK(read_full(fds[0], buf, sizeof buf) == 4);
    CHECK(std::string(buf, 4) == "abcd");
    CHECK(read_full(fds[0], buf, sizeof buf) == 2); // the input ended
    ::close(fds[0]);

    SUBCASE("from an offset") {
        const int fd = ::open("offsets.txt", O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        CHECK(write_all(fd, "0123456789"));
        CHECK(read_full(fd, buf, 3, 4) == 3);
        CHECK(std::string(buf, 3) == "456");
        CHECK(read_full(fd, buf, 4, 8) == 2);
        ::close(fd);
    }
}

TEST_CASE("util::ChildProcess") {
    SUBCASE("exit status and arguments") {
        auto child = ChildProcess::start_shell("exit \"$1\"", {"sh", "7"}, {});
        REQUIRE(child);
        CHECK(child->pipe_fd() == -1);
        const int status = child->wait();
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 7);
    }
    SUBCASE("reading its output") {
        ChildOptions options;
        options.pipe = ChildPipe::from_stdout;
        auto child = ChildProcess::start_shell("printf 'out:%s' \"$DUET_TEST_X\"", {}, options);
        REQUIRE(child);
        CHECK(read_everything(child->pipe_fd()) == "out:");
        CHECK(child->wait() == 0);
    }
    SUBCASE("environment defaults do not override") {
        ::setenv("DUET_TEST_SET", "mine", 1);
        ChildOptions options;
        options.pipe = ChildPipe::from_stdout;
        options.env_defaults = {{"DUET_TEST_SET", "default"}, {"DUET_TEST_UNSET", "default"}};
        auto child = ChildProcess::start_shell("printf '%s,%s' \"$DUET_TEST_SET\" "
                                               "\"$DUET_TEST_UNSET\"",
                                               {}, options);
        REQUIRE(child);
        CHECK(read_everything(child->pipe_fd()) == "mine,default");
        CHECK(child->wait() == 0);
        ::unsetenv("DUET_TEST_SET");
    }
    SUBCASE("writing its input") {
        ChildOptions options;
        options.pipe = ChildPipe::to_stdin;
        auto child = ChildProcess::start_shell("test \"$(cat)\" = 'to the child'", {}, options);
        REQUIRE(child);
        CHECK(write_all(child->pipe_fd(), "to the child"));
        child->close_pipe();
        CHECK(child->pipe_fd() == -1);
        CHECK(child->wait() == 0);
    }
    SUBCASE("try_wait and kill reach the whole group") {
        ChildOptions options;
        options.own_process_group = true;
        auto child = ChildProcess::start_shell("sleep 30 & wait", {}, options);
        REQUIRE(child);
        CHECK_FALSE(child->try_wait());
        child->kill(SIGKILL);
        const int status = child->wait();
        CHECK(WIFSIGNALED(status));
        CHECK(WTERMSIG(status) == SIGKILL);
        child->kill(SIGKILL); // reaped: nothing to send to
    }
    SUBCASE("destroyed while running: killed and reaped, pipe closed") {
        pid_t pid = 0;
        {
            ChildOptions options;
            options.pipe = ChildPipe::from_stdout;
            auto child = ChildProcess::start_shell("echo $$; exec sleep 30", {}, options);
            REQUIRE(child);
            char buf[32] = {};
            const ssize_t n = read_some(child->pipe_fd(), buf, sizeof buf - 1);
            REQUIRE(n > 0);
            pid = static_cast<pid_t>(std::stol(std::string(buf, static_cast<std::size_t>(n))));
        }
        CHECK(is_gone(pid));
    }
    SUBCASE("an interrupted wait calls back and goes on") {
        ScopedSignals signals;
        signals.handle(SIGALRM, [](int) {});
        auto child = ChildProcess::start_shell("sleep 0.3", {}, {});
        REQUIRE(child);
        ::ualarm(50'000, 0);
        int calls = 0;
        CHECK(child->wait([&] { ++calls; }) == 0);
        CHECK(calls == 1);
    }
}

TEST_CASE("util::ScopedSignals") {
    struct sigaction before {};
    ::sigaction(SIGUSR1, nullptr, &before);
    {
        ScopedSignals signals;
        signals.ignore(SIGUSR1);
        struct sigaction now {};
        ::sigaction(SIGUSR1, nullptr, &now);
        CHECK((now.sa_handler == SIG_IGN));
        ::raise(SIGUSR1); // ignored, so the test goes on
    }
    struct sigaction after {};
    ::sigaction(SIGUSR1, nullptr, &after);
    CHECK((after.sa_handler == before.sa_handler));
}
