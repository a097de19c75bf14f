// The protocol module's contract: what any side writes, every side reads back
// unchanged; what is over a limit is refused, saying where; and PROTOCOL.md's
// examples and limits are exactly what the module reads.
#include "batch.hpp"
#include "formats/base64.hpp"
#include "protocol/codec.hpp"
#include "protocol/wire.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>

#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <tuple>

using namespace sayso;

namespace {

std::string hex_id(std::mt19937& rng) {
    static const char digits[] = "0123456789abcdef";
    std::string id;
    for (int i = 0; i < 32; ++i)
        id += digits[rng() % 16];
    return id;
}

// Valid UTF-8 of every kind a child or a pack may give: quotes, escapes,
// control characters, NUL, accents, right-to-left script, emoji.
std::string words(std::mt19937& rng, std::size_t pieces) {
    static const std::vector<std::string> bits = {"a",
                                                  "Z",
                                                  " ",
                                                  "\"",
                                                  "\\",
                                                  "/",
                                                  "\n",
                                                  "\t",
                                                  std::string(1, '\0'),
                                                  "\x01",
                                                  "\xc5\xbc",
                                                  "\xd8\xb3",
                                                  "\xe0\xa4\xb9",
                                                  "\xf0\x9f\x98\x80",
                                                  "{",
                                                  "]",
                                                  ",",
                                                  "\u2028",
                                                  "<script>",
                                                  "*x"};
    std::string s;
    for (std::size_t i = 0; i < pieces; ++i)
        s += bits[rng() % bits.size()];
    return s;
}

// Names (ids, kinds, measures, options) as words, but never NUL: only a child's words may hold it.
std::string name(std::mt19937& rng) {
    std::string s = words(rng, 1 + rng() % 6);
    s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
    return s.empty() ? "n" : s;
}

std::string when(std::mt19937& rng) {
    unsigned v[7];
    const unsigned range[7] = {10, 12, 28, 24, 60, 60, 1000}, from[7] = {26, 1, 1, 0, 0, 0, 0};
    for (int i = 0; i < 7; ++i)
        v[i] = from[i] + static_cast<unsigned>(rng() % range[i]);
    char buf[40];
    std::snprintf(buf, sizeof buf, "20%02u-%02u-%02uT%02u:%02u:%02u.%03uZ", v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    return buf;
}

protocol::Response generated(std::mt19937& rng) {
    protocol::Response r{.id = hex_id(rng),
                         .pack_id = name(rng),
                         .pack_version = name(rng),
                         .band = name(rng),
                         .visit_type = name(rng),
                         .language = rng() % 2 ? "en" : "cy-GB",
                         .started_at = when(rng),
                         .ended_at = rng() % 4 ? when(rng) : "",
                         .state = rng() % 2 ? "complete" : "incomplete",
                         .asked_to_talk = rng() % 5 == 0,
                         .practitioner_code = rng() % 2 ? "SW-" + std::to_string(rng() % 1000) : "",
                         .case_ref = rng() % 3 ? "" : "C-" + std::to_string(rng() % 100000),
                         .visit_id = rng() % 4 ? hex_id(rng) : "",
                         .answers = {}};
    const std::size_t n = rng() % 12;
    for (std::size_t k = 0; k < n; ++k) {
        protocol::Answer a{.question_id = "q" + std::to_string(k) + name(rng),
                           .position = static_cast<int>(k),
                           .kind = name(rng),
                           .measure = rng() % 3 ? name(rng) : "",
                           .answered_at = when(rng)};
        if (rng() % 6 == 0) {
            // A drawing or a recording, sealed or not.
            a.clip_type = rng() % 2 ? "image/png" : "audio/ogg";
            a.clip = std::string(4 * (1 + rng() % 300), 'Q');
        }
        if (rng() % 4 == 0) {
            a.sealed = std::string(40 + rng() % 200, 'A') + "==";
            a.seal_key = "k" + std::to_string(rng() % 3);
        } else {
            a.skipped = rng() % 4 == 0;
            for (std::size_t m = rng() % 4; m > 0; --m)
                a.options.push_back(name(rng));
            a.text = rng() % 2 ? words(rng, rng() % 50) : "";
        }
        r.answers.push_back(std::move(a));
    }
    return r;
}

// One delivery of one response with one answer in the clear.
protocol::Delivery generated_one() {
    protocol::Response r{.id = std::string(32, 'a'),
                         .pack_id = "p",
                         .pack_version = "1",
                         .band = "8-11",
                         .visit_type = "visit",
                         .language = "en",
                         .started_at = "2026-12-04T10:00:00.000Z",
                         .ended_at = "",
                         .state = "complete",
                         .answers = {{.question_id = "q",
                                      .position = 0,
                                      .kind = "draw",
                                      .measure = "",
                                      .answered_at = "2026-12-04T10:00:01.000Z"}}};
    return {.device_id = "d", .responses = {r}};
}

// A delivery at every limit at once: the largest the reader takes.
protocol::Delivery at_the_limits() {
    protocol::Response r{.id = std::string(32, 'f'),
                         .pack_id = std::string(protocol::kMaxName, 'p'),
                         .pack_version = "1",
                         .band = "8-11",
                         .visit_type = "visit",
                         .language = std::string(protocol::kMaxLanguage, 'l'),
                         .started_at = "2026-12-04T10:00:00.000Z",
                         .ended_at = "",
                         .state = "incomplete",
                         .asked_to_talk = false,
                         .practitioner_code = std::string(protocol::kMaxReference, 's'),
                         .case_ref = std::string(protocol::kMaxReference, 'c'),
                         .visit_id = std::string(32, 'a'),
                         .answers = {}};
    for (std::size_t k = 0; k < protocol::kMaxAnswers; ++k)
        r.answers.push_back({.question_id = "q" + std::to_string(k),
                             .position = protocol::kMaxPosition,
                             .kind = "pick_many",
                             .measure = "",
                             .answered_at = "2026-12-04T10:00:01.000Z"});
    r.answers[0].options.assign(protocol::kMaxOptions, std::string(protocol::kMaxName, 'o'));
    r.answers[1].text = std::string(protocol::kMaxText, 'w');
    r.answers[2].sealed = std::string(protocol::kMaxSealed, 'S');
    r.answers[2].seal_key = std::string(protocol::kMaxSealKey, 'k');
    r.answers[4].clip_type = "image/png";
    r.answers[4].clip = std::string(protocol::kMaxClip, 'Q');
    return {.device_id = std::string(protocol::kMaxDeviceId, 'd'), .responses = {r}};
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string protocol_md() {
    return file_text(std::string(SAYSO_SOURCE_DIR) + "/sync/PROTOCOL.md");
}

// What nlohmann writes for a delivery: the writer's reference.
std::string nlohmann_delivery(const protocol::Delivery& d) {
    std::string body =
        "{\"protocol\":1,\"device_id\":" + protocol::dump(nlohmann::json(d.device_id)) + ",\"responses\":[";
    for (std::size_t i = 0; i < d.responses.size(); ++i)
        body += (i ? "," : "") + protocol::dump(protocol::to_json(d.responses[i]));
    return body + "]}";
}

// Bytes of every kind, broken UTF-8 most of all: cut sequences, stray
// continuation bytes, overlong forms, surrogates, past U+10FFFF.
std::string any_bytes(std::mt19937& rng) {
    static const std::vector<std::string> bits = {"a",
                                                  "\"",
                                                  "\x01",
                                                  "\x7f",
                                                  "\x80",
                                                  "\xbf",
                                                  "\xc0\xaf",
                                                  "\xc1",
                                                  "\xc2",
                                                  "\xc3\xa9",
                                                  "\xe0\x80\x80",
                                                  "\xe0\xa0",
                                                  "\xe2\x82\xac",
                                                  "\xed\xa0\x80",
                                                  "\xed\x9f\xbf",
                                                  "\xef\xbf\xbf",
                                                  "\xf0\x8f\xbf\xbf",
                                                  "\xf0\x9f\x98",
                                                  "\xf0\x9f\x98\x80",
                                                  "\xf4\x8f\xbf\xbf",
                                                  "\xf4\x90\x80\x80",
                                                  "\xf5",
                                                  "\xff",
                                                  "\xfe"};
    std::string s;
    for (std::size_t n = rng() % 12; n > 0; --n)
        s += rng() % 3 ? bits[rng() % bits.size()] : std::string(1, static_cast<char>(rng() % 256));
    return s;
}

} // namespace

TEST_CASE("what the kiosk stores, the collector's reader reads back field for field") {
    storage::StoredResponse r;
    r.start = {.id = "f614aaebccc94b61bd9ba9d56a38096b",
               .pack_id = "after-my-visit",
               .pack_version = "1.0.0",
               .band = "8-11",
               .visit_type = "visit",
               .language = "pl",
               .started_at_ms = 1'764'000'000'123,
               .practitioner_code = "SW-042",
               .case_ref = "C-1",
               .visit_id = "9b1f0c2e4d5a47b8a6c3e2f1d0b9a8c7"};
    r.device_id = "not sent with each response";
    r.state = "complete";
    r.asked_to_talk = true;
    r.ended_at_ms = 1'764'000'060'000;
    r.delivered_at_ms = 1; // delivery state is never sent
    r.answers.push_back({.question_id = "listened",
                         .position = 0,
                         .kind = "faces",
                         .measure = "listened",
                         .skipped = false,
                         .options = {"happy"},
                         .text = "",
                         .answered_at_ms = 1'764'000'001'000});
    r.answers.push_back({.question_id = "anything-else",
                         .position = 1,
                         .kind = "text",
                         .measure = "",
                         .skipped = false,
                         .options = {},
                         .text = "pani \"słucha\"\n\xf0\x9f\x98\x80",
                         .answered_at_ms = 1'764'000'002'000});
    r.answers.push_back({.question_id = "sealed",
                         .position = 2,
                         .kind = "text",
                         .measure = "",
                         .skipped = false,
                         .options = {},
                         .text = "",
                         .answered_at_ms = 1'764'000'003'000,
                         .sealed = "c2VhbGVk",
                         .seal_key = "k1"});
    storage::StoredResponse unfinished = r;
    unfinished.start.id = "0123456789abcdef0123456789abcdef";
    unfinished.ended_at_ms.reset();
    unfinished.state = "incomplete";
    unfinished.answers.clear();

    const auto batch = sync::encode_batch("3ad7840334d60252b3126d09f12c1545", {r, unfinished});
    const auto read = protocol::read_delivery(batch.body);
    REQUIRE_MESSAGE(read, read.words());
    CHECK(read->device_id == "3ad7840334d60252b3126d09f12c1545");
    REQUIRE(read->responses.size() == 2);
    CHECK(read->responses[0] == sync::to_wire(r));
    CHECK(read->responses[1] == sync::to_wire(unfinished));
    const auto& got = read->responses[0];
    CHECK(got.started_at == "2025-11-24T16:00:00.123Z");
    CHECK(got.ended_at == "2025-11-24T16:01:00.000Z");
    CHECK(read->responses[1].ended_at.empty());
    CHECK(got.answers[1].text == "pani \"słucha\"\n\xf0\x9f\x98\x80");
    CHECK(got.answers[2].sealed == "c2VhbGVk");
    CHECK(got.answers[2].text.empty());
    CHECK(got.visit_id == "9b1f0c2e4d5a47b8a6c3e2f1d0b9a8c7");
    CHECK(batch.ids == std::vector<std::string>{r.start.id, unfinished.start.id});
}

TEST_CASE("a thousand generated deliveries read back exactly as they were written") {
    std::mt19937 rng(20261204);
    std::size_t answers = 0, sealed = 0, clips = 0;
    for (int i = 0; i < 1000; ++i) {
        protocol::Delivery d{.device_id = hex_id(rng), .responses = {}};
        for (std::size_t n = rng() % 6; n > 0; --n)
            d.responses.push_back(generated(rng));
        for (const auto& r : d.responses) {
            answers += r.answers.size();
            for (const auto& a : r.answers) {
                sealed += !a.sealed.empty();
                clips += !a.clip.empty();
            }
        }
        const std::string body = protocol::write_delivery(d);
        const auto back = protocol::read_delivery(body);
        REQUIRE_MESSAGE(back, back.words() << " in " << body.substr(0, 400));
        REQUIRE(*back == d);
        // Writing what was read gives the same bytes.
        CHECK(protocol::write_delivery(*back) == body);
    }
    CHECK(answers > 5000); // the corpus really holds answers of every shape
    CHECK(sealed > 1000);
    CHECK(clips > 500);
}

TEST_CASE("a clip is refused unless it is a known type in base64, and not empty") {
    auto with_clip = [](const nlohmann::json& clip) {
        auto r = generated_one();
        auto j = nlohmann::json::parse(protocol::write_delivery(r));
        j["responses"][0]["answers"][0]["clip"] = clip;
        return protocol::read_delivery(j.dump());
    };
    CHECK(with_clip({{"type", "image/png"}, {"data", "iVBORw0KGgo="}}));
    for (const auto& [clip, where] : std::vector<std::pair<nlohmann::json, std::string>>{
             {{{"type", "image/gif"}, {"data", "R0lG"}}, "$.responses[0].answers[0].clip.type"},
             {{{"type", "image/png"}, {"data", "not base64!"}}, "$.responses[0].answers[0].clip.data"},
             {{{"type", "image/png"}, {"data", "abc"}}, "$.responses[0].answers[0].clip.data"},
             {{{"type", "audio/ogg"}, {"data", ""}}, "$.responses[0].answers[0].clip.data"},
             {{{"type", "image/png"}}, "$.responses[0].answers[0].clip"},
             {"iVBORw0KGgo=", "$.responses[0].answers[0].clip"},
             {{{"type", "image/png"}, {"data", 3}}, "$.responses[0].answers[0].clip.data"}}) {
        CAPTURE(clip.dump());
        const auto refused = with_clip(clip);
        REQUIRE_FALSE(refused);
        CHECK(refused.problem().where == where);
    }
}

TEST_CASE("the kiosk's batch writer writes byte for byte what nlohmann writes, broken UTF-8 included") {
    std::mt19937 rng(20261205);
    for (int i = 0; i < 1000; ++i) {
        protocol::Delivery d{.device_id = i % 2 ? hex_id(rng) : any_bytes(rng), .responses = {}};
        for (std::size_t n = rng() % 5; n > 0; --n) {
            auto r = generated(rng);
            // Broken bytes where a kiosk's words and names could carry them.
            r.pack_id = any_bytes(rng);
            r.case_ref = any_bytes(rng);
            for (auto& a : r.answers) {
                if (!a.sealed.empty()) continue;
                a.text = any_bytes(rng);
                if (!a.options.empty()) a.options[0] = any_bytes(rng);
            }
            d.responses.push_back(std::move(r));
        }
        const std::string body = protocol::write_delivery(d);
        REQUIRE(body == nlohmann_delivery(d));
        // Still JSON a reader takes (the broken bytes are U+FFFD).
        CHECK(nlohmann::json::accept(body));
    }
    // Each broken sequence is one U+FFFD; a byte that ends one early starts the next.
    protocol::Delivery d{.device_id = "d\xe0\x41\xc3", .responses = {}};
    CHECK(protocol::write_delivery(d) == "{\"protocol\":1,\"device_id\":\"d\xef\xbf\xbd"
                                         "A\xef\xbf\xbd\",\"responses\":[]}");
}

TEST_CASE("a batch stops before the response that would take it past its size, and always takes the first") {
    std::mt19937 rng(7);
    std::vector<protocol::Response> rs;
    for (int i = 0; i < 40; ++i)
        rs.push_back(generated(rng));
    const std::string all = protocol::write_batch("d", rs, SIZE_MAX, SIZE_MAX).body;
    for (std::size_t limit : {std::size_t{1}, all.size() / 3, all.size() / 2, all.size() - 1, all.size()}) {
        CAPTURE(limit);
        const auto batch = protocol::write_batch("d", rs, limit, SIZE_MAX);
        REQUIRE_FALSE(batch.ids.empty());
        CHECK((batch.body.size() <= limit || batch.ids.size() == 1));
        const std::vector<protocol::Response> taken(rs.begin(), rs.begin() + static_cast<long>(batch.ids.size()));
        // Exactly the leading responses that fit, written as one delivery.
        CHECK(batch.body == protocol::write_delivery({.device_id = "d", .responses = taken}));
        if (batch.ids.size() < rs.size()) {
            auto one_more = taken;
            one_more.push_back(rs[batch.ids.size()]);
            CHECK(protocol::write_delivery({.device_id = "d", .responses = one_more}).size() > limit);
        }
    }
    CHECK(protocol::write_batch("d", rs, SIZE_MAX, 7).ids.size() == 7);
}

TEST_CASE("a field given twice in a delivery is refused, saying which and where; NUL only in words") {
    auto replace = [](std::string text, const std::string& from, const std::string& to) {
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        return text.replace(at, from.size(), to);
    };
    const std::string answer =
        R"({"question_id": "q", "position": 0, "kind": "faces", "measure": "",)"
        R"( "answered_at": "2026-11-22T10:00:00.000Z", "skipped": false, "options": [], "text": ""})";
    const std::string response = R"({"id": "0123456789abcdef0123456789abcdef", "pack_id": "p", "pack_version": "1",)"
                                 R"( "band": "8-11", "visit_type": "visit", "language": "en",)"
                                 R"( "started_at": "2026-11-22T10:00:00.000Z", "state": "complete", "answers": [)" +
                                 answer + "]}";
    auto body = [](const std::string& r) { return R"({"protocol": 1, "device_id": "d", "responses": [)" + r + "]}"; };
    REQUIRE(protocol::read_delivery(body(response)));
    // A field the protocol does not have is ignored, as before.
    CHECK(protocol::read_delivery(body(R"({"later": [1, {"x": 2}], )" + response.substr(1))));
    const std::vector<std::tuple<std::string, std::string>> cases = {
        {R"({"protocol": 1, "protocol": 1, "device_id": "d", "responses": []})", "$.protocol"},
        {body(R"({"band": "4-7", )" + response.substr(1)), "$.responses[0].band"},
        {body(response.substr(0, response.size() - answer.size() - 2) + R"({"text": "x", )" + answer.substr(1) + "]}"),
         "$.responses[0].answers[0].text"},
    };
    for (const auto& [b, where] : cases) {
        CAPTURE(b);
        const auto r = protocol::read_delivery(b);
        REQUIRE_FALSE(r);
        CHECK(r.problem().where == where);
        CHECK(r.words().find("given twice") != std::string::npos);
    }
    // A leading byte order mark is skipped, as readers do.
    CHECK(protocol::read_delivery("\xEF\xBB\xBF" + body(response)));
    // NUL only in a child's words: never in an id, a name or an option.
    const auto with_text = protocol::read_delivery(body(replace(response, R"("text": "")", R"("text": "a\u0000b")")));
    REQUIRE(with_text);
    CHECK(with_text->responses[0].answers[0].text == std::string("a\0b", 3));
    for (const auto& [from, to, where] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {R"("question_id": "q")", R"("question_id": "q\u0000")", "$.responses[0].answers[0].question_id"},
             {R"("options": [])", R"("options": ["o\u0000"])", "$.responses[0].answers[0].options[0]"},
             {R"("band": "8-11")", R"("band": "8\u0000")", "$.responses[0].band"}}) {
        CAPTURE(to);
        const auto r = protocol::read_delivery(body(replace(response, from, to)));
        REQUIRE_FALSE(r);
        CHECK(r.problem().where == where);
    }
}

TEST_CASE("what is not JSON, or not UTF-8, is refused as not valid JSON") {
    for (const std::string& b :
         {std::string(""), std::string("{"), std::string("{} x"),
          std::string(R"({"protocol": 1, "device_id": "d\ud800", "responses": []})"),
          std::string("{\"protocol\": 1, \"device_id\": \"d\xc3\", \"responses\": []}"),
          std::string(R"({"protocol": 1, "device_id": "d", "responses": [], "n": 1e400})"),
          // An integer past 64 bits is refused anywhere, even where nothing reads it.
          std::string(R"({"protocol": 1, "device_id": "d", "responses": [], "n": 99999999999999999999})")}) {
        CAPTURE(b);
        const auto r = protocol::read_delivery(b);
        REQUIRE_FALSE(r);
        CHECK(r.problem().where == "$");
        CHECK(r.words().find("not valid JSON") != std::string::npos);
    }
}

TEST_CASE("a delivery at every limit is read; one past any limit is refused, saying where") {
    const auto largest = at_the_limits();
    const auto read = protocol::read_delivery(protocol::write_delivery(largest));
    REQUIRE_MESSAGE(read, read.words());
    CHECK(*read == largest);

    using Change = std::function<void(protocol::Delivery&)>;
    const std::vector<std::pair<std::string, Change>> past = {
        {"$.device_id", [](auto& d) { d.device_id += "d"; }},
        {"$.responses[0].pack_id", [](auto& d) { d.responses[0].pack_id += "p"; }},
        {"$.responses[0].language", [](auto& d) { d.responses[0].language += "l"; }},
        {"$.responses[0].practitioner_code", [](auto& d) { d.responses[0].practitioner_code += "s"; }},
        {"$.responses[0].case_ref", [](auto& d) { d.responses[0].case_ref += "c"; }},
        {"$.responses[0].visit_id", [](auto& d) { d.responses[0].visit_id = std::string(32, 'A'); }},
        {"$.responses[0].visit_id", [](auto& d) { d.responses[0].visit_id = std::string(33, 'a'); }},
        {"$.responses[0].answers",
         [](auto& d) {
             auto extra = d.responses[0].answers.back();
             extra.question_id = "one-more";
             d.responses[0].answers.push_back(extra);
         }},
        {"$.responses[0].answers[0].options", [](auto& d) { d.responses[0].answers[0].options.push_back("o"); }},
        {"$.responses[0].answers[0].options[0]", [](auto& d) { d.responses[0].answers[0].options[0] += "o"; }},
        {"$.responses[0].answers[1].text", [](auto& d) { d.responses[0].answers[1].text += "w"; }},
        {"$.responses[0].answers[2].sealed", [](auto& d) { d.responses[0].answers[2].sealed += "S"; }},
        {"$.responses[0].answers[2].seal_key", [](auto& d) { d.responses[0].answers[2].seal_key += "k"; }},
        {"$.responses[0].answers[4].clip.data", [](auto& d) { d.responses[0].answers[4].clip += "QQQQ"; }},
        {"$.responses[0].answers[3].position",
         [](auto& d) { d.responses[0].answers[3].position = protocol::kMaxPosition + 1; }},
        {"$.responses",
         [](auto& d) {
             auto one = d.responses[0];
             one.answers.resize(1);
             d.responses.assign(protocol::kMaxResponses + 1, one);
         }},
    };
    for (const auto& [where, change] : past) {
        CAPTURE(where);
        auto d = largest;
        change(d);
        const auto refused = protocol::read_delivery(protocol::write_delivery(d));
        REQUIRE_FALSE(refused);
        CHECK(refused.problem().where == where);
        CHECK(refused.words().find(where) != std::string::npos);
    }
}

TEST_CASE("times are read as PROTOCOL.md says: UTC, 0 to 6 fraction digits, and only times that exist") {
    auto with_start = [](const std::string& at) {
        protocol::Delivery d{.device_id = "d",
                             .responses = {{.id = std::string(32, 'a'),
                                            .pack_id = "p",
                                            .pack_version = "1",
                                            .band = "8-11",
                                            .visit_type = "visit",
                                            .language = "en",
                                            .started_at = at,
                                            .state = "complete"}}};
        return protocol::read_delivery(protocol::write_delivery(d));
    };
    for (const char* taken : {"2026-11-22T20:31:36Z", "2026-11-22T20:31:36.4Z", "2026-11-22T20:31:36.451Z",
                              "2026-11-22T20:31:36.451234Z", "2028-02-29T23:59:59.999Z"}) {
        CAPTURE(taken);
        CHECK(with_start(taken));
    }
    for (const char* refused : {"2026-11-22T20:31:36.4512345Z", "2026-11-22T20:31:36.Z", "2026-11-22T20:31:36.451",
                                "2026-11-22 20:31:36.451Z", "2026-02-29T10:00:00.000Z", "2026-04-31T10:00:00.000Z",
                                "2026-11-22T24:00:00.000Z", "2026-11-22T20:60:00.000Z", "1999-12-31T23:59:59.000Z",
                                "2026-11-22T20:31:36.451+01:00"}) {
        CAPTURE(refused);
        const auto r = with_start(refused);
        REQUIRE_FALSE(r);
        CHECK(r.problem().where == "$.responses[0].started_at");
    }
}

TEST_CASE("acknowledgements, enrolments and refusals read back as they were written") {
    const protocol::Ack ack{.accepted = {"a", "b"},
                            .rejected = {{"c", "the pack \"x\" is not one this collector knows"}}};
    const auto acked = protocol::read_ack(protocol::write_ack(ack), {"a", "b", "c"});
    REQUIRE(acked);
    CHECK(*acked == ack);
    // A reason longer than a kiosk keeps is cut, not refused.
    const protocol::Ack wordy{.accepted = {}, .rejected = {{"c", std::string(protocol::kMaxReason + 9, 'r')}}};
    const auto cut = protocol::read_ack(protocol::write_ack(wordy), {"c"});
    REQUIRE(cut);
    CHECK(cut->rejected.at(0).reason.size() == protocol::kMaxReason);

    const protocol::EnrolRequest asked{.code = "7KQ4M2XD9PRA", .device_id = "3ad7840334d60252b3126d09f12c1545"};
    const auto read_asked = protocol::read_enrol_request(protocol::write_enrol_request(asked));
    REQUIRE(read_asked);
    CHECK(*read_asked == asked);
    const auto typed = protocol::read_enrol_request(R"({"code": "7kq4-m2xd 9pra", "device_id": "d"})");
    REQUIRE(typed);
    CHECK(typed->code == "7KQ4M2XD9PRA");

    const protocol::EnrolReply given{.device_name = "tablet \xc5\xbc",
                                     .token = std::string(64, 'a'),
                                     .seal_keys = {{"k1", "cHVibGlj"}, {"k2", "b3RoZXI="}}};
    const auto read_given = protocol::read_enrol_reply(protocol::write_enrol_reply(given));
    REQUIRE(read_given);
    CHECK(*read_given == given);
    protocol::EnrolReply publishing = given;
    publishing.publish_key = "cHVibGlzaA==";
    CHECK(*protocol::read_enrol_reply(protocol::write_enrol_reply(publishing)) == publishing);
    for (const char* bad :
         {R"({"token": "t", "seal_keys": []})", R"({"device_name": "n", "token": 5, "seal_keys": []})",
          R"({"device_name": "n", "token": "t", "seal_keys": [{"id": "k"}]})", "[]", "{"}) {
        CAPTURE(bad);
        CHECK_FALSE(protocol::read_enrol_reply(bad));
    }

    for (const protocol::Refusal& r :
         {protocol::Refusal{.error = "must be a string", .where = "$.device_id"},
          protocol::Refusal{.error = "this tablet's token has been revoked", .revoked = true}})
        CHECK(protocol::read_refusal(protocol::write_refusal(r)) == r);
    // Whatever a server sends instead, a refusal is read without throwing.
    CHECK(protocol::read_refusal("<html>502</html>") == protocol::Refusal{});
    CHECK_FALSE(protocol::read_refusal(R"({"error": 3, "revoked": "yes"})").revoked);
}

TEST_CASE("PROTOCOL.md's examples are messages the module reads as the text says") {
    const std::string md = protocol_md();
    REQUIRE(!md.empty());
    // The fenced JSON examples, in order: a delivery, its acknowledgement, an enrolment.
    std::vector<std::string> fenced;
    for (std::size_t at = md.find("```json\n"); at != std::string::npos; at = md.find("```json\n", at)) {
        at += 8;
        const auto end = md.find("```", at);
        fenced.push_back(md.substr(at, end - at));
        at = end + 3;
    }
    REQUIRE(fenced.size() == 5);
    const auto delivery = protocol::read_delivery(fenced[0]);
    REQUIRE_MESSAGE(delivery, delivery.words());
    REQUIRE(delivery->responses.size() == 1);
    CHECK(delivery->responses[0].answers.size() == 2);
    CHECK(delivery->responses[0].answers[1].skipped);
    // The drawing's answer, in that delivery: a PNG.
    auto with_drawing = nlohmann::json::parse(fenced[0]);
    with_drawing["responses"][0]["answers"].push_back(nlohmann::json::parse(fenced[1]));
    const auto drawn = protocol::read_delivery(with_drawing.dump());
    REQUIRE_MESSAGE(drawn, drawn.words());
    const auto& picture = drawn->responses[0].answers.at(2);
    CHECK(picture.kind == "draw");
    CHECK(picture.clip_type == "image/png");
    std::vector<unsigned char> png;
    REQUIRE(formats::from_base64(picture.clip, png));
    CHECK(std::string(png.begin(), png.begin() + 4) == "\x89PNG");
    const auto ack = protocol::read_ack(fenced[2], {delivery->responses[0].id});
    REQUIRE(ack);
    CHECK(ack->accepted == std::vector<std::string>{delivery->responses[0].id});
    const auto enrol = protocol::read_enrol_request(fenced[3]);
    REQUIRE_MESSAGE(enrol, enrol.words());
    CHECK(enrol->code == "7KQ4M2XD9PRA");
    // "You said, we did": its payload is the list the text describes (the signature is a placeholder).
    const auto we_did_body = nlohmann::json::parse(fenced[4]);
    const auto we_did = protocol::read_we_did_payload(we_did_body.at("payload").get<std::string>());
    REQUIRE(we_did);
    CHECK(we_did->device_id == enrol->device_id);
    CHECK(we_did->service_area == "early-help");
    REQUIRE(we_did->entries.size() == 1);
    CHECK(we_did->entries[0].measure == "listened");
    CHECK(we_did->entries[0].published_at == "2026-11-30");
    // Its signature is a placeholder: no key checks it.
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    REQUIRE(sodium_init() >= 0);
    crypto_sign_keypair(pk, sk);
    CHECK(protocol::read_we_did(fenced[4], formats::to_base64(pk, sizeof pk), enrol->device_id).problem().kind ==
          protocol::WeDidProblem::Kind::BadSignature);

    // The enrolment reply and the error body are given inline.
    std::smatch m;
    REQUIRE(std::regex_search(md, m, std::regex("`(\\{\"protocol\": 1, \"device_name\"[^`]*)`")));
    const auto reply = protocol::read_enrol_reply(m[1].str());
    REQUIRE(reply);
    CHECK(reply->device_name == "TABLET-NAME");
    CHECK(reply->publish_key == "...");
    REQUIRE(std::regex_search(md, m, std::regex("`(\\{\"error\": [^`]*)`")));
    CHECK(protocol::read_refusal(m[1].str()).where == "$.responses[3].answers[0].options");
}

TEST_CASE("PROTOCOL.md's table of limits is the module's, every limit in it") {
    const std::map<std::string, std::size_t> module = {
        {"kMaxResponses", protocol::kMaxResponses},
        {"kMaxDeliveryBytes", protocol::kMaxDeliveryBytes},
        {"kMaxAnswers", protocol::kMaxAnswers},
        {"kMaxOptions", protocol::kMaxOptions},
        {"kMaxName", protocol::kMaxName},
        {"kMaxLanguage", protocol::kMaxLanguage},
        {"kMaxReference", protocol::kMaxReference},
        {"kMaxText", protocol::kMaxText},
        {"kMaxSealed", protocol::kMaxSealed},
        {"kMaxSealKey", protocol::kMaxSealKey},
        {"kMaxClip", protocol::kMaxClip},
        {"kMaxDeviceId", protocol::kMaxDeviceId},
        {"kMaxReason", protocol::kMaxReason},
        {"kMaxPosition", static_cast<std::size_t>(protocol::kMaxPosition)},
        {"kMaxDepth", static_cast<std::size_t>(protocol::kMaxDepth)},
        {"kMaxWeDidText", protocol::kMaxWeDidText},
        {"kMaxWeDidEntries", protocol::kMaxWeDidEntries},
        {"kMaxWeDidPerLanguage", protocol::kMaxWeDidPerLanguage},
        {"kMaxWeDidBytes", protocol::kMaxWeDidBytes},
    };
    // Rows like "| a child's words (`text`) | 20000 bytes | `kMaxText` |".
    const std::string md = protocol_md();
    const std::regex row("\\| *[^|\\n]+\\| *([0-9 ]+)[^|\\n]*\\| *`(kMax[A-Za-z]+)` *\\|");
    std::map<std::string, std::size_t> documented;
    for (auto it = std::sregex_iterator(md.begin(), md.end(), row); it != std::sregex_iterator(); ++it) {
        std::string digits;
        for (char c : (*it)[1].str())
            if (c != ' ') digits += c;
        documented[(*it)[2].str()] = std::stoull(digits);
    }
    CHECK(documented == module);
}

namespace {

struct SigningKey {
    std::vector<unsigned char> secret = std::vector<unsigned char>(crypto_sign_SECRETKEYBYTES);
    std::string public_key;
    SigningKey() {
        unsigned char pk[crypto_sign_PUBLICKEYBYTES];
        REQUIRE(sodium_init() >= 0);
        crypto_sign_keypair(pk, secret.data());
        public_key = formats::to_base64(pk, sizeof pk);
    }
};

protocol::WeDid entry(long long id, const std::string& lang, const std::string& said = "You said",
                      const std::string& did = "We did") {
    return {.id = id,
            .language = lang,
            .measure = "listened",
            .you_said = said,
            .we_did = did,
            .published_at = "2026-12-01"};
}

} // namespace

TEST_CASE("a \"you said, we did\" list reads back only with its collector's key, for the tablet it was made for, "
          "unchanged") {
    const SigningKey key, other;
    const protocol::WeDidList list{.device_id = "tablet-a",
                                   .service_area = "early-help",
                                   .issued_at = "2026-12-06T09:00:00Z",
                                   .entries = {entry(3, "en", "Wait \xc5\xbc"), entry(2, "ur")}};
    const std::string body = protocol::write_we_did(list, key.secret);
    const auto read = protocol::read_we_did(body, key.public_key, "tablet-a");
    REQUIRE_MESSAGE(read, read.words());
    CHECK(*read == list);
    using K = protocol::WeDidProblem::Kind;
    CHECK(protocol::read_we_did(body, other.public_key, "tablet-a").problem().kind == K::BadSignature);
    CHECK(protocol::read_we_did(body, "not a key", "tablet-a").problem().kind == K::BadSignature);
    CHECK(protocol::read_we_did(body, key.public_key, "tablet-b").problem().kind == K::NotForThisTablet);
    // One byte of the payload changed: the signature no longer holds.
    auto j = nlohmann::json::parse(body);
    std::string payload = j["payload"];
    payload.replace(payload.find("early-help"), 10, "other-area");
    j["payload"] = payload;
    CHECK(protocol::read_we_did(j.dump(), key.public_key, "tablet-a").problem().kind == K::BadSignature);
    // A signature moved onto another payload, and what is not a signed list at all.
    j["payload"] = R"({"device_id":"tablet-a","service_area":"","issued_at":"","entries":[]})";
    CHECK(protocol::read_we_did(j.dump(), key.public_key, "tablet-a").problem().kind == K::BadSignature);
    for (const char* bad : {"", "[]", "{\"payload\": 1, \"signature\": \"x\"}", "{\"payload\": \"{}\"}"})
        CHECK(protocol::read_we_did(bad, key.public_key, "tablet-a").problem().kind == K::NotSigned);
    CHECK(protocol::read_we_did(std::string(protocol::kMaxWeDidBytes + 1, ' '), key.public_key, "tablet-a")
              .problem()
              .kind == K::NotSigned);
    // Signed, but not a list.
    CHECK_FALSE(protocol::read_we_did_payload(R"({"device_id": "tablet-a"})"));
    CHECK_FALSE(protocol::read_we_did_payload("{\"device_id\": \"\xff\", \"service_area\": \"\", "
                                              "\"issued_at\": \"\", \"entries\": []}"));
}

TEST_CASE("a \"you said, we did\" entry past a limit is left out, and the rest are read") {
    const SigningKey key;
    protocol::WeDidList list{.device_id = "t", .service_area = "", .issued_at = "", .entries = {}};
    list.entries.push_back(entry(1, "en", std::string(protocol::kMaxWeDidText, 's')));     // at the limit: kept
    list.entries.push_back(entry(2, "en", std::string(protocol::kMaxWeDidText + 1, 's'))); // past it: left out
    list.entries.push_back(entry(3, "en", ""));                                            // no words
    list.entries.push_back(entry(4, "not a tag"));
    list.entries.push_back(entry(5, "x"));
    for (long long id = 6; id < 12; ++id) // the newest 3 of a language, in the order sent
        list.entries.push_back(entry(id, "pl"));
    const auto read = protocol::read_we_did(protocol::write_we_did(list, key.secret), key.public_key, "t");
    REQUIRE(read);
    std::vector<long long> ids;
    for (const auto& e : read->entries)
        ids.push_back(e.id);
    CHECK(ids == std::vector<long long>{1, 6, 7, 8});
    // At most kMaxWeDidEntries in all, whatever their languages.
    list.entries.clear();
    for (long long id = 0; id < 40; ++id)
        list.entries.push_back(entry(id, "l" + std::to_string(id)));
    const auto many = protocol::read_we_did(protocol::write_we_did(list, key.secret), key.public_key, "t");
    REQUIRE(many);
    CHECK(many->entries.size() == protocol::kMaxWeDidEntries);
}
