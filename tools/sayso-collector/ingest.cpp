#include "ingest.hpp"

#include "keys.hpp"

#include <utility>

namespace sayso::collector {

std::vector<Response> received(protocol::Delivery&& delivery) {
    std::vector<Response> out;
    out.reserve(delivery.responses.size());
    for (auto& r : delivery.responses)
        out.push_back(Response{std::move(r), delivery.device_id});
    return out;
}

std::optional<std::string> never_taken(const protocol::Response& r, const Intake& intake) {
    if (!intake.packs.empty()) {
        auto pack = intake.packs.find(r.pack_id);
        if (pack == intake.packs.end()) return "the pack \"" + r.pack_id + "\" is not one this collector knows";
        if (!pack->second.count(r.band))
            return "the pack \"" + r.pack_id + "\" has no age band \"" + r.band + "\" here";
    }
    for (const auto& a : r.answers) {
        // A drawing is a PNG, a recording Ogg; no other answer carries one.
        if (!a.clip_type.empty()) {
            const char* fits = a.kind == "draw" ? "image/png" : a.kind == "voice" ? "audio/ogg" : nullptr;
            if (!fits || a.clip_type != fits)
                return "the answer to \"" + a.question_id + "\" is a " + a.kind + " answer and can't carry " +
                       a.clip_type;
        }
        if (a.sealed.empty()) continue;
        if (intake.keys.empty())
            return "the answer to \"" + a.question_id + "\" is sealed, and this collector holds no keys to open it";
        Answer opened = a;
        if (auto open = open_sealed(intake.keys, opened); !open)
            return "the answer to \"" + a.question_id + "\": " + open.words();
    }
    return std::nullopt;
}

} // namespace sayso::collector
