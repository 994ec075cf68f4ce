#pragma once
// Guarded memory for keys and passphrases, and libsodium start-up.
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace duet::crypto {

using Bytes = std::vector<unsigned char>;
using ByteView = std::span<const unsigned char>;

// Must run before any other crypto call; safe to call more than once.
void init();

// A buffer in libsodium's guarded memory (sodium_malloc): guard pages,
// locked against swapping, wiped when freed. Move-only.
class SecureBytes {
  public:
    SecureBytes() = default;
    explicit SecureBytes(std::size_t capacity);
    SecureBytes(ByteView content);
    ~SecureBytes();
    SecureBytes(SecureBytes&& other) noexcept;
    SecureBytes& operator=(SecureBytes&& other) noexcept;
    SecureBytes(const SecureBytes&) = delete;
    SecureBytes& operator=(const SecureBytes&) = delete;

    unsigned char* data() noexcept { return m_data; }
    const unsigned char* data() const noexcept { return m_data; }
    std::size_t size() const noexcept { return m_size; }
    std::size_t capacity() const noexcept { return m_capacity; }
    bool empty() const noexcept { return m_size == 0; }
    // Shrinks or grows within the capacity fixed at construction.
    void resize(std::size_t n);
    ByteView view() const noexcept { return {m_data, m_size}; }
    std::string_view str() const noexcept {
        return {reinterpret_cast<const char*>(m_data), m_size};
    }

  private:
    unsigned char* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_capacity = 0;
};

Bytes random_bytes(std::size_t n);
// Overwrites memory with zeros in a way the compiler may not leave out.
void wipe(void* data, std::size_t size) noexcept;
bool equal_constant_time(ByteView a, ByteView b);
std::string to_hex(ByteView b);
ByteView as_bytes(std::string_view s);

} // namespace duet::crypto
