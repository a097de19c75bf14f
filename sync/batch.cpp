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

std::string describe(const ReplyProblem& p) {
    switch (p.kind) {
    case ReplyProblem::Kind::NotJson: return "the reply is not a JSON object";
    case ReplyProblem::Kind::NoAccepted: return "the reply has no \"accepted\" list";
    }
    return "the reply can't be read";
}

Result<Ack, ReplyProblem> decode_ack(const std::string& body, const std::vector<std::string>& sent) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return ReplyProblem{ReplyProblem::Kind::NotJson};
    auto acc = j.find("accepted");
    if (acc == j.end() || !acc->is_array()) return ReplyProblem{ReplyProblem::Kind::NoAccepted};
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

} // namespace sayso::sync
