#include "protocol/codec.hpp"

#include "formats/formats.hpp"

#include <cctype>
#include <cstring>
#include <set>
#include <utility>

namespace sayso::protocol {

using nlohmann::json;

namespace {

bool hex_id(const std::string& s) {
    if (s.size() != 32) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// YYYY-MM-DDTHH:MM:SS[.fraction]Z, a time that exists (no 2026-02-30,
// no 25:00), checked by hand: this runs for every answer of every delivery,
// and std::regex is slow.
bool iso_time(const std::string& s) {
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    const std::size_t n = sizeof shape - 1;
    if (s.size() < n + 1 || s.size() > n + 8 || s.back() != 'Z') return false;
    for (std::size_t i = 0; i < n; ++i) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
    }
    std::size_t i = n;
    if (s[i] == '.') {
        ++i;
        if (i == s.size() - 1) return false;
        for (; i < s.size() - 1; ++i)
            if (s[i] < '0' || s[i] > '9') return false;
    }
    if (i != s.size() - 1) return false;
    auto num = [&](std::size_t at, std::size_t len) {
        int v = 0;
        for (std::size_t k = at; k < at + len; ++k)
            v = v * 10 + (s[k] - '0');
        return v;
    };
    const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
    if (year < 2000 || month < 1 || month > 12 || day < 1) return false;
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > days[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
    return num(11, 2) < 24 && num(14, 2) < 60 && num(17, 2) < 60;
}

// Reads fields of one object; the first problem is kept.
struct Reader {
    std::optional<BadRequest> bad;

    bool fail(const std::string& where, const std::string& msg) {
        if (!bad) bad = BadRequest{msg, where};
        return false;
    }
    bool str(const json& o, const std::string& p, const char* k, std::string& out, std::size_t max = kMaxName,
             bool allow_empty = false) {
        auto it = o.find(k);
        if (it == o.end()) return fail(p, std::string("missing \"") + k + "\"");
        if (!it->is_string()) return fail(p + "." + k, "must be a string");
        out = it->get<std::string>();
        if (out.size() > max) return fail(p + "." + k, "longer than " + std::to_string(max) + " bytes");
        if (!allow_empty && out.empty()) return fail(p + "." + k, "must not be empty");
        return true;
    }
    bool time(const json& o, const std::string& p, const char* k, std::string& out) {
        if (!str(o, p, k, out, 40)) return false;
        if (!iso_time(out)) return fail(p + "." + k, "must be a UTC time like 2026-11-22T20:31:36.451Z");
        return true;
    }
};

// `questions`: those answered so far in this response (a question is answered once).
Result<Answer, BadRequest> read_answer(const json& a, const std::string& ap, std::set<std::string>& questions) {
    if (!a.is_object()) return BadRequest{"must be an object", ap};
    Reader r;
    Answer ans;
    if (!r.str(a, ap, "question_id", ans.question_id) || !r.str(a, ap, "kind", ans.kind) ||
        !r.str(a, ap, "measure", ans.measure, kMaxName, true) || !r.time(a, ap, "answered_at", ans.answered_at))
        return *r.bad;
    if (!questions.insert(ans.question_id).second)
        return BadRequest{"question \"" + ans.question_id + "\" is answered twice in this response",
                          ap + ".question_id"};
    auto pos = a.find("position");
    if (pos == a.end() || !pos->is_number_integer() || *pos < 0 || *pos > kMaxPosition)
        return BadRequest{"must be a whole number from 0", ap + ".position"};
    ans.position = pos->get<int>();
    if (a.contains("sealed")) {
        // Sealed on the tablet: kept sealed, opened only with the collector's keys.
        if (!r.str(a, ap, "sealed", ans.sealed, kMaxSealed) || !r.str(a, ap, "seal_key", ans.seal_key, kMaxSealKey))
            return *r.bad;
        return ans;
    }
    if (!r.str(a, ap, "text", ans.text, kMaxText, true)) return *r.bad;
    auto sk = a.find("skipped");
    if (sk == a.end() || !sk->is_boolean()) return BadRequest{"must be true or false", ap + ".skipped"};
    ans.skipped = sk->get<bool>();
    auto os = a.find("options");
    if (os == a.end() || !os->is_array() || os->size() > kMaxOptions)
        return BadRequest{"must be a list of option ids", ap + ".options"};
    for (std::size_t m = 0; m < os->size(); ++m) {
        if (!(*os)[m].is_string() || (*os)[m].get_ref<const std::string&>().size() > kMaxName)
            return BadRequest{"must be an option id", ap + ".options[" + std::to_string(m) + "]"};
        ans.options.push_back((*os)[m].get<std::string>());
    }
    return ans;
}

Result<Response, BadRequest> read_response(const json& x, const std::string& p) {
    if (!x.is_object()) return BadRequest{"must be an object", p};
    Reader r;
    Response resp;
    if (!r.str(x, p, "id", resp.id, 32)) return *r.bad;
    if (!hex_id(resp.id)) return BadRequest{"must be 32 lowercase hex digits", p + ".id"};
    if (!r.str(x, p, "pack_id", resp.pack_id) || !r.str(x, p, "pack_version", resp.pack_version) ||
        !r.str(x, p, "band", resp.band) || !r.str(x, p, "visit_type", resp.visit_type) ||
        !r.str(x, p, "language", resp.language, kMaxLanguage) || !r.time(x, p, "started_at", resp.started_at) ||
        !r.str(x, p, "state", resp.state))
        return *r.bad;
    if (resp.state != "complete" && resp.state != "incomplete")
        return BadRequest{"must be \"complete\" or \"incomplete\"", p + ".state"};
    if (auto e = x.find("ended_at"); e != x.end() && !e->is_null()) {
        if (!r.time(x, p, "ended_at", resp.ended_at)) return *r.bad;
    }
    // Added in protocol 1 after its first release, so optional: absent means false / not given.
    if (auto t = x.find("asked_to_talk"); t != x.end()) {
        if (!t->is_boolean()) return BadRequest{"must be true or false", p + ".asked_to_talk"};
        resp.asked_to_talk = t->get<bool>();
    }
    if (x.contains("practitioner_code") &&
        !r.str(x, p, "practitioner_code", resp.practitioner_code, kMaxReference, true))
        return *r.bad;
    if (x.contains("case_ref") && !r.str(x, p, "case_ref", resp.case_ref, kMaxReference, true)) return *r.bad;
    // "*" is what a collector's report shows for values kept together.
    for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"band", &resp.band},
                                      {"visit_type", &resp.visit_type},
                                      {"practitioner_code", &resp.practitioner_code}})
        if (*value == "*")
            return BadRequest{"\"*\" is not a value a response can give (reports use it for values kept together)",
                              p + "." + name};
    auto as = x.find("answers");
    if (as == x.end() || !as->is_array()) return BadRequest{"\"answers\" must be a list", p + ".answers"};
    if (as->size() > kMaxAnswers)
        return BadRequest{"at most " + std::to_string(kMaxAnswers) + " answers per response", p + ".answers"};
    std::set<std::string> questions;
    for (std::size_t k = 0; k < as->size(); ++k) {
        auto ans = read_answer((*as)[k], p + ".answers[" + std::to_string(k) + "]", questions);
        if (!ans) return ans.problem();
        resp.answers.push_back(std::move(*ans));
    }
    return resp;
}

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
        answers.push_back(std::move(j));
    }
    return {{"id", r.id},
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
}

BatchWriter::BatchWriter(const std::string& device_id, std::size_t max_bytes, std::size_t max_count)
    : head_("{\"protocol\":" + std::to_string(kVersion) + ",\"device_id\":" + dump(json(device_id)) +
            ",\"responses\":["),
      max_bytes_(max_bytes), max_count_(max_count) {}

bool BatchWriter::add(const Response& r) {
    static constexpr std::size_t kTail = 2; // "]}"
    if (ids_.size() >= max_count_) return false;
    const std::string item = dump(to_json(r));
    const std::size_t size = head_.size() + items_.size() + (items_.empty() ? 0 : 1) + item.size() + kTail;
    if (!ids_.empty() && size > max_bytes_) return false;
    if (!items_.empty()) items_ += ",";
    items_ += item;
    ids_.push_back(r.id);
    return true;
}

Batch BatchWriter::finish() && {
    return {.body = head_ + items_ + "]}", .ids = std::move(ids_)};
}

Batch write_batch(const std::string& device_id, const std::vector<Response>& responses, std::size_t max_bytes,
                  std::size_t max_count) {
    BatchWriter w(device_id, max_bytes, max_count);
    for (const auto& r : responses)
        if (!w.add(r)) break;
    return std::move(w).finish();
}

std::string write_delivery(const Delivery& d) {
    return write_batch(d.device_id, d.responses, SIZE_MAX, SIZE_MAX).body;
}

Result<Delivery, BadRequest> read_delivery(const std::string& body) {
    if (formats::json_depth(body) > kMaxDepth)
        return BadRequest{"the JSON nests deeper than " + std::to_string(kMaxDepth), "$"};
    json j;
    try {
        j = json::parse(body);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double (1e400).
        return BadRequest{std::string("not valid JSON: ") + e.what(), "$"};
    }
    if (!j.is_object()) return BadRequest{"the body must be a JSON object", "$"};
    auto proto = j.find("protocol");
    if (proto == j.end() || !proto->is_number_integer() || *proto != kVersion)
        return BadRequest{"\"protocol\" must be " + std::to_string(kVersion), "$.protocol"};
    Delivery d;
    Reader r;
    if (!r.str(j, "$", "device_id", d.device_id, kMaxDeviceId)) return *r.bad;
    auto rs = j.find("responses");
    if (rs == j.end() || !rs->is_array()) return BadRequest{"\"responses\" must be a list", "$.responses"};
    if (rs->size() > kMaxResponses)
        return BadRequest{"at most " + std::to_string(kMaxResponses) + " responses per request", "$.responses"};
    d.responses.reserve(rs->size());
    for (std::size_t i = 0; i < rs->size(); ++i) {
        auto resp = read_response((*rs)[i], "$.responses[" + std::to_string(i) + "]");
        if (!resp) return resp.problem();
        d.responses.push_back(std::move(*resp));
    }
    return d;
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
    return dump({{"protocol", kVersion}, {"device_name", e.device_name}, {"token", e.token}, {"seal_keys", keys}});
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
