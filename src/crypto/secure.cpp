#include "duet/crypto/secure.hpp"

#include "duet/error.hpp"

#include <sodium.h>

#include <new>
#include <utility>

namespace duet::crypto {

void init() {
    if (sodium_init() < 0) {
        throw RuntimeError("could not initialise libsodium");
    }
}

SecureBytes::SecureBytes(std::size_t capacity) : m_size(capacity), m_capacity(capacity) {
    // sodium_malloc(0) is valid but keep one byte so data() is never null.
    m_data = static_cast<unsigned char*>(sodium_malloc(capacity == 0 ? 1 : capacity));
    if (m_data == nullptr) {
        throw std::bad_alloc();
    }
}

SecureBytes::SecureBytes(ByteView content) : SecureBytes(content.size()) {
    if (!content.empty()) {
        std::copy(content.begin(), content.end(), m_data);
    }
}

SecureBytes::~SecureBytes() {
    if (m_data != nullptr) {
        sodium_free(m_data); // wipes before freeing
    }
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : m_data(std::exchange(other.m_data, nullptr)), m_size(std::exchange(other.m_size, 0)),
      m_capacity(std::exchange(other.m_capacity, 0)) {}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
    if (this != &other) {
        if (m_data != nullptr) {
            sodium_free(m_data);
        }
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_capacity = std::exchange(other.m_capacity, 0);
    }
    return *this;
}

void SecureBytes::resize(std::size_t n) {
    if (n > m_capacity) {
        throw std::length_error("SecureBytes::resize beyond capacity");
    }
    if (n < m_size) {
        sodium_memzero(m_data + n, m_size - n);
    }
    m_size = n;
}

Bytes random_bytes(std::size_t n) {
    Bytes out(n);
    randombytes_buf(out.data(), out.size());
    return out;
}

void wipe(void* data, std::size_t size) noexcept {
    sodium_memzero(data, size);
}

bool equal_constant_time(ByteView a, ByteView b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(ByteView b) {
    std::string out(b.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), b.data(), b.size());
    out.pop_back();
    return out;
}

ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

} // namespace duet::crypto
