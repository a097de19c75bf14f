// Stepping through UTF-8 by code point, done once: where a character starts,
// how many there are, and each as a code point (bad bytes as U+FFFD).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sayso::utf8 {

// A byte that continues a code point (10xxxxxx) rather than starting one.
inline bool continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The nearest code point start at or before byte `i`; s.size() from past the end.
inline std::size_t floor_boundary(std::string_view s, std::size_t i) {
    if (i >= s.size()) return s.size();
    while (i > 0 && continuation(s[i]))
        --i;
    return i;
}

// The nearest code point start at or after byte `i`, or s.size().
inline std::size_t ceil_boundary(std::string_view s, std::size_t i) {
    while (i < s.size() && continuation(s[i]))
        ++i;
    return std::min(i, s.size());
}

// How many code points (each counted by its first byte).
inline std::size_t count(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return !continuation(c); }));
}

// One string per code point, in order.
inline std::vector<std::string> split(std::string_view s) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t next = ceil_boundary(s, i + 1);
        out.emplace_back(s.substr(i, next - i));
        i = next;
    }
    return out;
}

// Code points; a byte that does not start a whole sequence (or starts a
// surrogate or a value past U+10FFFF) is U+FFFD, and decoding goes on from
// the next byte.
inline std::u32string decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + static_cast<std::size_t>(len) > s.size()) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
        bool ok = true;
        for (int k = 1; k < len; ++k) {
            const char cc = s[i + static_cast<std::size_t>(k)];
            if (!continuation(cc)) ok = false;
            cp = (cp << 6) | (static_cast<unsigned char>(cc) & 0x3F);
        }
        if (!ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(len);
    }
    return out;
}

} // namespace sayso::utf8
