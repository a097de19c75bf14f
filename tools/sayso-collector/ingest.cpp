#include "ingest.hpp"

#include "formats/formats.hpp"
#include "keys.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstring>
#include <set>
#include <utility>

namespace sayso::collector {

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

struct Reader {
    std::optional<BadRequest> bad;

    bool fail(const std::string& where, const std::string& msg) {
        if (!bad) bad = BadRequest{msg, where};
        return false;
    }
    bool str(const json& o, const std::string& p, const char* k, std::string& out, std::size_t max = 200,
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

} // namespace

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

std::optional<BadRequest> read_enrolment(const std::string& body, Enrolment& out) {
    out = Enrolment{};
    static const std::string shape = "an enrolment is {\"code\": \"...\", \"device_id\": \"...\"}";
    if (formats::json_depth(body) > kMaxDepth) return BadRequest{shape, "$"};
    const json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return BadRequest{shape, "$"};
    auto code = j.find("code");
    if (code == j.end() || !code->is_string()) return BadRequest{shape, "$.code"};
    auto device = j.find("device_id");
    if (device == j.end() || !device->is_string()) return BadRequest{shape, "$.device_id"};
    const auto& id = device->get_ref<const std::string&>();
    if (id.empty() || id.size() > 64) return BadRequest{"a device id is 1 to 64 characters", "$.device_id"};
    for (unsigned char c : id)
        if (c < 0x21 || c > 0x7e) return BadRequest{"a device id is printable ASCII, without spaces", "$.device_id"};
    out.code = normalise_code(code->get_ref<const std::string&>());
    out.device_id = id;
    return std::nullopt;
}

std::optional<BadRequest> read_request(const std::string& body, std::vector<Response>& out, std::string& device) {
    out.clear();
    device.clear();
    if (formats::json_depth(body) > kMaxDepth)
        return BadRequest{"the JSON nests deeper than " + std::to_string(kMaxDepth), "$"};
    json j;
    try {
        j = json::parse(body);
    } catch (const json::exception& e) {
        // parse_error, and out_of_range for a number too large for a double (1e400).
        return BadRequest{std::string("not valid JSON: ") + e.what(), "$"};
    }
    Reader r;
    if (!j.is_object()) return BadRequest{"the body must be a JSON object", "$"};
    auto proto = j.find("protocol");
    if (proto == j.end() || !proto->is_number_integer() || *proto != 1)
        return BadRequest{"\"protocol\" must be 1", "$.protocol"};
    if (!r.str(j, "$", "device_id", device, 64)) return r.bad;
    auto rs = j.find("responses");
    if (rs == j.end() || !rs->is_array()) return BadRequest{"\"responses\" must be a list", "$.responses"};
    if (rs->size() > kMaxResponsesPerRequest)
        return BadRequest{"at most " + std::to_string(kMaxResponsesPerRequest) + " responses per request",
                          "$.responses"};
    for (std::size_t i = 0; i < rs->size(); ++i) {
        const json& x = (*rs)[i];
        const std::string p = "$.responses[" + std::to_string(i) + "]";
        if (!x.is_object()) return BadRequest{"must be an object", p};
        Response resp;
        resp.device_id = device;
        if (!r.str(x, p, "id", resp.id, 32)) return r.bad;
        if (!hex_id(resp.id)) return BadRequest{"must be 32 lowercase hex digits", p + ".id"};
        if (!r.str(x, p, "pack_id", resp.pack_id) || !r.str(x, p, "pack_version", resp.pack_version) ||
            !r.str(x, p, "band", resp.band) || !r.str(x, p, "visit_type", resp.visit_type) ||
            !r.str(x, p, "language", resp.language, 35) || !r.time(x, p, "started_at", resp.started_at) ||
            !r.str(x, p, "state", resp.state))
            return r.bad;
        if (resp.state != "complete" && resp.state != "incomplete")
            return BadRequest{"must be \"complete\" or \"incomplete\"", p + ".state"};
        if (auto e = x.find("ended_at"); e != x.end() && !e->is_null()) {
            if (!r.time(x, p, "ended_at", resp.ended_at)) return r.bad;
        }
        // Added in protocol 1 after its first release, so optional: absent means false / not given.
        if (auto t = x.find("asked_to_talk"); t != x.end()) {
            if (!t->is_boolean()) return BadRequest{"must be true or false", p + ".asked_to_talk"};
            resp.asked_to_talk = t->get<bool>();
        }
        if (x.contains("practitioner_code") && !r.str(x, p, "practitioner_code", resp.practitioner_code, 40, true))
            return r.bad;
        if (x.contains("case_ref") && !r.str(x, p, "case_ref", resp.case_ref, 40, true)) return r.bad;
        // "*" is what a report shows for values kept together (reports/recode.hpp).
        for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"band", &resp.band},
                                          {"visit_type", &resp.visit_type},
                                          {"practitioner_code", &resp.practitioner_code}})
            if (*value == "*")
                return BadRequest{"\"*\" is not a value a response can give (reports use it for values kept together)",
                                  p + "." + name};
        auto as = x.find("answers");
        if (as == x.end() || !as->is_array()) return BadRequest{"\"answers\" must be a list", p + ".answers"};
        if (as->size() > 200) return BadRequest{"at most 200 answers per response", p + ".answers"};
        std::set<std::string> questions; // a question is answered once in a response
        for (std::size_t k = 0; k < as->size(); ++k) {
            const json& a = (*as)[k];
            const std::string ap = p + ".answers[" + std::to_string(k) + "]";
            if (!a.is_object()) return BadRequest{"must be an object", ap};
            Answer ans;
            if (!r.str(a, ap, "question_id", ans.question_id) || !r.str(a, ap, "kind", ans.kind) ||
                !r.str(a, ap, "measure", ans.measure, 200, true) || !r.time(a, ap, "answered_at", ans.answered_at))
                return r.bad;
            if (!questions.insert(ans.question_id).second)
                return BadRequest{"question \"" + ans.question_id + "\" is answered twice in this response",
                                  ap + ".question_id"};
            auto pos = a.find("position");
            if (pos == a.end() || !pos->is_number_integer() || *pos < 0 || *pos > 10000)
                return BadRequest{"must be a whole number from 0", ap + ".position"};
            ans.position = pos->get<int>();
            if (a.contains("sealed")) {
                // Sealed on the tablet: kept sealed, opened only with the collector's keys.
                if (!r.str(a, ap, "sealed", ans.sealed, 60000) || !r.str(a, ap, "seal_key", ans.seal_key, 64))
                    return r.bad;
                resp.answers.push_back(std::move(ans));
                continue;
            }
            if (!r.str(a, ap, "text", ans.text, 20000, true)) return r.bad;
            auto sk = a.find("skipped");
            if (sk == a.end() || !sk->is_boolean()) return BadRequest{"must be true or false", ap + ".skipped"};
            ans.skipped = sk->get<bool>();
            auto os = a.find("options");
            if (os == a.end() || !os->is_array() || os->size() > 50)
                return BadRequest{"must be a list of option ids", ap + ".options"};
            for (std::size_t m = 0; m < os->size(); ++m) {
                if (!(*os)[m].is_string() || (*os)[m].get_ref<const std::string&>().size() > 200)
                    return BadRequest{"must be an option id", ap + ".options[" + std::to_string(m) + "]"};
                ans.options.push_back((*os)[m].get<std::string>());
            }
            resp.answers.push_back(std::move(ans));
        }
        out.push_back(std::move(resp));
    }
    return std::nullopt;
}

std::optional<std::string> never_taken(const Response& r, const Intake& intake) {
    if (!intake.packs.empty()) {
        auto pack = intake.packs.find(r.pack_id);
        if (pack == intake.packs.end()) return "the pack \"" + r.pack_id + "\" is not one this collector knows";
        if (!pack->second.count(r.band))
            return "the pack \"" + r.pack_id + "\" has no age band \"" + r.band + "\" here";
    }
    for (const auto& a : r.answers) {
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
