#include "duet/util/io.hpp"

#include <cerrno>
#include <unistd.h>

namespace duet::util {

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = EIO;
            }
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

ssize_t read_some(int fd, void* buf, std::size_t size) {
    for (;;) {
        const ssize_t n = ::read(fd, buf, size);
        if (n >= 0 || errno != EINTR) {
            return n;
        }
    }
}

ssize_t read_full(int fd, void* buf, std::size_t size, std::optional<std::uint64_t> offset) {
    auto* const bytes = static_cast<char*>(buf);
    std::size_t got = 0;
    while (got < size) {
        const ssize_t n =
            offset ? ::pread(fd, bytes + got, size - got, static_cast<off_t>(*offset + got))
                   : ::read(fd, bytes + got, size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    return static_cast<ssize_t>(got);
}

ReadEnd read_to_end(int fd, std::string& out, std::size_t max_size) {
    char buf[65536];
    for (;;) {
        const ssize_t n = read_some(fd, buf, sizeof buf);
        if (n < 0) {
            return ReadEnd::failed;
        }
        if (n == 0) {
            return ReadEnd::complete;
        }
        if (out.size() + static_cast<std::size_t>(n) > max_size) {
            return ReadEnd::too_large;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
}

} // namespace duet::util
