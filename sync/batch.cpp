#include "batch.hpp"

#include "formats/base64.hpp"

namespace sayso::sync {

protocol::Response to_wire(const storage::StoredResponse& r) {
    protocol::Response w{.id = r.start.id,
                         .pack_id = r.start.pack_id,
                         .pack_version = r.start.pack_version,
                         .band = r.start.band,
                         .visit_type = r.start.visit_type,
                         .language = r.start.language,
                         .started_at = storage::iso_time(r.start.started_at_ms),
                         .ended_at = r.ended_at_ms ? storage::iso_time(*r.ended_at_ms) : std::string(),
                         .state = r.state,
                         .asked_to_talk = r.asked_to_talk,
                         .practitioner_code = r.start.practitioner_code,
                         .case_ref = r.start.case_ref,
                         .visit_id = r.start.visit_id,
                         .answers = {}};
    w.answers.reserve(r.answers.size());
    for (const auto& a : r.answers)
        w.answers.push_back(
            {.question_id = a.question_id,
             .position = a.position,
             .kind = a.kind,
             .measure = a.measure,
             .skipped = a.skipped,
             .options = a.options,
             .text = a.text,
             .answered_at = storage::iso_time(a.answered_at_ms),
             .sealed = a.sealed,
             .seal_key = a.seal_key,
             .clip_type = a.media.empty() ? std::string() : a.media_type,
             .clip = a.media.empty()
                         ? std::string()
                         : formats::to_base64(reinterpret_cast<const unsigned char*>(a.media.data()), a.media.size())});
    return w;
}

protocol::Batch encode_batch(const std::string& device_id, const std::vector<storage::StoredResponse>& responses,
                             std::size_t max_bytes, std::size_t max_count) {
    // One response at a time: what does not fit is never converted.
    protocol::BatchWriter w(device_id, max_bytes, max_count);
    for (const auto& r : responses)
        if (!w.add(to_wire(r))) break;
    return std::move(w).finish();
}

} // namespace sayso::sync
