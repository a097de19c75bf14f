// GET /v1/wedid (PROTOCOL.md, "You said, we did"): the signed list, written
// by the collector and read by the tablet.
#include "formats/base64.hpp"
#include "formats/formats.hpp"
#include "formats/utf8.hpp"
#include "protocol/codec.hpp"

#include <sodium.h>

#include <cctype>
#include <map>

namespace sayso::protocol {

using nlohmann::json;

namespace {

json parse_object(const std::string& body) {
    if (formats::json_depth(body) > kMaxDepth) return json(json::value_t::discarded);
    json j = json::parse(body, nullptr, false); // broken UTF-8 is not JSON: nothing unreadable gets through
    return j.is_object() ? j : json(json::value_t::discarded);
}

const std::string* string_at(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

bool language_tag(const std::string& s) {
    if (s.size() < 2 || s.size() > kMaxLanguage) return false;
    for (unsigned char c : s)
        if (!std::isalnum(c) && c != '-') return false;
    return true;
}

bool words(const std::string* s) {
    return s && !s->empty() && s->size() <= kMaxWeDidText;
}

// At most `most` bytes, cut where a character ends (what is read is whole UTF-8, and reads back the same).
std::string cut(const std::string& s, std::size_t most) {
    return s.size() <= most ? s : s.substr(0, utf8::floor_boundary(s, most));
}

} // namespace

std::string describe(const WeDidProblem& p) {
    switch (p.kind) {
    case WeDidProblem::Kind::NotSigned: return "the reply is not a signed list";
    case WeDidProblem::Kind::BadSignature: return "the list is not signed with this collector's publishing key";
    case WeDidProblem::Kind::NotForThisTablet: return "the list was made for another tablet";
    case WeDidProblem::Kind::NotAList: return "the signed list can't be read";
    }
    return "the list can't be read";
}

std::string write_we_did(const WeDidList& list, const std::vector<unsigned char>& secret_key) {
    json entries = json::array();
    for (const auto& e : list.entries)
        entries.push_back({{"id", e.id},
                           {"language", e.language},
                           {"measure", e.measure},
                           {"you_said", e.you_said},
                           {"we_did", e.we_did},
                           {"published_at", e.published_at}});
    const std::string payload = dump({{"protocol", kVersion},
                                      {"device_id", list.device_id},
                                      {"service_area", list.service_area},
                                      {"issued_at", list.issued_at},
                                      {"entries", entries}});
    unsigned char sig[crypto_sign_BYTES] = {};
    if (sodium_init() >= 0 && secret_key.size() == crypto_sign_SECRETKEYBYTES)
        crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                             secret_key.data());
    return dump({{"payload", payload}, {"signature", formats::to_base64(sig, sizeof sig)}});
}

Result<WeDidList, WeDidProblem> read_we_did(const std::string& body, const std::string& public_key,
                                            const std::string& device_id) {
    using K = WeDidProblem::Kind;
    if (body.size() > kMaxWeDidBytes) return WeDidProblem{K::NotSigned};
    const json j = parse_object(body);
    if (j.is_discarded()) return WeDidProblem{K::NotSigned};
    const std::string* payload = string_at(j, "payload");
    const std::string* signature = string_at(j, "signature");
    if (!payload || !signature) return WeDidProblem{K::NotSigned};
    std::vector<unsigned char> key, sig;
    if (sodium_init() < 0 || !formats::from_base64(public_key, key, crypto_sign_PUBLICKEYBYTES) ||
        !formats::from_base64(*signature, sig, crypto_sign_BYTES) ||
        crypto_sign_verify_detached(sig.data(), reinterpret_cast<const unsigned char*>(payload->data()),
                                    payload->size(), key.data()) != 0)
        return WeDidProblem{K::BadSignature};
    auto list = read_we_did_payload(*payload);
    if (list && list->device_id != device_id) return WeDidProblem{K::NotForThisTablet};
    return list;
}

Result<WeDidList, WeDidProblem> read_we_did_payload(const std::string& payload) {
    const json j = parse_object(payload);
    if (j.is_discarded()) return WeDidProblem{WeDidProblem::Kind::NotAList};
    const std::string* device = string_at(j, "device_id");
    const std::string* area = string_at(j, "service_area");
    const std::string* issued = string_at(j, "issued_at");
    auto entries = j.find("entries");
    if (!device || !area || !issued || entries == j.end() || !entries->is_array() || device->size() > kMaxDeviceId)
        return WeDidProblem{WeDidProblem::Kind::NotAList};
    WeDidList list{
        .device_id = *device, .service_area = cut(*area, kMaxName), .issued_at = cut(*issued, 40), .entries = {}};
    std::map<std::string, std::size_t> per_language;
    for (const auto& e : *entries) {
        if (list.entries.size() >= kMaxWeDidEntries) break;
        if (!e.is_object()) continue;
        auto id = e.find("id");
        const std::string* lang = string_at(e, "language");
        const std::string* measure = string_at(e, "measure");
        const std::string* said = string_at(e, "you_said");
        const std::string* did = string_at(e, "we_did");
        const std::string* at = string_at(e, "published_at");
        if (id == e.end() || !id->is_number_integer() || !lang || !language_tag(*lang) || !words(said) || !words(did))
            continue;
        if (per_language[*lang]++ >= kMaxWeDidPerLanguage) continue;
        list.entries.push_back({.id = id->get<long long>(),
                                .language = *lang,
                                .measure = measure ? cut(*measure, kMaxName) : std::string(),
                                .you_said = *said,
                                .we_did = *did,
                                .published_at = at ? cut(*at, 10) : std::string()});
    }
    return list;
}

} // namespace sayso::protocol
