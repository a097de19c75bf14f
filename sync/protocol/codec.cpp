#include "protocol/codec.hpp"

#include "formats/formats.hpp"

#include <cctype>
#include <cstring>
#include <set>
#include <utility>

namespace sayso::protocol {

using nlohmann::json;

namespace {

json parse_object(const std::string& body) {
    if (formats::json_depth(body) > kMaxDepth) return json(json::value_t::discarded);
    json j = json::parse(body, nullptr, false);
    return j.is_object() ? j : json(json::value_t::discarded);
}

const std::string* string_at(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

} // namespace

std::string dump(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string describe(const BadRequest& b) {
    return b.where.empty() ? b.message : b.message + " (at " + b.where + ")";
}

std::string describe(const ReplyProblem& p) {
    switch (p.kind) {
    case ReplyProblem::Kind::NotJson: return "the reply is not a JSON object";
    case ReplyProblem::Kind::NoAccepted: return "the reply has no \"accepted\" list";
    case ReplyProblem::Kind::NotEnrolment: return "the reply is not an enrolment (a device name, token and keys)";
    }
    return "the reply can't be read";
}

json to_json(const Response& r) {
    json answers = json::array();
    for (const auto& a : r.answers) {
        json j = {{"question_id", a.question_id},
                  {"position", a.position},
                  {"kind", a.kind},
                  {"measure", a.measure},
                  {"answered_at", a.answered_at}};
        if (a.sealed.empty()) {
            j["skipped"] = a.skipped;
            j["options"] = a.options;
            j["text"] = a.text;
        } else {
            // Only the collector can open it.
            j["sealed"] = a.sealed;
            j["seal_key"] = a.seal_key;
        }
        if (!a.clip_type.empty()) j["clip"] = {{"type", a.clip_type}, {"data", a.clip}};
        answers.push_back(std::move(j));
    }
    json j = {{"id", r.id},
              {"pack_id", r.pack_id},
              {"pack_version", r.pack_version},
              {"band", r.band},
              {"visit_type", r.visit_type},
              {"language", r.language},
              {"started_at", r.started_at},
              {"ended_at", r.ended_at.empty() ? json() : json(r.ended_at)},
              {"state", r.state},
              {"asked_to_talk", r.asked_to_talk},
              {"practitioner_code", r.practitioner_code},
              {"case_ref", r.case_ref},
              {"answers", std::move(answers)}};
    // Given only when known, as a response from before visits were kept exports as it always did.
    if (!r.visit_id.empty()) j["visit_id"] = r.visit_id;
    return j;
}

std::string write_ack(const Ack& a) {
    json rejected = json::array();
    for (const auto& r : a.rejected)
        rejected.push_back({{"id", r.id}, {"reason", r.reason}});
    return dump({{"protocol", kVersion}, {"accepted", a.accepted}, {"rejected", std::move(rejected)}});
}

Result<Ack, ReplyProblem> read_ack(const std::string& body, const std::vector<std::string>& sent) {
    const json j = parse_object(body);
    if (j.is_discarded()) return ReplyProblem{ReplyProblem::Kind::NotJson};
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
            if (!r.is_object()) continue;
            const std::string* id = string_at(r, "id");
            if (!id || !ours.count(*id) || !seen.insert(*id).second) continue; // accepted wins over rejected
            const std::string* reason = string_at(r, "reason");
            ack.rejected.push_back({*id, reason ? reason->substr(0, kMaxReason) : ""});
        }
    }
    return ack;
}

std::string normalise_code(const std::string& typed) {
    std::string out;
    for (char c : typed) {
        if (c == '-' || c == ' ') continue;
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (c == '\0' || std::strchr(kCodeLetters, c) == nullptr || out.size() == kCodeLength) return "";
        out += c;
    }
    return out.size() == kCodeLength ? out : "";
}

std::string write_enrol_request(const EnrolRequest& e) {
    return dump({{"code", e.code}, {"device_id", e.device_id}});
}

Result<EnrolRequest, BadRequest> read_enrol_request(const std::string& body) {
    static const std::string shape = "an enrolment is {\"code\": \"...\", \"device_id\": \"...\"}";
    const json j = parse_object(body);
    if (j.is_discarded()) return BadRequest{shape, "$"};
    const std::string* code = string_at(j, "code");
    if (!code) return BadRequest{shape, "$.code"};
    const std::string* id = string_at(j, "device_id");
    if (!id) return BadRequest{shape, "$.device_id"};
    if (id->empty() || id->size() > kMaxDeviceId)
        return BadRequest{"a device id is 1 to " + std::to_string(kMaxDeviceId) + " characters", "$.device_id"};
    for (unsigned char c : *id)
        if (c < 0x21 || c > 0x7e) return BadRequest{"a device id is printable ASCII, without spaces", "$.device_id"};
    return EnrolRequest{.code = normalise_code(*code), .device_id = *id};
}

std::string write_enrol_reply(const EnrolReply& e) {
    json keys = json::array();
    for (const auto& k : e.seal_keys)
        keys.push_back({{"id", k.id}, {"public_key", k.public_key}});
    json j = {{"protocol", kVersion}, {"device_name", e.device_name}, {"token", e.token}, {"seal_keys", keys}};
    if (!e.publish_key.empty()) j["publish_key"] = e.publish_key;
    return dump(j);
}

Result<EnrolReply, ReplyProblem> read_enrol_reply(const std::string& body) {
    const json j = parse_object(body);
    if (j.is_discarded()) return ReplyProblem{ReplyProblem::Kind::NotJson};
    const std::string* name = string_at(j, "device_name");
    const std::string* token = string_at(j, "token");
    auto keys = j.find("seal_keys");
    if (!name || !token || keys == j.end() || !keys->is_array()) return ReplyProblem{ReplyProblem::Kind::NotEnrolment};
    EnrolReply e{.device_name = name->substr(0, 100), .token = *token, .seal_keys = {}};
    for (const auto& k : *keys) {
        const std::string* id = k.is_object() ? string_at(k, "id") : nullptr;
        const std::string* pub = k.is_object() ? string_at(k, "public_key") : nullptr;
        if (!id || !pub) return ReplyProblem{ReplyProblem::Kind::NotEnrolment};
        e.seal_keys.push_back({*id, *pub});
    }
    if (const std::string* publish = string_at(j, "publish_key")) e.publish_key = *publish;
    return e;
}

std::string write_refusal(const Refusal& r) {
    json b = {{"error", r.error}};
    if (!r.where.empty()) b["where"] = r.where;
    if (r.revoked) b["revoked"] = true;
    return dump(b);
}

Refusal read_refusal(const std::string& body) {
    const json j = parse_object(body);
    if (j.is_discarded()) return {};
    Refusal r;
    if (const std::string* e = string_at(j, "error")) r.error = *e;
    if (const std::string* w = string_at(j, "where")) r.where = *w;
    if (auto v = j.find("revoked"); v != j.end() && v->is_boolean()) r.revoked = v->get<bool>();
    return r;
}

} // namespace sayso::protocol
