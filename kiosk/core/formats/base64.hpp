// Base64 (standard alphabet) for keys, signatures and sealed answers, through
// libsodium. Callers link libsodium and call sodium_init() first.
#pragma once

#include <sodium.h>

#include <cstring>
#include <string>
#include <vector>

namespace sayso::formats {

inline std::string to_base64(const unsigned char* data, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

// Decodes `text` (white space ignored) into exactly `size` bytes; false if it
// is not base64 or not that long.
inline bool from_base64(const std::string& text, std::vector<unsigned char>& out, std::size_t size) {
    out.assign(size, 0);
    if (size == 0) return text.find_first_not_of(" \n\r\t") == std::string::npos;
    std::size_t len = 0;
    return sodium_base642bin(out.data(), size, text.data(), text.size(), " \n\r\t", &len, nullptr,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           len == size;
}

// Decodes `text` of any length (up to its own length in bytes).
inline bool from_base64(const std::string& text, std::vector<unsigned char>& out) {
    out.clear();
    if (text.empty()) return true; // (and libsodium must never be handed an empty buffer's null pointer)
    out.assign(text.size(), 0);
    std::size_t len = 0;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), " \n\r\t", &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    out.resize(len);
    return true;
}

} // namespace sayso::formats
