#pragma once
// Reading and writing file descriptors whole, retrying when a signal
// interrupts a call: the one place that loops over read(2) and write(2).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace duet::util {

// Writes all of bytes. false when a write fails (errno says why; EIO when the
// system wrote nothing and gave no reason), for instance a reader that has gone.
bool write_all(int fd, std::string_view bytes);

// One read(2), retried after a signal: the bytes read, 0 at the end, -1 on
// failure (errno says why).
ssize_t read_some(int fd, void* buf, std::size_t size);

// Reads until size bytes arrived or the input ended, from offset with pread(2)
// when one is given: how many bytes were read, or -1 on failure (errno).
ssize_t read_full(int fd, void* buf, std::size_t size,
                  std::optional<std::uint64_t> offset = std::nullopt);

enum class ReadEnd { complete, failed, too_large };
// Appends what fd holds up to its end to out. too_large as soon as out would
// pass max_size (what was read so far stays in out); failed sets errno.
ReadEnd read_to_end(int fd, std::string& out, std::size_t max_size);

} // namespace duet::util
