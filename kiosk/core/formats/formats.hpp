// Small text-format helpers shared by the kiosk, sayso-admin and the collector.
#pragma once

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sayso::formats {

// Deepest nesting of arrays and objects, found without recursion, so that a
// file of a million '[' is refused before a parser can exhaust the stack.
inline int json_depth(const std::string& s) {
    int depth = 0, deepest = 0;
    bool in_string = false, escaped = false;
    for (char c : s) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

// A CSV cell a spreadsheet shows as written: quoted, quotes doubled, and
// never run as a formula (a leading = + - @ tab or CR gets a ').
inline std::string csv_cell(const std::string& v) {
    std::string out = "\"";
    if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
        out += '\'';
    for (char c : v) {
        if (c == '"')
            out += "\"\"";
        else
            out += c;
    }
    return out + "\"";
}

// One CSV record: every cell through csv_cell, comma-separated, CRLF-terminated.
inline std::string csv_row(const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i)
        out += (i ? "," : "") + csv_cell(cells[i]);
    return out + "\r\n";
}

// Chosen option ids as stored (a JSON list); anything else reads as none.
inline std::vector<std::string> options_from_json(const std::string& stored) {
    std::vector<std::string> out;
    auto j = nlohmann::json::parse(stored, nullptr, false);
    if (j.is_array())
        for (const auto& o : j)
            if (o.is_string()) out.push_back(o.get<std::string>());
    return out;
}

// Option ids in one CSV cell: "a;b".
inline std::string join_options(const std::vector<std::string>& options) {
    std::string s;
    for (const auto& o : options)
        s += (s.empty() ? "" : ";") + o;
    return s;
}

} // namespace sayso::formats
