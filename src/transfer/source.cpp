#include "source.hpp"

#include "duet/error.hpp"
#include "duet/transfer/import.hpp"
#include "duet/util/io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <unistd.h>

namespace duet::transfer {

[[noreturn]] void fail_changed(std::string_view name) {
    throw DataError(fmt::format("{} changed while it was being imported; nothing was imported, "
                                "please try again",
                                name));
}

std::string too_large(std::string_view name) {
    return fmt::format("{} is too large (over {} bytes)", name, k_max_import_size);
}

[[noreturn]] void fail_read(std::string_view name) {
    throw RuntimeError(fmt::format("could not read {}: {}", name, std::strerror(errno)));
}

std::string read_all(int fd, std::string_view name) {
    std::string text;
    switch (util::read_to_end(fd, text, k_max_import_size)) {
    case util::ReadEnd::complete:
        return text;
    case util::ReadEnd::failed:
        fail_read(name);
    case util::ReadEnd::too_large:
        break;
    }
    throw DataError(too_large(name));
}

Source::~Source() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

std::string_view Source::read(std::uint64_t offset, std::size_t size, std::string& buffer) const {
    if (m_fd < 0) {
        return offset < m_text.size() ? m_text.substr(offset) : std::string_view();
    }
    const std::uint64_t left = offset < m_file_size ? m_file_size - offset : 0;
    buffer.resize(static_cast<std::size_t>(std::min<std::uint64_t>(size, left)));
    const ssize_t got = util::read_full(m_fd, buffer.data(), buffer.size(), offset);
    if (got < 0) {
        throw RuntimeError(fmt::format("could not read {}: {}", m_name, std::strerror(errno)));
    }
    // Fewer bytes than asked for: the file was cut short since it was opened.
    buffer.resize(static_cast<std::size_t>(got));
    return buffer;
}

void Source::check_unchanged() const {
    struct stat now {};
    if (m_fd >= 0 && (::fstat(m_fd, &now) != 0 || now.st_size != m_stat.st_size ||
                      now.st_mtim.tv_sec != m_stat.st_mtim.tv_sec ||
                      now.st_mtim.tv_nsec != m_stat.st_mtim.tv_nsec)) {
        fail_changed(m_name);
    }
}

bool Source::blank() const {
    std::string buffer;
    std::uint64_t offset = 0;
    for (;;) {
        const std::string_view chunk = read(offset, k_read_size, buffer);
        if (chunk.empty()) {
            return true;
        }
        if (chunk.find_first_not_of(" \t\r\n") != std::string_view::npos) {
            return false;
        }
        offset += chunk.size();
    }
}

std::string_view RecordReader::read(const EntryPlace& place) {
    if (place.offset < m_offset || place.offset + place.length > m_offset + m_window.size()) {
        m_offset = place.offset;
        m_window =
            m_source.read(place.offset, std::max<std::size_t>(place.length, k_read_size), m_buffer);
        if (m_window.size() < place.length) {
            fail_changed(m_source.name());
        }
    }
    return m_window.substr(place.offset - m_offset, place.length);
}

} // namespace duet::transfer
