#include "message.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <optional>

namespace sayso::http {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::string Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return "";
}

bool Request::has_param(std::string_view name) const {
    for (const auto* ps : {&query, &form})
        for (const auto& [k, v] : *ps)
            if (k == name) return true;
    return false;
}

std::string Request::param(std::string_view name) const {
    for (const auto* ps : {&query, &form})
        for (const auto& [k, v] : *ps)
            if (k == name) return v;
    return "";
}

void Response::set_header(std::string name, std::string value) {
    for (auto& [k, v] : headers)
        if (iequals(k, name)) {
            v = std::move(value);
            return;
        }
    headers.emplace_back(std::move(name), std::move(value));
}

std::string Response::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return v;
    return "";
}

void Response::set_content(std::string content, std::string type) {
    body = std::move(content);
    set_header("Content-Type", std::move(type));
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

namespace {
// Digits only, at most 18 of them (no overflow); nullopt otherwise.
std::optional<std::size_t> whole_number(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    std::size_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return n;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}
} // namespace

ByteRange byte_range(std::string_view header, std::size_t size) {
    ByteRange whole;
    header = trimmed(header);
    if (header.size() < 6 || !iequals(header.substr(0, 6), "bytes=")) return whole;
    const std::string_view spec = trimmed(header.substr(6));
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos || spec.find(',') != std::string_view::npos) return whole;
    const std::string_view a = trimmed(spec.substr(0, dash)), b = trimmed(spec.substr(dash + 1));
    ByteRange r;
    r.ask = ByteRange::Ask::Part;
    if (a.empty()) { // the last N bytes
        const auto n = whole_number(b);
        if (!n) return whole;
        if (*n == 0 || size == 0) return {ByteRange::Ask::Unsatisfiable};
        r.first = *n >= size ? 0 : size - *n;
        r.last = size - 1;
        return r;
    }
    const auto first = whole_number(a);
    if (!first) return whole;
    std::optional<std::size_t> last;
    if (!b.empty()) {
        last = whole_number(b);
        if (!last || *last < *first) return whole;
    }
    if (*first >= size) return {ByteRange::Ask::Unsatisfiable};
    r.first = *first;
    r.last = last ? std::min(*last, size - 1) : size - 1;
    return r;
}

void set_ranged_content(const Request& req, Response& res, std::string body, std::string type) {
    const std::size_t size = body.size();
    const ByteRange r = byte_range(req.header("Range"), size);
    res.set_header("Accept-Ranges", "bytes");
    if (r.ask == ByteRange::Ask::Unsatisfiable) {
        res.status = 416;
        res.set_header("Content-Range", "bytes */" + std::to_string(size));
        res.set_content("", "text/plain; charset=utf-8");
        return;
    }
    if (r.ask == ByteRange::Ask::Part) {
        res.status = 206;
        res.set_header("Content-Range",
                       "bytes " + std::to_string(r.first) + "-" + std::to_string(r.last) + "/" + std::to_string(size));
        body = body.substr(r.first, r.last - r.first + 1);
    }
    res.set_content(std::move(body), std::move(type));
}

std::string url_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%' && i + 2 < text.size()) {
            const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += plus_is_space && c == '+' ? ' ' : c;
    }
    return out;
}

Params parse_params(std::string_view text, std::size_t max_pairs) {
    Params out;
    std::size_t at = 0;
    while (at <= text.size() && out.size() < max_pairs) {
        std::size_t end = text.find('&', at);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view part = text.substr(at, end - at);
        if (!part.empty()) {
            const std::size_t eq = part.find('=');
            if (eq == std::string_view::npos)
                out.emplace_back(url_decode(part, true), "");
            else
                out.emplace_back(url_decode(part.substr(0, eq), true), url_decode(part.substr(eq + 1), true));
        }
        if (end == text.size()) break;
        at = end + 1;
    }
    return out;
}

std::string cookie(std::string_view header, std::string_view name) {
    std::size_t at = 0;
    while (at < header.size()) {
        while (at < header.size() && (header[at] == ' ' || header[at] == ';'))
            ++at;
        std::size_t end = header.find(';', at);
        if (end == std::string_view::npos) end = header.size();
        const std::string_view part = header.substr(at, end - at);
        if (part.size() > name.size() && part.substr(0, name.size()) == name && part[name.size()] == '=')
            return std::string(part.substr(name.size() + 1));
        at = end + 1;
    }
    return "";
}

PeerAddress peer_address(const std::string& written) {
    unsigned char a[16];
    if (inet_pton(AF_INET6, written.c_str(), a) != 1) return {written, written}; // IPv4 (or not an address)
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN];
    if (std::memcmp(a, mapped, sizeof mapped) == 0) {
        inet_ntop(AF_INET, a + 12, text, sizeof text);
        return {text, text};
    }
    std::memset(a + 8, 0, 8);
    inet_ntop(AF_INET6, a, text, sizeof text);
    return {written, std::string(text) + "/64"};
}

} // namespace sayso::http
