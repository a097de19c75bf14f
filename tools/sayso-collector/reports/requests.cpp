#include "requests.hpp"

#include "pages.hpp"

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

namespace sayso::collector::reports {

bool month_like(const std::string& m) {
    return m.size() == 7 && std::isdigit(static_cast<unsigned char>(m[0])) && m[4] == '-' &&
           std::all_of(m.begin(), m.begin() + 4, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
           std::isdigit(static_cast<unsigned char>(m[5])) && std::isdigit(static_cast<unsigned char>(m[6]));
}

Filters filters_of(const http::Request& req, std::string& query) {
    Filters f;
    auto get = [&](const char* k) { return req.has_param(k) ? req.param(k).substr(0, 80) : std::string(); };
    f.service_area = get("service_area");
    f.visit_type = get("visit_type");
    f.band = get("band");
    f.practitioner_code = get("practitioner_code");
    f.month_from = month_like(get("from")) ? get("from") : "";
    f.month_to = month_like(get("to")) ? get("to") : "";
    const std::string by = get("by");
    const auto& dims = breakdown_dimensions();
    if (std::find(dims.begin(), dims.end(), by) != dims.end()) f.by = by;
    for (const auto& [k, v] :
         std::vector<std::pair<std::string, std::string>>{{"service_area", f.service_area},
                                                          {"visit_type", f.visit_type},
                                                          {"band", f.band},
                                                          {"practitioner_code", f.practitioner_code},
                                                          {"from", f.month_from},
                                                          {"to", f.month_to},
                                                          {"by", f.by}})
        if (!v.empty()) query += (query.empty() ? "" : "&") + k + "=" + url_encode(v);
    return f;
}

std::string after_sign_in(const std::string& asked) {
    const bool control = std::any_of(asked.begin(), asked.end(),
                                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
    if (asked.empty() || asked.size() > 2000 || control || asked[0] != '/' || asked.rfind("//", 0) == 0 ||
        asked.find('\\') != std::string::npos)
        return "/service";
    return asked;
}

} // namespace sayso::collector::reports
