#include "batch.hpp"

#include "storage/json.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

namespace sayso::sync {

using nlohmann::json;

Batch encode_batch(const std::string& device_id, const std::vector<storage::StoredResponse>& responses,
                   std::size_t max_bytes, std::size_t max_count) {
    Batch b;
    const std::string head = "{\"protocol\":" + std::to_string(kProtocol) +
                             ",\"device_id\":" + storage::dump(json(device_id)) + ",\"responses\":[";
    const std::string tail = "]}";
    std::string items;
    for (const auto& r : responses) {
        if (b.ids.size() >= max_count) break;
        std::string item = storage::dump(storage::response_json(r));
        const std::size_t size = head.size() + items.size() + (items.empty() ? 0 : 1) + item.size() + tail.size();
        if (!b.ids.empty() && size > max_bytes) break;
        if (!items.empty()) items += ",";
        items += item;
        b.ids.push_back(r.start.id);
    }
    b.body = head + items + tail;
    return b;
}

std::optional<Ack> decode_ack(const std::string& body, const std::vector<std::string>& sent, std::string& error) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = "the reply is not a JSON object";
        return std::nullopt;
    }
    auto acc = j.find("accepted");
    if (acc == j.end() || !acc->is_array()) {
        error = "the reply has no \"accepted\" list";
        return std::nullopt;
    }
    const std::set<std::string> ours(sent.begin(), sent.end());
    std::set<std::string> seen;
    Ack ack;
    for (const auto& id : *acc)
        if (id.is_string() && ours.count(id.get<std::string>()) && seen.insert(id.get<std::string>()).second)
            ack.accepted.push_back(id.get<std::string>());
    if (auto rej = j.find("rejected"); rej != j.end() && rej->is_array()) {
        for (const auto& r : *rej) {
            if (!r.is_object() || !r.contains("id") || !r["id"].is_string()) continue;
            const std::string id = r["id"].get<std::string>();
            if (!ours.count(id) || !seen.insert(id).second) continue; // accepted wins over rejected
            std::string reason = r.contains("reason") && r["reason"].is_string() ? r["reason"].get<std::string>() : "";
            ack.rejected.push_back({id, reason.substr(0, 500)});
        }
    }
    return ack;
}

std::optional<std::int64_t> retry_after(const std::string& value, std::int64_t now_s) {
    constexpr std::int64_t day = 86'400;
    std::string v = value;
    while (!v.empty() && (v.back() == ' ' || v.back() == '\r' || v.back() == '\n'))
        v.pop_back();
    while (!v.empty() && v.front() == ' ')
        v.erase(v.begin());
    if (v.empty()) return std::nullopt;
    if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        std::int64_t s = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
        if (ec == std::errc::result_out_of_range) return day;
        if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
        return std::min(s, day);
    }
    std::tm tm{};
    const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end != '\0') return std::nullopt;
    const std::int64_t at = static_cast<std::int64_t>(timegm(&tm));
    return std::clamp<std::int64_t>(at - now_s, 0, day);
}

} // namespace sayso::sync
