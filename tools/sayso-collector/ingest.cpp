#include "ingest.hpp"

#include "keys.hpp"

#include "formats/base64.hpp"

#include <algorithm>

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
        Answer opened = a;
        if (!a.sealed.empty()) {
            if (intake.keys.empty())
                return "the answer to \"" + a.question_id + "\" is sealed, and this collector holds no keys to open it";
            if (auto open = open_sealed(intake.keys, opened); !open)
                return "the answer to \"" + a.question_id + "\": " + open.words();
        }
        // A picture is a PNG and a recording Ogg, by their first bytes (opened, when sealed).
        if (!opened.clip.empty()) {
            std::vector<unsigned char> bytes;
            const std::string magic = opened.clip_type == "image/png" ? std::string("\x89PNG\r\n\x1a\n", 8) : "OggS";
            if (!formats::from_base64(opened.clip, bytes) || bytes.size() < magic.size() ||
                !std::equal(magic.begin(), magic.end(), bytes.begin(),
                            [](char m, unsigned char b) { return static_cast<unsigned char>(m) == b; }))
                return "the answer to \"" + a.question_id + "\" carries something that is not " + opened.clip_type;
        }
    }
    return std::nullopt;
}

} // namespace sayso::collector
