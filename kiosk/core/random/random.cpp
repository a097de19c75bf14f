#include "random/random.hpp"

#include <sodium.h>

#include <cstdlib>
#include <vector>

namespace sayso::random {

namespace {
void ready() {
    // libsodium can't start only without a source of randomness; nothing made here would be safe.
    if (sodium_init() < 0) std::abort();
}
} // namespace

std::string random_hex(std::size_t bytes) {
    ready();
    std::vector<unsigned char> b(bytes);
    randombytes_buf(b.data(), b.size());
    std::string hex = to_hex(b.data(), b.size());
    sodium_memzero(b.data(), b.size());
    return hex;
}

std::uint32_t random_below(std::uint32_t upper) {
    ready();
    return randombytes_uniform(upper);
}

std::string to_hex(const void* data, std::size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), static_cast<const unsigned char*>(data), size);
    hex.pop_back();
    return hex;
}

} // namespace sayso::random
