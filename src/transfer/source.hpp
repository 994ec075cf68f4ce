#pragma once
// Internal to transfer/: the bytes of an export, read as a stream for the
// checking pass and again record by record when the entries are added.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace duet::transfer {

inline constexpr std::size_t k_read_size = 64 * 1024;

// DataError: the file is not the one that was checked any more.
[[noreturn]] void fail_changed(std::string_view name);
// "NAME is too large (over N bytes)".
std::string too_large(std::string_view name);
// RuntimeError "could not read NAME: " and errno's words.
[[noreturn]] void fail_read(std::string_view name);
// All that `fd` gives (a pipe, standard input), at most k_max_import_size bytes.
std::string read_all(int fd, std::string_view name);

// Where the export's bytes are: a regular file, read on demand, or text in memory.
class Source {
  public:
    // Text that outlives the source.
    Source(std::string_view text, std::string name) : m_text(text), m_name(std::move(name)) {}
    // Text read from a pipe, which cannot be read twice.
    Source(std::string&& text, std::string name)
        : m_owned(std::move(text)), m_text(m_owned), m_name(std::move(name)) {}
    // A regular file open as `fd`, which the source now owns.
    Source(int fd, const struct stat& st, std::string name)
        : m_fd(fd), m_file_size(static_cast<std::uint64_t>(st.st_size)), m_stat(st),
          m_name(std::move(name)) {}
    ~Source();
    Source(const Source&) = delete;
    Source& operator=(const Source&) = delete;

    const std::string& name() const { return m_name; }

    // The bytes from `offset` on: the rest of text in memory, or up to `size`
    // bytes of the file (as it was checked), read into `buffer`.
    std::string_view read(std::uint64_t offset, std::size_t size, std::string& buffer) const;

    // DataError when the file is no longer the one that was checked.
    void check_unchanged() const;

    // Nothing but JSON's blank space, or nothing at all.
    bool blank() const;

  private:
    std::string m_owned;
    std::string_view m_text;
    int m_fd = -1;
    std::uint64_t m_file_size = 0;
    struct stat m_stat {};
    std::string m_name;
};

// The source from start to end, for the JSON parser: it reads through the
// iterator one byte at a time, and offset() says how many it has taken.
class Stream {
  public:
    explicit Stream(const Source& source) : m_source(source) {}

    std::uint64_t offset() const {
        return m_window_offset + static_cast<std::uint64_t>(m_next - m_window.data());
    }

    // An input iterator whose copies all advance the one stream.
    class Iterator {
      public:
        using iterator_category = std::input_iterator_tag;
        using value_type = char;
        using difference_type = std::ptrdiff_t;
        using pointer = const char*;
        using reference = char;

        Iterator() = default;
        explicit Iterator(Stream* stream) : m_stream(stream) {}
        char operator*() const { return *m_stream->m_next; }
        Iterator& operator++() {
            ++m_stream->m_next;
            return *this;
        }
        bool operator==(const Iterator& other) const { return at_end() == other.at_end(); }

      private:
        bool at_end() const {
            return m_stream == nullptr ||
                   (m_stream->m_next == m_stream->m_end && !m_stream->refill());
        }
        Stream* m_stream = nullptr;
    };

    Iterator begin() { return Iterator(this); }
    static Iterator end() { return Iterator(); }

  private:
    bool refill() {
        m_window_offset += m_window.size();
        m_window = m_source.read(m_window_offset, k_read_size, m_buffer);
        m_next = m_window.data();
        m_end = m_next + m_window.size();
        return !m_window.empty();
    }

    const Source& m_source;
    std::string m_buffer;
    std::string_view m_window;
    std::uint64_t m_window_offset = 0;
    const char* m_next = nullptr;
    const char* m_end = nullptr;
};

// All that is kept of an entry between checking the file and adding it.
struct EntryPlace {
    std::int64_t seconds; // created_at, to sort by
    std::uint64_t offset; // the record's bytes in the file
    std::uint32_t length;
    std::uint32_t number; // in "entries", from 1, for messages
};

// An entry, by its place in the order handed out, whose identity the file
// holds more than once: its occurrence, counted from 1 in that order.
struct Repeat {
    std::uint32_t index;
    std::uint32_t occurrence;
};

// The repeated identities among the places (oldest first), told by each
// record's fingerprint (`fingerprints`, by record number from 1); by index.
std::vector<Repeat> find_repeats(const std::vector<EntryPlace>& places,
                                 const std::vector<std::uint64_t>& fingerprints);

// Serves the records' bytes by their place: from a file through a read-ahead
// buffer, as consecutive entries mostly sit next to each other.
class RecordReader {
  public:
    explicit RecordReader(const Source& source) : m_source(source) {}

    std::string_view read(const EntryPlace& place);

  private:
    const Source& m_source;
    std::string m_buffer;
    std::string_view m_window;
    std::uint64_t m_offset = 0;
};

} // namespace duet::transfer
