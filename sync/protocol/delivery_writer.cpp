// POST /v1/responses written by the kiosk a response at a time straight into
// the body, without an nlohmann document per response (that cost 9 ms for a
// batch of 500; this writes one in about 1 ms). The bytes are exactly what
// nlohmann's dump writes for to_json, which the tests check.
#include "protocol/codec.hpp"

#include <string_view>

namespace sayso::protocol {

namespace {

// How many bytes a UTF-8 sequence starting with `lead` has, and the range its
// second byte must be in (the rest are 80..BF); 0 for a byte that can't start one.
struct Lead {
    int length;
    unsigned char low, high;
};
Lead lead_of(unsigned char c) {
    if (c >= 0xC2 && c <= 0xDF) return {2, 0x80, 0xBF};
    if (c == 0xE0) return {3, 0xA0, 0xBF};
    if (c == 0xED) return {3, 0x80, 0x9F}; // no surrogates
    if (c >= 0xE1 && c <= 0xEF) return {3, 0x80, 0xBF};
    if (c == 0xF0) return {4, 0x90, 0xBF};
    if (c >= 0xF1 && c <= 0xF3) return {4, 0x80, 0xBF};
    if (c == 0xF4) return {4, 0x80, 0x8F}; // nothing past U+10FFFF
    return {0, 0, 0};
}

} // namespace

// `s` as a JSON string, as nlohmann's dump writes it with
// error_handler_t::replace: UTF-8 as it is, control characters escaped, and
// each broken sequence one U+FFFD (a byte that ends a sequence early is read
// again as the start of the next).
void append_json_string(std::string& out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        // A run that needs nothing done.
        std::size_t run = i;
        while (run < s.size()) {
            const auto c = static_cast<unsigned char>(s[run]);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
            ++run;
        }
        out.append(s.data() + i, run - i);
        i = run;
        if (i == s.size()) break;
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xF];
            }
            ++i;
            continue;
        }
        const Lead lead = lead_of(c);
        std::size_t k = 1; // bytes of the sequence that are right
        if (lead.length > 0) {
            while (k < static_cast<std::size_t>(lead.length) && i + k < s.size()) {
                const auto b = static_cast<unsigned char>(s[i + k]);
                const unsigned char low = k == 1 ? lead.low : 0x80, high = k == 1 ? lead.high : 0xBF;
                if (b < low || b > high) break;
                ++k;
            }
        }
        if (lead.length > 0 && k == static_cast<std::size_t>(lead.length)) {
            out.append(s.data() + i, k);
        } else {
            out += "\xEF\xBF\xBD";
        }
        i += k;
    }
    out += '"';
}

namespace {

// --- writing ------------------------------------------------------------------

void append_field(std::string& out, const char* key, std::string_view value) {
    out += '"';
    out += key;
    out += "\":";
    append_json_string(out, value);
}

void append_bool(std::string& out, const char* key, bool value) {
    out += '"';
    out += key;
    out += value ? "\":true" : "\":false";
}

// One response, its keys in nlohmann's (sorted) order.
void append_response(std::string& out, const Response& r) {
    out += "{\"answers\":[";
    for (std::size_t i = 0; i < r.answers.size(); ++i) {
        const Answer& a = r.answers[i];
        if (i) out += ',';
        out += '{';
        append_field(out, "answered_at", a.answered_at);
        if (!a.clip_type.empty()) {
            out += ",\"clip\":{";
            append_field(out, "data", a.clip);
            out += ',';
            append_field(out, "type", a.clip_type);
            out += '}';
        }
        out += ',';
        append_field(out, "kind", a.kind);
        out += ',';
        append_field(out, "measure", a.measure);
        if (a.sealed.empty()) {
            out += ",\"options\":[";
            for (std::size_t o = 0; o < a.options.size(); ++o) {
                if (o) out += ',';
                append_json_string(out, a.options[o]);
            }
            out += "],\"position\":";
            out += std::to_string(a.position);
            out += ',';
            append_field(out, "question_id", a.question_id);
            out += ',';
            append_bool(out, "skipped", a.skipped);
            out += ',';
            append_field(out, "text", a.text);
        } else {
            // Only the collector can open it.
            out += ",\"position\":";
            out += std::to_string(a.position);
            out += ',';
            append_field(out, "question_id", a.question_id);
            out += ',';
            append_field(out, "seal_key", a.seal_key);
            out += ',';
            append_field(out, "sealed", a.sealed);
        }
        out += '}';
    }
    out += "],";
    append_bool(out, "asked_to_talk", r.asked_to_talk);
    out += ',';
    append_field(out, "band", r.band);
    out += ',';
    append_field(out, "case_ref", r.case_ref);
    out += ',';
    if (r.ended_at.empty())
        out += "\"ended_at\":null";
    else
        append_field(out, "ended_at", r.ended_at);
    out += ',';
    append_field(out, "id", r.id);
    out += ',';
    append_field(out, "language", r.language);
    out += ',';
    append_field(out, "pack_id", r.pack_id);
    out += ',';
    append_field(out, "pack_version", r.pack_version);
    out += ',';
    append_field(out, "practitioner_code", r.practitioner_code);
    out += ',';
    append_field(out, "started_at", r.started_at);
    out += ',';
    append_field(out, "state", r.state);
    out += ',';
    if (!r.visit_id.empty()) { // as to_json: only when known
        append_field(out, "visit_id", r.visit_id);
        out += ',';
    }
    append_field(out, "visit_type", r.visit_type);
    out += '}';
}

} // namespace

BatchWriter::BatchWriter(const std::string& device_id, std::size_t max_bytes, std::size_t max_count)
    : max_bytes_(max_bytes), max_count_(max_count) {
    head_ = "{\"protocol\":" + std::to_string(kVersion) + ",\"device_id\":";
    append_json_string(head_, device_id);
    head_ += ",\"responses\":[";
}

bool BatchWriter::add(const Response& r) {
    static constexpr std::size_t kTail = 2; // "]}"
    if (ids_.size() >= max_count_) return false;
    const std::size_t before = items_.size();
    if (!items_.empty()) items_ += ',';
    append_response(items_, r);
    if (!ids_.empty() && head_.size() + items_.size() + kTail > max_bytes_) {
        items_.resize(before); // it does not fit: the batch ends before it
        return false;
    }
    ids_.push_back(r.id);
    return true;
}

Batch BatchWriter::finish() && {
    items_.insert(0, head_);
    items_ += "]}";
    return {.body = std::move(items_), .ids = std::move(ids_)};
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

} // namespace sayso::protocol
