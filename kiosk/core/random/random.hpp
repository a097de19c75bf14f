// Random ids, tokens and codes, all from libsodium's CSPRNG (the kernel's
// getrandom underneath), and bytes written as hex: done once, here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sayso::random {

// `bytes` random bytes as 2 * `bytes` lowercase hex digits.
std::string random_hex(std::size_t bytes);
// A uniform random number from 0 to `upper` - 1, without modulo bias.
std::uint32_t random_below(std::uint32_t upper);
// `size` bytes as lowercase hex digits.
std::string to_hex(const void* data, std::size_t size);

} // namespace sayso::random
