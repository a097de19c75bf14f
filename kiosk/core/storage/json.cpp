#include "storage/json.hpp"

namespace sayso::storage {

using nlohmann::json;

json response_json(const StoredResponse& r) {
    json answers = json::array();
    for (const auto& a : r.answers) {
        json j = {{"question_id", a.question_id},
                  {"position", a.position},
                  {"kind", a.kind},
                  {"measure", a.measure},
                  {"answered_at", iso_time(a.answered_at_ms)}};
        if (a.sealed.empty()) {
            j["skipped"] = a.skipped;
            j["options"] = a.options;
            j["text"] = a.text;
        } else {
            // Only the collector can open it.
            j["sealed"] = a.sealed;
            j["seal_key"] = a.seal_key;
        }
        answers.push_back(std::move(j));
    }
    return {{"id", r.start.id},
            {"pack_id", r.start.pack_id},
            {"pack_version", r.start.pack_version},
            {"band", r.start.band},
            {"visit_type", r.start.visit_type},
            {"language", r.start.language},
            {"started_at", iso_time(r.start.started_at_ms)},
            {"ended_at", r.ended_at_ms ? json(iso_time(*r.ended_at_ms)) : json()},
            {"state", r.state},
            {"asked_to_talk", r.asked_to_talk},
            {"practitioner_code", r.start.practitioner_code},
            {"case_ref", r.start.case_ref},
            {"answers", std::move(answers)}};
}

} // namespace sayso::storage
