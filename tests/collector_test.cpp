// The reference collector: its stores (one contract, run against SQLite and
// a throwaway PostgreSQL), its answers to bad requests, and PostgreSQL end to end.
#include "client.hpp"
#include "collector_process.hpp"
#include "collector_store.hpp"
#include "config.hpp"
#include "enrol.hpp"
#include "eventually.hpp"
#include "formats/base64.hpp"
#include "migrations.hpp"
#include "open_store.hpp"
#include "postgres.hpp"
#include "protocol/codec.hpp"
#include "publish.hpp"
#include "seal.hpp"
#include "server.hpp"
#include "storage/store.hpp"
#include "store.hpp"
#include "store_kinds.hpp"
#include "support.hpp"
#include "views.hpp"
#include "we_did.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <httplib.h>
#include <set>
#include <sodium.h>
#include <thread>

using namespace sayso;
namespace reports = sayso::collector::reports;
using test::PostgresKind;
using test::SqliteKind;
using test::TempDir;

namespace {

collector::Response response(const std::string& id, const std::string& text = "hello") {
    collector::Response r;
    r.id = id;
    r.device_id = "d1";
    r.pack_id = "after-my-visit";
    r.pack_version = "1.0.0";
    r.band = "8-11";
    r.visit_type = "visit";
    r.language = "en";
    r.started_at = "2026-11-22T10:00:00.000Z";
    r.ended_at = "2026-11-22T10:02:00.000Z";
    r.state = "complete";
    collector::Answer a;
    a.question_id = "anything-else";
    a.kind = "text";
    a.text = text;
    a.answered_at = "2026-11-22T10:01:00.000Z";
    r.answers.push_back(a);
    return r;
}

// A new key pair in `keys_file` (made if missing) from `sayso-collector keys new`; its public key.
std::string new_key(const std::string& keys_file, const std::string& id) {
    const auto made = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys_file, "--id", id});
    REQUIRE(made.code == 0);
    return nlohmann::json::parse(made.out)["public_key"];
}

std::string hex(int i) {
    char b[33];
    std::snprintf(b, sizeof b, "%032x", i);
    return b;
}

// A kiosk database holding `n` finished responses, ids hex(1) to hex(n); with
// `words`, each with a typed answer "words of child I é ا".
void fill_kiosk(const std::filesystem::path& db, int n, bool words = false) {
    auto s = test::open_store(db);
    for (int i = 0; i < n; ++i) {
        flow::ResponseStart st{hex(i + 1), "after-my-visit",      "1.0.0", "12-17", "review",
                               "en",       1'700'000'000'000 + i, "",      ""};
        REQUIRE(s->begin(st));
        if (words)
            REQUIRE(s->record(st.id, flow::AnswerRecord{.question_id = "q1",
                                                        .kind = "text",
                                                        .text = "words of child " + std::to_string(i) + " \u00e9\u0627",
                                                        .answered_at_ms = st.started_at_ms}));
        REQUIRE(s->finish(st.id, flow::Completion::Complete, st.started_at_ms + 1));
    }
}

std::vector<std::string> all_ids(collector::Store& s) {
    std::vector<std::string> ids;
    REQUIRE(s.for_each([&](const std::string&, const collector::Response& r) {
        ids.push_back(r.id);
        return true;
    }));
    return ids;
}

} // namespace

TEST_CASE_TEMPLATE("a collector store gives back every field it took, words of every kind as they were", Kind,
                   SqliteKind, PostgresKind) {
    Kind kind;
    if (!kind.available()) return;
    auto s = test::open_collector_store(kind.spec());
    const std::vector<std::string> words = {
        "plain",
        "\"quoted\" and \\backslashed\\",
        "line\nbreak\ttab\r\x01\x1f\x7f",
        "\xc5\xbc\xc3\xb3\xc5\x82w \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85 \xf0\x9f\x98\x80 \u2028",
        "{\"looks\": [\"like\", \"json\"]}",
        "'; DROP TABLE answers; --",
        std::string("nul\0inside", 10),
        ""};
    std::vector<collector::Response> batch;
    for (std::size_t i = 0; i < words.size(); ++i) {
        auto r = response(hex(100 + static_cast<int>(i)), words[i]);
        r.case_ref = words[i].substr(0, 40);
        r.practitioner_code = words[(i + 1) % words.size()].substr(0, 40);
        r.asked_to_talk = i % 2 == 0;
        r.ended_at = i == 3 ? "" : r.ended_at;
        r.state = i == 3 ? "incomplete" : "complete";
        collector::Answer picked;
        picked.question_id = "tiles " + words[(i + 2) % words.size()];
        picked.position = 3;
        picked.kind = "pick_many";
        picked.measure = "safe";
        picked.options = {words[i], words[(i + 3) % words.size()], "\"]"};
        picked.skipped = i == 5;
        picked.answered_at = "2026-11-22T10:01:30.123456Z";
        r.answers.push_back(picked);
        collector::Answer sealed;
        sealed.question_id = "sealed";
        sealed.position = 4;
        sealed.kind = "text";
        sealed.answered_at = "2026-11-22T10:01:40Z";
        sealed.sealed = "c2VhbGVk+/==";
        sealed.seal_key = "k1";
        r.answers.push_back(sealed);
        collector::Answer drawn = sealed; // a drawing, its picture sealed too
        drawn.question_id = "my-picture";
        drawn.position = 5;
        drawn.kind = "draw";
        drawn.clip_type = "image/png";
        drawn.clip = std::string(64 * 1024, 'Q') + "+/8=";
        r.answers.push_back(drawn);
        batch.push_back(r);
    }
    REQUIRE(s->insert("tab", batch));
    // PostgreSQL's text can't hold NUL: it is kept as U+FFFD; everything else exactly.
    // (Before, a NUL failed the whole batch, which was then sent again forever.)
    auto as_kept = [&](std::string v) {
        if (kind.spec().rfind("sqlite:", 0) != 0)
            for (std::size_t at; (at = v.find('\0')) != std::string::npos;)
                v.replace(at, 1, "\xEF\xBF\xBD");
        return v;
    };
    std::size_t seen = 0;
    REQUIRE(s->for_each([&](const std::string& device, const collector::Response& got) {
        CHECK(device == "tab");
        auto want = std::find_if(batch.begin(), batch.end(), [&](const auto& b) { return b.id == got.id; });
        REQUIRE(want != batch.end());
        collector::Response expected = *want;
        expected.case_ref = as_kept(expected.case_ref);
        expected.practitioner_code = as_kept(expected.practitioner_code);
        for (auto& a : expected.answers) {
            a.text = as_kept(a.text);
            a.question_id = as_kept(a.question_id);
        } // options are kept as a JSON list, which holds NUL as \u0000
        CHECK(static_cast<const protocol::Response&>(got) == static_cast<const protocol::Response&>(expected));
        CHECK(got.device_id == expected.device_id);
        ++seen;
        return true;
    }));
    CHECK(seen == batch.size());
}

TEST_CASE_TEMPLATE("a collector store keeps each response once and knows its devices", Kind, SqliteKind, PostgresKind) {
    Kind kind;
    if (!kind.available()) return;
    auto s = test::open_collector_store(kind.spec());

    auto flagged = response(hex(1));
    flagged.asked_to_talk = true;
    flagged.practitioner_code = "SW-042";
    flagged.case_ref = "C-123456";
    auto stored = s->insert("tab", {flagged, response(hex(2))});
    REQUIRE(stored);
    CHECK(*stored == std::vector<std::string>{hex(1), hex(2)});
    // Sent again (with different words): acknowledged again, kept as first stored.
    stored = s->insert("tab", {response(hex(2), "changed"), response(hex(3))});
    REQUIRE(stored);
    CHECK(*stored == std::vector<std::string>{hex(2), hex(3)});
    const auto n = s->count();
    REQUIRE(n);
    CHECK(*n == 3);
    REQUIRE(s->for_each([&](const std::string& device, const collector::Response& r) {
        CHECK(device == "tab");
        if (r.id == hex(2)) CHECK(r.answers.at(0).text == "hello");
        CHECK(r.asked_to_talk == (r.id == hex(1)));
        CHECK(r.case_ref == (r.id == hex(1) ? "C-123456" : ""));
        CHECK(r.practitioner_code == (r.id == hex(1) ? "SW-042" : ""));
        return true;
    }));
    CHECK(all_ids(*s) == std::vector<std::string>{hex(1), hex(2), hex(3)});

    // The device holding a token hash; the test stops if the store can't say.
    auto device_for = [&](const std::string& hash) {
        auto t = s->device_for(hash);
        REQUIRE(t);
        return *t;
    };
    REQUIRE(s->add_device("tablet-1", "hash1"));
    auto dev = device_for("hash1");
    CHECK(dev.name == "tablet-1");
    CHECK_FALSE(dev.revoked);
    dev = device_for("nope");
    CHECK_FALSE(dev.name);
    CHECK_FALSE(dev.revoked);
    auto found = s->revoke_device("tablet-1");
    REQUIRE(found);
    CHECK(*found);
    dev = device_for("hash1");
    CHECK_FALSE(dev.name);
    CHECK(dev.revoked);
    found = s->revoke_device("tablet-1");
    REQUIRE(found);
    CHECK_FALSE(*found);
    // A sealed answer is kept sealed, with the id of its key.
    auto sealed = response(hex(9));
    sealed.answers[0].text.clear();
    sealed.answers[0].sealed = "c2VhbGVkIGJ5dGVz";
    sealed.answers[0].seal_key = "k1";
    REQUIRE(s->insert("tab", {sealed}));
    const auto key_ids = s->seal_key_ids();
    REQUIRE(key_ids);
    CHECK(*key_ids == std::set<std::string>{"k1"});
    REQUIRE(s->for_each([&](const std::string&, const collector::Response& r) {
        if (r.id == hex(9)) {
            CHECK(r.answers.at(0).sealed == "c2VhbGVkIGJ5dGVz");
            CHECK(r.answers.at(0).seal_key == "k1");
            CHECK(r.answers.at(0).text.empty());
        } else {
            CHECK(r.answers.at(0).sealed.empty());
        }
        return true;
    }));

    // The audit log keeps what happened, in order.
    REQUIRE(s->audit("token_added", "tablet-1", "by test"));
    REQUIRE(s->audit("exported", "csv", "by test"));
    std::vector<std::string> events;
    REQUIRE(s->for_each_audit([&](const collector::AuditEntry& a) {
        events.push_back(a.event + " " + a.subject + " " + a.detail);
        CHECK(a.at.size() >= 20);
        CHECK(a.at.back() == 'Z');
        return true;
    }));
    CHECK(events == std::vector<std::string>{"token_added tablet-1 by test", "exported csv by test"});
    // A new token for the same tablet replaces the old one and is active.
    REQUIRE(s->add_device("tablet-1", "hash2"));
    dev = device_for("hash2");
    CHECK(dev.name == "tablet-1");
    CHECK_FALSE(dev.revoked);
    CHECK(dev.device_id.empty()); // a hand-made token is bound to no device id

    // Enrolment codes work once, and not after they expire.
    // The tablet a code is redeemed for; the test stops if the store can't say.
    auto redeem = [&](const std::string& code, const std::string& hash, const std::string& device_id,
                      std::int64_t now) {
        auto name = s->redeem_enrolment(code, hash, device_id, now);
        REQUIRE(name);
        return *name;
    };
    REQUIRE(s->add_enrolment("tablet-2", "code-a", 2000));
    REQUIRE(s->add_enrolment("tablet-3", "code-b", 1000));
    CHECK_FALSE(redeem("code-x", "hash-x", "dev", 1500));
    CHECK_FALSE(redeem("code-b", "hash-b", "dev", 1500)); // expired at 1000
    CHECK_FALSE(device_for("hash-b").name);
    CHECK(redeem("code-a", "hash-a", "dev-a", 1500) == "tablet-2");
    dev = device_for("hash-a");
    CHECK(dev.name == "tablet-2");
    CHECK(dev.device_id == "dev-a");                         // an enrolled token knows its tablet's device id
    CHECK_FALSE(redeem("code-a", "hash-a2", "dev-z", 1500)); // used already
    CHECK_FALSE(device_for("hash-a2").name);
    // Enrolling a revoked tablet again gives it a working token.
    REQUIRE(s->revoke_device("tablet-2"));
    REQUIRE(s->add_enrolment("tablet-2", "code-c", 3000));
    CHECK(redeem("code-c", "hash-c", "dev-a", 2500) == "tablet-2");
    CHECK(device_for("hash-c").name == "tablet-2");
    CHECK_FALSE(device_for("hash-a").name);
}

TEST_CASE_TEMPLATE("a store left by each earlier collector, numbered or not, is brought up to date with what it held",
                   Kind, SqliteKind, PostgresKind) {
    REQUIRE(collector::latest_schema() == static_cast<int>(collector::migrations().size()));
    for (int from = 0; from < collector::latest_schema(); ++from)
        for (const bool numbered : {true, false}) {
            if (from == 0 && !numbered) continue;
            CAPTURE(from);
            CAPTURE(numbered);
            Kind kind;
            if (!kind.available()) return;
            {
                auto old = test::open_collector_store(kind.spec(), from);
                const auto at = collector::schema_of(*old);
                REQUIRE(at);
                CHECK(*at == from);
                if (from >= 1) {
                    // What the first release kept, in its own columns.
                    const auto r = response(hex(1));
                    const auto& a = r.answers[0];
                    REQUIRE(old->query("INSERT INTO devices (name, token_hash) VALUES (?, ?)", {"tab", "h1"}));
                    REQUIRE(old->query(
                        "INSERT INTO responses (id, device_name, device_id, pack_id, pack_version, band, visit_type,"
                        " language, started_at, ended_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        {r.id, "tab", r.device_id, r.pack_id, r.pack_version, r.band, r.visit_type, r.language,
                         r.started_at, r.ended_at, r.state}));
                    REQUIRE(
                        old->query("INSERT INTO answers (response_id, question_id, position, kind, measure,"
                                   " skipped, options, text, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   {r.id, a.question_id, "0", a.kind, a.measure, "0", "[]", a.text, a.answered_at}));
                }
                // Made before steps were numbered: the same tables, no number.
                if (!numbered) REQUIRE(old->script("DROP TABLE collector_schema"));
            }
            auto s = test::open_collector_store(kind.spec());
            const auto at = collector::schema_of(*s);
            REQUIRE(at);
            CHECK(*at == collector::latest_schema());
            auto full = response(hex(2), "words");
            full.asked_to_talk = true;
            full.practitioner_code = "SW-1";
            full.case_ref = "C-2";
            full.answers[0].sealed = "c2VhbGVk";
            full.answers[0].seal_key = "k1";
            REQUIRE(s->insert("tab", {full}));
            std::vector<collector::Response> held;
            REQUIRE(s->for_each([&](const std::string&, const collector::Response& r) {
                held.push_back(r);
                return true;
            }));
            REQUIRE(held.size() == (from >= 1 ? 2u : 1u));
            const auto& last = held.back();
            CHECK(last.asked_to_talk);
            CHECK(last.case_ref == "C-2");
            CHECK(last.answers.at(0).seal_key == "k1");
            if (from >= 1) {
                CHECK(held[0].id == hex(1));
                CHECK_FALSE(held[0].asked_to_talk);
                CHECK(held[0].answers.at(0).text == "hello");
                const auto dev = s->device_for("h1");
                REQUIRE(dev);
                CHECK(dev->name == std::optional<std::string>("tab"));
            }
        }
}

TEST_CASE_TEMPLATE("a store from a newer collector is refused in words, and left as it is", Kind, SqliteKind,
                   PostgresKind) {
    Kind kind;
    if (!kind.available()) return;
    {
        auto s = test::open_collector_store(kind.spec());
        REQUIRE(s->query("UPDATE collector_schema SET version = ?", {std::to_string(collector::latest_schema() + 1)}));
    }
    const auto newer = collector::open_store(kind.spec());
    REQUIRE_FALSE(newer);
    CHECK(newer.words().find("made by a newer sayso-collector") != std::string::npos);
    auto r = test::run({SAYSO_COLLECTOR, "export", "--store", kind.spec()});
    CHECK(r.code == 1);
    CHECK(r.err.find("update sayso-collector") != std::string::npos);
}

TEST_CASE("bad requests get their status and words, and change nothing") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto token = test::add_token(store, "tab");
    const auto revoked = test::add_token(store, "old");
    REQUIRE(test::run({SAYSO_COLLECTOR, "token", "revoke", "old", "--store", store}).code == 0);
    test::CollectorProcess collector(store, {"--max-body", "100000"});
    httplib::Client http("127.0.0.1", collector.port());
    http.set_read_timeout(10, 0);

    const std::string good = nlohmann::json{{"protocol", 1},
                                            {"device_id", "d"},
                                            {"responses",
                                             {{{"id", hex(1)},
                                               {"pack_id", "p"},
                                               {"pack_version", "1"},
                                               {"band", "8-11"},
                                               {"visit_type", "visit"},
                                               {"language", "en"},
                                               {"started_at", "2026-11-22T10:00:00.000Z"},
                                               {"ended_at", nullptr},
                                               {"state", "complete"},
                                               {"answers", nlohmann::json::array()}}}}}
                                 .dump();
    auto with = [&](const std::string& field, const nlohmann::json& v) {
        auto j = nlohmann::json::parse(good);
        j["responses"][0][field] = v;
        return j.dump();
    };
    auto replaced = [](std::string text, const std::string& from, const std::string& to) {
        return text.replace(text.find(from), from.size(), to);
    };
    struct Case {
        const char* name;
        std::string auth, type, body;
        int status;
        std::string words, where;
    };
    const std::string bearer = "Bearer " + token;
    const std::vector<Case> cases = {
        {"no token", "", "application/json", good, 401, "no device token", ""},
        {"a wrong token", "Bearer 0000", "application/json", good, 401, "not known here", ""},
        {"a revoked token", "Bearer " + revoked, "application/json", good, 401, "revoked", ""},
        {"not JSON", bearer, "text/plain", good, 415, "must be application/json", ""},
        {"malformed JSON", bearer, "application/json", "{\"protocol\": 1,", 400, "not valid JSON", "$"},
        {"the wrong protocol", bearer, "application/json", R"({"protocol": 2})", 400, "must be 1", "$.protocol"},
        {"a bad id", bearer, "application/json", with("id", "../../etc"), 400, "32 lowercase hex", "$.responses[0].id"},
        {"a bad state", bearer, "application/json", with("state", "in_progress"), 400, "\"complete\" or",
         "$.responses[0].state"},
        {"a bad time", bearer, "application/json", with("started_at", "yesterday"), 400, "UTC time",
         "$.responses[0].started_at"},
        {"a talk flag that is not true or false", bearer, "application/json", with("asked_to_talk", "yes"), 400,
         "true or false", "$.responses[0].asked_to_talk"},
        {"a long case reference", bearer, "application/json", with("case_ref", std::string(41, 'x')), 400,
         "longer than 40", "$.responses[0].case_ref"},
        {"answers not a list", bearer, "application/json", with("answers", 7), 400, "must be a list",
         "$.responses[0].answers"},
        {"a band that reports keep for values kept together", bearer, "application/json", with("band", "*"), 400,
         "kept together", "$.responses[0].band"},
        {"a practitioner code that reports keep for values kept together", bearer, "application/json",
         with("practitioner_code", "*"), 400, "kept together", "$.responses[0].practitioner_code"},
        {"a time that does not exist", bearer, "application/json", with("started_at", "2026-99-99T99:99:99.000Z"), 400,
         "UTC time", "$.responses[0].started_at"},
        {"the 30th of February", bearer, "application/json", with("started_at", "2026-02-30T10:00:00.000Z"), 400,
         "UTC time", "$.responses[0].started_at"},
        {"a protocol too large for any number", bearer, "application/json",
         R"({"protocol": 1e400, "device_id": "d", "responses": []})", 400, "not valid JSON", "$"},
        {"a position too large for any number", bearer, "application/json",
         replaced(with("answers", nlohmann::json::array({{{"question_id", "q"},
                                                          {"position", 12345},
                                                          {"kind", "faces"},
                                                          {"measure", ""},
                                                          {"answered_at", "2026-11-22T10:00:00.000Z"},
                                                          {"skipped", true},
                                                          {"options", nlohmann::json::array()},
                                                          {"text", ""}}})),
                  "12345", "1e400"),
         400, "not valid JSON", "$"},
        {"one question answered twice", bearer, "application/json",
         with("answers", nlohmann::json::array({{{"question_id", "q"},
                                                 {"position", 0},
                                                 {"kind", "faces"},
                                                 {"measure", ""},
                                                 {"answered_at", "2026-11-22T10:00:00.000Z"},
                                                 {"skipped", false},
                                                 {"options", {"happy"}},
                                                 {"text", ""}},
                                                {{"question_id", "q"},
                                                 {"position", 1},
                                                 {"kind", "faces"},
                                                 {"measure", ""},
                                                 {"answered_at", "2026-11-22T10:00:01.000Z"},
                                                 {"skipped", false},
                                                 {"options", {"sad"}},
                                                 {"text", ""}}})),
         400, "answered twice", "$.responses[0].answers[1].question_id"},
        {"deep nesting", bearer, "application/json", std::string(5000, '[') + std::string(5000, ']'), 400,
         "nests deeper", "$"},
        {"a body over the limit", bearer, "application/json", std::string(200000, ' '), 413, "larger", ""},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        httplib::Headers h;
        if (!c.auth.empty()) h.emplace("Authorization", c.auth);
        auto res = http.Post("/v1/responses", h, c.body, c.type.c_str());
        REQUIRE(res);
        CHECK(res->status == c.status);
        auto j = nlohmann::json::parse(res->body, nullptr, false);
        REQUIRE(j.is_object());
        CHECK(j["error"].get<std::string>().find(c.words) != std::string::npos);
        if (!c.where.empty()) CHECK(j["where"] == c.where);
    }
    CHECK(test::exported_ids(store).empty()); // nothing changed

    auto ok = http.Post("/v1/responses", {{"Authorization", bearer}}, good, "application/json");
    REQUIRE(ok);
    CHECK(ok->status == 200);
    CHECK(test::exported_ids(store) == std::vector<std::string>{hex(1)});
    auto health = http.Get("/v1/health");
    REQUIRE(health);
    CHECK(health->status == 200);
}

TEST_CASE("PostgreSQL end to end, with two collectors on one database staying exactly once") {
    if (!test::postgres().running()) {
        MESSAGE("PostgreSQL could not start here, so this check is skipped: " << test::postgres().why_not());
        return;
    }
    TempDir tmp;
    const std::string store = test::postgres().new_database();
    const auto token = test::add_token(store, "tablet-1");
    // One kiosk's database, copied: two senders offer the very same responses at once.
    fill_kiosk(tmp / "kiosk.db", 1500);
    std::filesystem::copy_file(tmp / "kiosk.db", tmp / "copy.db");
    test::CollectorProcess a(store), b(store);
    auto cfg = [&](const test::CollectorProcess& c) {
        auto conf = sync::parse_config(nlohmann::json{{"endpoint", c.url()},
                                                      {"token", token},
                                                      {"batch_size", 100},
                                                      {"retry_start_seconds", 0.05},
                                                      {"retry_cap_seconds", 0.4},
                                                      {"interval_seconds", 0.05}}
                                           .dump(),
                                       "test");
        REQUIRE_MESSAGE(conf, conf.words());
        return *conf;
    };
    {
        sync::Client one(tmp / "kiosk.db", cfg(a)), two(tmp / "copy.db", cfg(b));
        test::eventually("both senders' outboxes empty",
                         [&] { return one.status().waiting == 0 && two.status().waiting == 0; });
    }
    const auto ids = test::exported_ids(store);
    CHECK(ids.size() == 1500);
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 1500);
}

TEST_CASE("each tablet has its own rate limit, answered 429 with Retry-After") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto a = test::add_token(store, "tablet-a");
    const auto b = test::add_token(store, "tablet-b");
    // 6 a minute, 3 at once.
    test::CollectorProcess collector(store, {"--rate", "6", "--burst", "3"});
    httplib::Client http("127.0.0.1", collector.port());
    const std::string body = R"({"protocol": 1, "device_id": "d", "responses": []})";
    auto post = [&](const std::string& token) {
        auto res = http.Post("/v1/responses", {{"Authorization", "Bearer " + token}}, body, "application/json");
        REQUIRE(res);
        return *res;
    };
    for (int i = 0; i < 3; ++i)
        CHECK(post(a).status == 200);
    auto limited = post(a);
    CHECK(limited.status == 429);
    const int wait = std::stoi(limited.get_header_value("Retry-After"));
    CHECK(wait >= 1);
    CHECK(wait <= 10);
    CHECK(limited.body.find("more often than this collector allows") != std::string::npos);
    CHECK(post(b).status == 200); // another tablet is not held up
    // An unknown token is refused before any bucket is spent on it.
    auto res = http.Post("/v1/responses", {{"Authorization", "Bearer nope"}}, body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 401);
}

TEST_CASE("per-address limits count an IPv6 client by its /64 and an IPv4-mapped one as IPv4") {
    using http::peer_address;
    CHECK(peer_address("127.0.0.1").key == "127.0.0.1");
    CHECK(peer_address("::ffff:192.0.2.7").address == "192.0.2.7");
    CHECK(peer_address("::ffff:192.0.2.7").key == "192.0.2.7");
    const auto a = peer_address("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), b = peer_address("2001:db8:1:2::1");
    CHECK(a.address == "2001:db8:1:2:aaaa:bbbb:cccc:dddd");
    CHECK(a.key == "2001:db8:1:2::/64");
    CHECK(a.key == b.key);
    CHECK(peer_address("2001:db8:1:3::1").key != a.key);
    CHECK(peer_address("::1").key == "::/64");
}

TEST_CASE("a rate limit's keys are bounded: past the cap, new keys share one bucket") {
    http::RateLimit limit(1, 1); // one request, then one a minute
    int refused = 0;
    for (int i = 0; i < 100'000; ++i)
        refused += limit.take("addr " + std::to_string(i)) > 0;
    CHECK(refused == 0); // each of the first 100,000 has its own bucket
    CHECK(limit.take("addr 0") > 0);
    // New keys now share one: the first gets its request, the rest wait.
    CHECK(limit.take("new 1") == 0);
    CHECK(limit.take("new 2") > 0);
    CHECK(limit.take("new 3") > 0);
}

TEST_CASE("sayso-collector audit lists every token added and revoked and every export, with who did it") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    test::add_token(store, "tablet-a");
    REQUIRE(test::run({SAYSO_COLLECTOR, "token", "revoke", "tablet-a", "--store", store}).code == 0);
    REQUIRE(test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "csv"}).code == 0);
    auto r = test::run({SAYSO_COLLECTOR, "audit", "--store", store});
    REQUIRE(r.code == 0);
    const auto added = r.out.find("token_added  tablet-a  by ");
    const auto revoked = r.out.find("token_revoked  tablet-a  by ");
    const auto exported = r.out.find("exported  csv  by ");
    REQUIRE(added != std::string::npos);
    REQUIRE(revoked != std::string::npos);
    REQUIRE(exported != std::string::npos);
    CHECK(added < revoked);
    CHECK(revoked < exported);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 3);
    // A failed revoke (no such tablet) changes nothing and is not logged as done.
    CHECK(test::run({SAYSO_COLLECTOR, "token", "revoke", "tablet-z", "--store", store}).code == 1);
    CHECK(test::run({SAYSO_COLLECTOR, "audit", "--store", store}).out == r.out);
}

TEST_CASE("enrolment codes are typeable, random, and read back however they are typed") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        const std::string code = collector::new_enrolment_code();
        REQUIRE(code.size() == 14);
        CHECK(code[4] == '-');
        CHECK(code[9] == '-');
        CHECK(code.find_first_of("01OIL") == std::string::npos);
        CHECK(protocol::normalise_code(code).size() == 12);
        seen.insert(code);
    }
    CHECK(seen.size() == 200);
    CHECK(protocol::normalise_code("abcd-efgh-jkmn") == "ABCDEFGHJKMN");
    CHECK(protocol::normalise_code("ABCD EFGH JKMN") == "ABCDEFGHJKMN");
    CHECK(protocol::normalise_code("ABCD-EFGH-JKM").empty());  // too short
    CHECK(protocol::normalise_code("ABCD-EFGH-JKMO").empty()); // O is never in a code
    CHECK(protocol::normalise_code(std::string("ABCD-EFGH-JKM\0", 14)).empty());
}

TEST_CASE("a tablet enrols with a one-time code, gets its token and the keys, and a revoked token is called revoked") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto keys = tmp / "keys.json";
    REQUIRE(test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys.string(), "--id", "k1"}).code == 0);
    const auto k2 = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys.string(), "--id", "k2"});
    REQUIRE(k2.code == 0);
    auto made = test::run({SAYSO_COLLECTOR, "enrol", "tablet-7", "--store", store});
    REQUIRE(made.code == 0);
    const std::string code = made.out.substr(0, made.out.find('\n'));
    CHECK(code.size() == 14);
    CHECK(made.err.find("works once") != std::string::npos);
    test::CollectorProcess collector(store, {"--keys", keys.string()});
    httplib::Client http("127.0.0.1", collector.port());
    auto enrol = [&](const std::string& c, const std::string& device = "dev-7") {
        auto res =
            http.Post("/v1/enrol", nlohmann::json{{"code", c}, {"device_id", device}}.dump(), "application/json");
        REQUIRE(res);
        return *res;
    };
    CHECK(enrol("ABCD-EFGH-JKMN").status == 403); // not issued
    // Typed in small letters without dashes, as an admin might.
    std::string typed;
    for (char c : code)
        if (c != '-') typed += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto ok = enrol(typed);
    REQUIRE(ok.status == 200);
    const auto reply = nlohmann::json::parse(ok.body);
    CHECK(reply["device_name"] == "tablet-7");
    const std::string token = reply["token"];
    CHECK(token.size() == 64);
    REQUIRE(reply["seal_keys"].size() == 2);
    CHECK(reply["seal_keys"][1]["id"] == "k2"); // newest last
    CHECK(reply["seal_keys"][1]["public_key"] == nlohmann::json::parse(k2.out)["public_key"]);
    CHECK(ok.body.find("secret") == std::string::npos);
    // Used twice: refused, and the first token still works.
    auto again = enrol(code, "someone-else");
    CHECK(again.status == 403);
    CHECK(again.body.find("used already") != std::string::npos);
    const std::string body = R"({"protocol": 1, "device_id": "dev-7", "responses": []})";
    auto post = [&] {
        auto res = http.Post("/v1/responses", {{"Authorization", "Bearer " + token}}, body, "application/json");
        REQUIRE(res);
        return *res;
    };
    CHECK(post().status == 200);
    // The token is this tablet's: another device id with it is refused, and says where.
    auto other = http.Post("/v1/responses", {{"Authorization", "Bearer " + token}},
                           R"({"protocol": 1, "device_id": "dev-8", "responses": []})", "application/json");
    REQUIRE(other);
    CHECK(other->status == 400);
    CHECK(nlohmann::json::parse(other->body)["where"] == "$.device_id");
    // Not JSON, or no code, or a device id that could forge an audit line: 400, with where.
    for (const auto& [body, where] : std::vector<std::pair<std::string, std::string>>{
             {"{\"code\": 7}", "$.code"},
             {"[1]", "$"},
             {R"({"code": "ABCD-EFGH-JKMN"})", "$.device_id"},
             {R"({"code": "ABCD-EFGH-JKMN", "device_id": ""})", "$.device_id"},
             {R"({"code": "ABCD-EFGH-JKMN", "device_id": "dev\nenrolled  tablet-1"})", "$.device_id"},
             {R"({"code": "ABCD-EFGH-JKMN", "device_id": "dev 7"})", "$.device_id"},
             {R"({"code": "ABCD-EFGH-JKMN", "device_id": ")" + std::string(65, 'd') + "\"}", "$.device_id"}}) {
        INFO(body);
        auto bad = http.Post("/v1/enrol", body, "application/json");
        REQUIRE(bad);
        CHECK(bad->status == 400);
        CHECK(nlohmann::json::parse(bad->body)["where"] == where);
    }

    // Revoked: the reply says so, so the tablet can tell the practitioner.
    REQUIRE(test::run({SAYSO_COLLECTOR, "token", "revoke", "tablet-7", "--store", store}).code == 0);
    auto refused = post();
    CHECK(refused.status == 401);
    CHECK(nlohmann::json::parse(refused.body)["revoked"] == true);
    sync::Config c;
    c.endpoint = collector.url();
    c.token = token;
    sync::Http client(c);
    CHECK(client.post("/v1/responses", body).kind == sync::PostResult::Kind::Revoked);
    c.token = "not-a-token";
    sync::Http stranger(c);
    CHECK(stranger.post("/v1/responses", body).kind == sync::PostResult::Kind::AuthRefused);

    // The tablet's side: only over TLS, or to this machine; a refused code is said in words.
    const auto plain = sync::enrol("http://collector.example.org", "", code, "dev-7");
    REQUIRE_FALSE(plain);
    CHECK(plain.problem().kind == sync::EnrolProblem::Kind::BadAddress);
    CHECK(plain.words().find("plain http is only allowed to this machine") != std::string::npos);
    const auto used = sync::enrol(collector.url(), "", code, "dev-7");
    REQUIRE_FALSE(used);
    CHECK(used.problem().kind == sync::EnrolProblem::Kind::CodeRefused);
    CHECK(used.words().find("was used already") != std::string::npos);
    // A code lasts at least 36 s (expiry itself is checked on both stores above).
    CHECK(test::run({SAYSO_COLLECTOR, "enrol", "tablet-8", "--store", store, "--valid-hours", "0.0003"}).code == 2);

    // Every step is in the audit log.
    auto log = test::run({SAYSO_COLLECTOR, "audit", "--store", store}).out;
    const auto issued = log.find("enrolment_issued  tablet-7  by ");
    const auto enrolled = log.find("enrolled  tablet-7  device id dev-7 from 127.0.0.1");
    const auto revoked = log.find("token_revoked  tablet-7");
    REQUIRE(issued != std::string::npos);
    REQUIRE(enrolled != std::string::npos);
    REQUIRE(revoked != std::string::npos);
    CHECK(issued < enrolled);
    CHECK(enrolled < revoked);
    CHECK(log.find("enrolment_refused  127.0.0.1  device id someone-else") != std::string::npos);
}

TEST_CASE("enrolment guesses are held back by the rate limit") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    test::CollectorProcess collector(store, {"--rate", "6", "--burst", "3"});
    httplib::Client http("127.0.0.1", collector.port());
    const std::string body = R"({"code": "ABCD-EFGH-JKMN", "device_id": "d"})";
    for (int i = 0; i < 3; ++i) {
        auto res = http.Post("/v1/enrol", body, "application/json");
        REQUIRE(res);
        CHECK(res->status == 403);
    }
    auto res = http.Post("/v1/enrol", body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 429);
    CHECK_FALSE(res->get_header_value("Retry-After").empty());
}

TEST_CASE("keys backup: encrypted under a passphrase typed twice, restored whole, refused with a wrong one") {
    TempDir tmp;
    const auto keys = tmp / "keys.json", backup = tmp / "keys.backup";
    REQUIRE(test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys.string(), "--id", "k1"}).code == 0);
    REQUIRE(test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys.string(), "--id", "k2"}).code == 0);
    const auto held = nlohmann::json::parse(test::read_file(keys));
    const std::string pass = "correct horse battery staple";
    auto backup_with = [&](const std::string& input) {
        return test::run({SAYSO_COLLECTOR, "keys", "backup", "--keys", keys.string(), "--out", backup.string()}, {},
                         input);
    };
    // Typed differently the second time, or too short: nothing is written.
    auto differ = backup_with(pass + "\n" + pass + "!\n");
    CHECK(differ.code == 1);
    CHECK(differ.err.find("differ") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(backup));
    auto shortp = backup_with("short\nshort\n");
    CHECK(shortp.code == 1);
    CHECK(shortp.err.find("at least 12") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(backup));
    auto made = backup_with(pass + "\n" + pass + "\n");
    REQUIRE(made.code == 0);
    CHECK((std::filesystem::status(backup).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    // No secret key is in the backup in the clear.
    const std::string text = test::read_file(backup);
    for (const auto& k : held)
        CHECK(text.find(k["secret_key"].get<std::string>()) == std::string::npos);
    CHECK(backup_with(pass + "\n" + pass + "\n").code == 1); // never overwrites

    // The keys are lost; a wrong passphrase restores nothing.
    std::filesystem::remove(keys);
    auto restore = [&](const std::string& p) {
        return test::run({SAYSO_COLLECTOR, "keys", "restore", "--backup", backup.string(), "--keys", keys.string()}, {},
                         p + "\n");
    };
    auto wrong = restore("wrong horse battery staple");
    CHECK(wrong.code == 1);
    CHECK(wrong.err.find("passphrase is wrong") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(keys));
    auto right = restore(pass);
    REQUIRE(right.code == 0);
    CHECK(nlohmann::json::parse(test::read_file(keys)) == held);
    CHECK((std::filesystem::status(keys).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    // Restoring onto a keys file that has moved on adds only what it lacks.
    REQUIRE(test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys.string(), "--id", "k3"}).code == 0);
    auto merged = restore(pass);
    REQUIRE(merged.code == 0);
    CHECK(merged.err.find("already holds every key") != std::string::npos);
    CHECK(nlohmann::json::parse(test::read_file(keys)).size() == 3);
    // A damaged backup is refused.
    auto j = nlohmann::json::parse(text);
    std::string box = j["box"];
    box[10] = box[10] == 'A' ? 'B' : 'A';
    j["box"] = box;
    test::write_file(tmp / "damaged.backup", j.dump());
    auto damaged = test::run(
        {SAYSO_COLLECTOR, "keys", "restore", "--backup", (tmp / "damaged.backup").string(), "--keys", keys.string()},
        {}, pass + "\n");
    CHECK(damaged.code == 1);
    CHECK(damaged.err.find("damaged") != std::string::npos);
}

TEST_CASE("a keys file that holds an id twice, or a pair that does not belong together, is refused in words") {
    TempDir tmp;
    const auto keys = tmp / "keys.json";
    REQUIRE(test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys.string(), "--id", "k1"}).code == 0);
    REQUIRE(test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys.string(), "--id", "k2"}).code == 0);
    const auto good = nlohmann::json::parse(test::read_file(keys));
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    auto serve_with = [&](const nlohmann::json& held) {
        test::write_file(keys, held.dump());
        return test::run(
            {SAYSO_COLLECTOR, "serve", "--listen", "127.0.0.1:0", "--store", store, "--keys", keys.string()});
    };
    auto twice = good;
    twice[1]["id"] = "k1";
    auto r = serve_with(twice);
    CHECK(r.code != 0);
    CHECK(r.err.find("holds the key id \"k1\" twice") != std::string::npos);
    auto crossed = good;
    crossed[0]["secret_key"] = good[1]["secret_key"];
    r = serve_with(crossed);
    CHECK(r.code != 0);
    CHECK(r.err.find("damaged key \"k1\"") != std::string::npos);
    auto short_key = good;
    short_key[1]["public_key"] = "AAAA";
    r = serve_with(short_key);
    CHECK(r.code != 0);
    CHECK(r.err.find("damaged key \"k2\"") != std::string::npos);
    r = serve_with(nlohmann::json{{"id", "k1"}});
    CHECK(r.code != 0);
    CHECK(r.err.find("is not a keys file") != std::string::npos);
}

TEST_CASE("a response the collector can never take is rejected by id with the reason, and nothing of it is stored") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto keys = (tmp / "keys.json").string();
    const std::string pk = new_key(keys, "k1");
    // A key pair this collector never made: what a stranger with a leaked token would seal to.
    const std::string foreign_pk = new_key((tmp / "stranger.json").string(), "k1");
    const auto token = test::add_token(store, "tab");
    test::CollectorProcess collector(store, {"--keys", keys, "--packs", (test::source_dir / "surveys").string()});
    httplib::Client http("127.0.0.1", collector.port());

    auto resp = [&](int i, const std::string& pack, const std::string& band, const std::string& sealed,
                    const std::string& key) {
        nlohmann::json a = {{"question_id", "listened"},
                            {"position", 0},
                            {"kind", "faces"},
                            {"measure", "listened"},
                            {"answered_at", "2026-11-22T10:00:01.000Z"}};
        if (sealed.empty()) {
            a["skipped"] = false;
            a["options"] = {"happy"};
            a["text"] = "";
        } else {
            a["sealed"] = sealed;
            a["seal_key"] = key;
        }
        return nlohmann::json{{"id", hex(i)},
                              {"pack_id", pack},
                              {"pack_version", "1.0.0"},
                              {"band", band},
                              {"visit_type", "visit"},
                              {"language", "en"},
                              {"started_at", "2026-11-22T10:00:00.000Z"},
                              {"ended_at", "2026-11-22T10:02:00.000Z"},
                              {"state", "complete"},
                              {"answers", {a}}};
    };
    const std::string good_seal = test::seal_answer(pk, false, {"happy"}, "");
    const nlohmann::json body = {
        {"protocol", 1},
        {"device_id", "d"},
        {"responses",
         {resp(1, "after-my-visit", "8-11", "", ""),                                             // taken
          resp(2, "not-a-pack", "8-11", "", ""),                                                 // unknown pack
          resp(3, "after-my-visit", "99-100", "", ""),                                           // unknown band
          resp(4, "after-my-visit", "8-11", good_seal, "k7"),                                    // a key never issued
          resp(5, "after-my-visit", "8-11", test::seal_answer(foreign_pk, false, {}, ""), "k1"), // not our k1
          resp(6, "after-my-visit", "8-11", "bm90IGEgYm94", "k1"),                               // not a box at all
          resp(7, "after-my-visit", "8-11", test::seal(pk, "[1, 2, 3]"), "k1"),                  // opens to nonsense
          resp(8, "after-my-visit", "8-11", good_seal, "k1")}}};                                 // taken, sealed
    auto res = http.Post("/v1/responses", {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const auto reply = nlohmann::json::parse(res->body);
    CHECK(reply["accepted"] == nlohmann::json{hex(1), hex(8)});
    std::map<std::string, std::string> why;
    for (const auto& r : reply["rejected"])
        why[r["id"]] = r["reason"];
    REQUIRE(why.size() == 6);
    CHECK(why[hex(2)].find("pack \"not-a-pack\" is not one this collector knows") != std::string::npos);
    CHECK(why[hex(3)].find("no age band \"99-100\"") != std::string::npos);
    CHECK(why[hex(4)].find("key \"k7\", which the keys file does not hold") != std::string::npos);
    CHECK(why[hex(5)].find("does not open") != std::string::npos);
    CHECK(why[hex(6)].find("damaged") != std::string::npos);
    CHECK(why[hex(7)].find("unreadable") != std::string::npos);
    CHECK(test::exported_ids(store) == std::vector<std::string>{hex(1), hex(8)});

    // Without the keys, a sealed answer is refused too: a collector never stores what it can't open.
    test::CollectorProcess keyless(store);
    httplib::Client plain("127.0.0.1", keyless.port());
    const nlohmann::json sealed_only = {
        {"protocol", 1}, {"device_id", "d"}, {"responses", {resp(9, "after-my-visit", "8-11", good_seal, "k1")}}};
    auto refused =
        plain.Post("/v1/responses", {{"Authorization", "Bearer " + token}}, sealed_only.dump(), "application/json");
    REQUIRE(refused);
    REQUIRE(refused->status == 200);
    const auto r2 = nlohmann::json::parse(refused->body);
    CHECK(r2["accepted"].empty());
    REQUIRE(r2["rejected"].size() == 1);
    CHECK(r2["rejected"][0]["reason"].get<std::string>().find("holds no keys") != std::string::npos);
}

TEST_CASE("an answer stored under a key that is later lost stops no server and no export") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto keys = (tmp / "keys.json").string();
    const auto k1 = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys, "--id", "k1"});
    REQUIRE(k1.code == 0);
    {
        auto s = test::open_collector_store(store);
        auto kept = response(hex(1));
        kept.answers[0].text.clear();
        kept.answers[0].sealed = test::seal_answer(nlohmann::json::parse(k1.out)["public_key"], false, {}, "words");
        kept.answers[0].seal_key = "k1";
        auto lost = response(hex(2));
        lost.answers[0].text.clear();
        lost.answers[0].sealed = "bm90IGEgYm94";
        lost.answers[0].seal_key = "k0"; // its key is gone
        REQUIRE(s->insert("tab", {kept, lost, response(hex(3))}));
    }
    // serve starts, says which key is missing, and takes deliveries.
    const auto token = test::add_token(store, "tab");
    {
        test::CollectorProcess serving(store, {"--keys", keys});
        httplib::Client http("127.0.0.1", serving.port());
        auto health = http.Get("/v1/health");
        REQUIRE(health);
        CHECK(health->status == 200);
    }
    // The export goes to the end: the lost answer still sealed, with why; the rest opened.
    auto out = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--keys", keys, "--format", "jsonl"});
    CHECK(out.code == 0);
    CHECK(out.err.find("1 answer(s) exported still sealed") != std::string::npos);
    std::vector<nlohmann::json> rows;
    std::istringstream lines(out.out);
    for (std::string line; std::getline(lines, line);)
        rows.push_back(nlohmann::json::parse(line));
    REQUIRE(rows.size() == 3);
    CHECK(rows[0]["answers"][0]["text"] == "words");
    CHECK(rows[1]["answers"][0]["unopened"].get<std::string>().find("\"k0\"") != std::string::npos);
    CHECK(rows[1]["answers"][0]["seal_key"] == "k0");
    CHECK(rows[2]["answers"][0]["text"] == "hello");
    // The export's shape: an opened answer in the clear only; one still sealed with empty fields beside it.
    CHECK_FALSE(rows[0]["answers"][0].contains("sealed"));
    CHECK_FALSE(rows[0]["answers"][0].contains("seal_key"));
    CHECK(rows[1]["answers"][0]["skipped"] == false);
    CHECK(rows[1]["answers"][0]["options"] == nlohmann::json::array());
    CHECK(rows[1]["answers"][0]["text"] == "");
    for (const auto& row : rows) {
        CHECK(row["ended_at"].is_string()); // "" when it never ended, as the CSV says
        CHECK(row["device_name"].is_string());
    }
    auto csv = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--keys", keys, "--format", "csv"});
    CHECK(csv.code == 0);
    const auto table = test::read_csv_table(csv.out);
    REQUIRE(table.size() == 3);
    CHECK(table[0].at("text") == "words");
    CHECK(table[0].at("question_id") == "anything-else");
    CHECK(table[0].at("answered_at") == "2026-11-22T10:01:00.000Z");
    CHECK(table[1].at("unopened").find("\"k0\"") != std::string::npos);
    CHECK(table[2].at("case_ref").empty());
}

TEST_CASE("sayso-collector backup copies a store while deliveries arrive; restore makes a new store that exports the "
          "same") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "collector.db").string();
    const auto token = test::add_token(store, "tablet-1");
    fill_kiosk(tmp / "kiosk.db", 3000, true);
    auto run = [](std::vector<std::string> args) {
        args.insert(args.begin(), SAYSO_COLLECTOR);
        return test::run(args);
    };
    auto exported = [&](const std::string& s) {
        auto r = run({"export", "--store", s, "--format", "jsonl"});
        REQUIRE_MESSAGE(r.code == 0, r.err);
        return r.out;
    };
    const auto mid = tmp / "while-serving.backup";
    {
        test::CollectorProcess server(store);
        auto conf = sync::parse_config(
            nlohmann::json{{"endpoint", server.url()}, {"token", token}, {"batch_size", 50}, {"interval_seconds", 0.05}}
                .dump(),
            "test");
        REQUIRE_MESSAGE(conf, conf.words());
        sync::Client client(tmp / "kiosk.db", *conf);
        // Taken while the tablet is still delivering: a copy of one moment.
        auto counted = collector::open_store(store);
        REQUIRE(counted);
        test::eventually("some delivered", [&] { return (*counted)->count().value_or(0) >= 300; });
        auto r = run({"backup", "--store", store, "--out", mid.string()});
        INFO(r.err);
        REQUIRE(r.code == 0);
        CHECK(r.err.find("backed up ") != std::string::npos);
        CHECK((*counted)->count().value_or(0) < 3000); // it was taken mid-delivery, or this proves nothing
        test::eventually("all delivered", [&] { return client.status().waiting == 0; });
    }
    CHECK((std::filesystem::status(mid).permissions() & std::filesystem::perms::others_read) ==
          std::filesystem::perms::none);

    // The copy made mid-delivery: whole responses, each once, all of them in the store now.
    const std::string from_mid = "sqlite:" + (tmp / "from-mid.db").string();
    auto r = run({"restore", "--from", mid.string(), "--store", from_mid});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto all = test::exported_ids(store);
    const auto part = test::exported_ids(from_mid);
    CHECK(all.size() == 3000);
    CHECK(part.size() >= 300);
    CHECK(part.size() < 3000);
    CHECK(std::set<std::string>(part.begin(), part.end()).size() == part.size());
    for (const auto& id : part)
        CHECK(std::find(all.begin(), all.end(), id) != all.end());
    {
        std::istringstream lines(exported(from_mid));
        for (std::string line; std::getline(lines, line);)
            CHECK(line.find("words of child") != std::string::npos); // every response with its answer
    }

    // Once the deliveries are over, a backup restores to a store that exports byte for byte the same.
    const auto full = tmp / "after.backup";
    REQUIRE(run({"backup", "--store", store, "--out", full.string()}).code == 0);
    const std::string restored = "sqlite:" + (tmp / "restored.db").string();
    REQUIRE(run({"restore", "--from", full.string(), "--store", restored}).code == 0);
    CHECK(exported(restored) == exported(store));
    // The backups are in the audit log, with who took them.
    auto audit = run({"audit", "--store", store});
    CHECK(audit.out.find("backed_up") != std::string::npos);

    // What is refused, changing nothing.
    const auto before = test::read_file(full);
    r = run({"backup", "--store", store, "--out", full.string()});
    CHECK(r.code == 1);
    CHECK(r.err.find("never overwrites") != std::string::npos);
    CHECK(test::read_file(full) == before);
    const auto kept = test::read_file(tmp / "restored.db");
    r = run({"restore", "--from", mid.string(), "--store", restored});
    CHECK(r.code == 1);
    CHECK(r.err.find("is there already") != std::string::npos);
    CHECK(test::read_file(tmp / "restored.db") == kept);
    // An old store's write-ahead log left where the new store goes would be played into it: refused too.
    test::write_file(tmp / "moved.db-wal", "an old store's log");
    r = run({"restore", "--from", mid.string(), "--store", "sqlite:" + (tmp / "moved.db").string()});
    CHECK(r.code == 1);
    CHECK(r.err.find("moved.db-wal is there already") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tmp / "moved.db"));
    // Nothing half made is left beside the copies.
    for (const auto& e : std::filesystem::directory_iterator(tmp.path()))
        CHECK_MESSAGE(e.path().string().find(".part") == std::string::npos, e.path());
    test::write_file(tmp / "not-a-backup", std::string(8192, 'x'));
    r = run({"restore", "--from", (tmp / "not-a-backup").string(), "--store", "sqlite:" + (tmp / "new.db").string()});
    CHECK(r.code == 1);
    CHECK(r.err.find("not a whole SQLite database") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tmp / "new.db"));
    r = run({"backup", "--store", "sqlite:" + (tmp / "nothing-here.db").string(), "--out", (tmp / "x").string()});
    CHECK(r.code == 1);
    CHECK(r.err.find("there is no store at") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tmp / "nothing-here.db"));
    CHECK_FALSE(std::filesystem::exists(tmp / "x"));
    r = run({"backup", "--store", "postgresql:///sayso", "--out", (tmp / "pg").string()});
    CHECK(r.code == 1);
    CHECK(r.err.find("pg_dump --format=custom") != std::string::npos);
}

TEST_CASE("a backup made by an earlier collector is restored and brought up to date") {
    TempDir tmp;
    // A store as the first collector left it: its file is what that collector's backup held.
    {
        auto s = collector::open_store("sqlite:" + (tmp / "old.db").string(), 1);
        REQUIRE_MESSAGE(s, s.words());
        REQUIRE((*s)->script(
            "INSERT INTO responses (id, device_name, device_id, pack_id, pack_version, band, visit_type, language,"
            " started_at, ended_at, state) VALUES ('" +
            hex(1) +
            "', 'tab', 'd1', 'after-my-visit', '1.0.0', '8-11', 'visit', 'en', '2026-11-22T10:00:00.000Z',"
            " '2026-11-22T10:02:00.000Z', 'complete')"));
        const auto at = collector::schema_of(**s);
        REQUIRE(at);
        REQUIRE(*at == 1);
    }
    const std::string fresh = "sqlite:" + (tmp / "fresh.db").string();
    auto r = test::run({SAYSO_COLLECTOR, "restore", "--from", (tmp / "old.db").string(), "--store", fresh});
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.find("restored 1 responses") != std::string::npos);
    auto s = collector::open_store(fresh);
    REQUIRE(s);
    const auto at = collector::schema_of(**s);
    REQUIRE(at);
    CHECK(*at == collector::latest_schema());
    CHECK(test::exported_ids(fresh) == std::vector<std::string>{hex(1)});
}

TEST_CASE("a PostgreSQL store backed up with the documented pg_dump and restored with pg_restore exports the same") {
    if (!test::postgres().running()) {
        MESSAGE("PostgreSQL could not start here, so this check is skipped: " << test::postgres().why_not());
        return;
    }
    TempDir tmp;
    const std::string store = test::postgres().new_database();
    {
        auto s = collector::open_store(store);
        REQUIRE_MESSAGE(s, s.words());
        std::vector<collector::Response> batch;
        for (int i = 0; i < 200; ++i)
            batch.push_back(response(hex(i + 1), "words \u00e9\u0627 " + std::to_string(i)));
        REQUIRE((*s)->insert("tablet-1", batch));
    }
    // sayso-collector backup names the tool for a PostgreSQL store.
    auto r = test::run({SAYSO_COLLECTOR, "backup", "--store", store, "--out", (tmp / "x").string()});
    CHECK(r.code == 1);
    CHECK(r.err.find("pg_dump --format=custom --file FILE") != std::string::npos);
    // The commands README.md gives, as given.
    const auto dump = tmp / "collector.pgdump";
    r = test::run({"/usr/bin/pg_dump", "--format=custom", "--file", dump.string(), store});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const std::string fresh = test::postgres().new_database();
    r = test::run({"/usr/bin/pg_restore", "--no-owner", "--dbname", fresh, dump.string()});
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto exported = [](const std::string& s) {
        auto e = test::run({SAYSO_COLLECTOR, "export", "--store", s, "--format", "jsonl"});
        REQUIRE_MESSAGE(e.code == 0, e.err);
        return e.out;
    };
    const auto from_store = exported(store);
    CHECK(from_store.find("words \u00e9\u0627 199") != std::string::npos);
    CHECK(exported(fresh) == from_store);
}

TEST_CASE("behind a trusted proxy, clients are limited and logged by the address it names; anyone else's "
          "X-Forwarded-For is ignored") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const std::string body = R"({"code": "ABCD-EFGH-JKMN", "device_id": "d"})";
    for (const bool trusted : {true, false}) {
        CAPTURE(trusted);
        std::vector<std::string> extra = {"--rate", "6", "--burst", "3"};
        if (trusted) extra.insert(extra.end(), {"--trusted-proxy", "127.0.0.1"});
        test::CollectorProcess collector(store, extra);
        httplib::Client http("127.0.0.1", collector.port());
        // The client wrote the first entry itself; the proxy added the last.
        auto post = [&](const std::string& from) {
            auto res = http.Post("/v1/enrol", {{"X-Forwarded-For", "198.51.100.7, " + from}}, body, "application/json");
            REQUIRE(res);
            return res->status;
        };
        for (int i = 0; i < 3; ++i)
            CHECK(post("203.0.113.1") == 403);
        CHECK(post("203.0.113.1") == 429);
        // Another client behind the same proxy has its own allowance, only when the proxy is trusted.
        CHECK(post("203.0.113.2") == (trusted ? 403 : 429));
    }
    auto audit = test::run({SAYSO_COLLECTOR, "audit", "--store", store});
    CHECK(audit.out.find("enrolment_refused  203.0.113.1") != std::string::npos);
    CHECK(audit.out.find("198.51.100.7") == std::string::npos); // what the client wrote is never believed

    // The reports' cookies are for HTTPS only when the trusted proxy took the request over HTTPS.
    for (const bool trusted : {true, false}) {
        CAPTURE(trusted);
        test::CollectorProcess site(
            store, trusted ? std::vector<std::string>{"--trusted-proxy", "127.0.0.1"} : std::vector<std::string>{},
            "reports");
        httplib::Client http("127.0.0.1", site.port());
        auto res = http.Get("/login", {{"X-Forwarded-Proto", "https"}});
        REQUIRE(res);
        CHECK((res->get_header_value("Set-Cookie").find("; Secure") != std::string::npos) == trusted);
    }
    auto r = test::run({SAYSO_COLLECTOR, "serve", "--store", store, "--trusted-proxy", "nginx.example.org"});
    CHECK(r.code != 0);
    CHECK(r.err.find("not an IP address") != std::string::npos);
}

TEST_CASE("a drawing travels in its answer: taken sealed when it opens with the collector's keys, rejected when it "
          "does not or when the answer is not one that draws") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto keys = (tmp / "keys.json").string();
    const std::string pk = new_key(keys, "k1");
    // A key pair this collector never made: what a stranger with a leaked token would seal to.
    const std::string foreign_pk = new_key((tmp / "stranger.json").string(), "k1");
    const auto token = test::add_token(store, "tab");
    test::CollectorProcess collector(store, {"--keys", keys});
    httplib::Client http("127.0.0.1", collector.port());
    const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "a drawing";
    auto resp = [&](int i, const std::string& kind, const std::string& clip_key) {
        nlohmann::json a = {{"question_id", "my-picture"},
                            {"position", 0},
                            {"kind", kind},
                            {"measure", ""},
                            {"answered_at", "2026-11-22T10:00:01.000Z"},
                            {"sealed", test::seal_answer(pk, false, {}, "")},
                            {"seal_key", "k1"},
                            {"clip", {{"type", "image/png"}, {"data", test::seal(clip_key, png)}}}};
        return nlohmann::json{{"id", hex(i)},
                              {"pack_id", "after-my-visit"},
                              {"pack_version", "1.0.0"},
                              {"band", "8-11"},
                              {"visit_type", "visit"},
                              {"language", "en"},
                              {"started_at", "2026-11-22T10:00:00.000Z"},
                              {"ended_at", "2026-11-22T10:02:00.000Z"},
                              {"state", "complete"},
                              {"answers", {a}}};
    };
    auto not_png = [&](nlohmann::json r) {
        r["answers"][0]["clip"]["data"] = test::seal(pk, "GIF89a, not a PNG");
        return r;
    };
    const nlohmann::json body = {{"protocol", 1},
                                 {"device_id", "d"},
                                 {"responses",
                                  {resp(1, "draw", pk),             // taken
                                   resp(2, "draw", foreign_pk),     // its picture sealed to a stranger's key
                                   resp(3, "faces", pk),            // a face does not carry a picture
                                   not_png(resp(4, "draw", pk))}}}; // opens, to something that is not a PNG
    auto res = http.Post("/v1/responses", {{"Authorization", "Bearer " + token}}, body.dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const auto reply = nlohmann::json::parse(res->body);
    CHECK(reply["accepted"] == nlohmann::json{hex(1)});
    std::map<std::string, std::string> why;
    for (const auto& r : reply["rejected"])
        why[r["id"]] = r["reason"];
    REQUIRE(why.size() == 3);
    CHECK(why[hex(4)].find("carries something that is not image/png") != std::string::npos);
    CHECK(why[hex(2)].find("drawing or recording") != std::string::npos);
    CHECK(why[hex(3)].find("faces answer and can't carry image/png") != std::string::npos);
    // Stored sealed; the export with the keys gives the picture back, byte for byte.
    auto open = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl", "--keys", keys});
    REQUIRE(open.code == 0);
    const auto line = nlohmann::json::parse(open.out.substr(0, open.out.find('\n')));
    std::vector<unsigned char> back;
    REQUIRE(sayso::formats::from_base64(line["answers"][0]["clip"]["data"].get<std::string>(), back));
    CHECK(std::string(back.begin(), back.end()) == png);
}

TEST_CASE("a Range header: one range of bytes is served in part; several, another unit or anything malformed get the "
          "whole body; a start past the end can't be satisfied") {
    using http::byte_range;
    using Ask = http::ByteRange::Ask;
    auto part = [](std::string_view h, std::size_t size, std::size_t first, std::size_t last) {
        const auto r = byte_range(h, size);
        INFO(std::string(h));
        CHECK(r.ask == Ask::Part);
        CHECK(r.first == first);
        CHECK(r.last == last);
    };
    part("bytes=0-99", 1000, 0, 99);
    part("bytes=0-", 1000, 0, 999);
    part("bytes=900-5000", 1000, 900, 999); // kept inside the body
    part("bytes=-100", 1000, 900, 999);
    part("bytes=-5000", 1000, 0, 999);
    part("Bytes=10-19", 1000, 10, 19);
    for (const char* whole : {"", "bytes", "bytes=", "bytes=-", "bytes = 0-9", "items=0-9", "bytes=0-9,20-29",
                              "bytes=9-0", "bytes=a-b", "bytes=0-9x", "bytes=1234567890123456789-", "bytes=--1"}) {
        INFO(std::string(whole));
        CHECK(byte_range(whole, 1000).ask == Ask::Whole);
    }
    CHECK(byte_range("bytes=1000-", 1000).ask == Ask::Unsatisfiable);
    CHECK(byte_range("bytes=-0", 1000).ask == Ask::Unsatisfiable);
    CHECK(byte_range("bytes=0-0", 0).ask == Ask::Unsatisfiable);

    http::Request req;
    http::Response res;
    req.headers.emplace_back("range", "bytes=2-4");
    http::set_ranged_content(req, res, "0123456789", "audio/ogg");
    CHECK(res.status == 206);
    CHECK(res.body == "234");
    CHECK(res.header("Content-Range") == "bytes 2-4/10");
    CHECK(res.header("Accept-Ranges") == "bytes");
    http::Response past;
    req.headers = {{"range", "bytes=10-"}};
    http::set_ranged_content(req, past, "0123456789", "audio/ogg");
    CHECK(past.status == 416);
    CHECK(past.body.empty());
    CHECK(past.header("Content-Range") == "bytes */10");
    http::Response all;
    req.headers.clear();
    http::set_ranged_content(req, all, "0123456789", "audio/ogg");
    CHECK(all.status == 200);
    CHECK(all.body == "0123456789");
}

TEST_CASE_TEMPLATE("the publishing key is made once and kept; a tablet's \"we did\" list is its area's and every "
                   "area's entries, newest first, a few of each language, with no figures",
                   Kind, SqliteKind, PostgresKind) {
    Kind kind;
    if (!kind.available()) return;
    auto s = test::open_collector_store(kind.spec());
    const auto first = test::held(collector::publish_key(*s));
    CHECK(first.public_key.size() == 44);
    CHECK(first.secret.size() == crypto_sign_SECRETKEYBYTES);
    // Another connection (another collector) finds the same key.
    auto again = test::open_collector_store(kind.spec());
    CHECK(test::held(collector::publish_key(*again)).public_key == first.public_key);

    REQUIRE(s->query("INSERT INTO device_services (name, service_area) VALUES ('tab', 'early-help')", {}));
    auto add = [&](const std::string& said, const std::string& area, const std::string& lang) {
        REQUIRE(reports::add_we_did(
            *s, {.measure = "listened", .you_said = said, .we_did = "did", .service_area = area, .language = lang},
            "ada"));
    };
    // Written for the poster before tablets showed these: no language, sent to no tablet.
    REQUIRE(
        s->query("INSERT INTO we_did (measure, you_said, we_did, created_by) VALUES ('x', 'OLD', 'OLD', 'ada')", {}));
    add("every-1", "", "en");
    add("mine-1", "early-help", "en");
    add("theirs-1", "children-in-care", "en");
    add("mine-ur", "early-help", "ur");
    add("every-2", "", "en");
    add("mine-2", "early-help", "en");
    const auto list = test::held(collector::we_did_for(*s, "tab", "dev-1"));
    CHECK(list.device_id == "dev-1");
    CHECK(list.service_area == "early-help");
    std::vector<std::string> said;
    for (const auto& e : list.entries)
        said.push_back(e.you_said);
    // Newest first; the oldest English one is past the three a language keeps.
    CHECK(said == std::vector<std::string>{"mine-2", "every-2", "mine-ur", "mine-1"});
    CHECK(list.entries[0].published_at.size() == 10);
    // A tablet of no area gets what is for every area.
    const auto none = test::held(collector::we_did_for(*s, "unknown-tab", "dev-2"));
    REQUIRE(none.entries.size() == 2);
    CHECK(none.entries[0].you_said == "every-2");
    // Taken off: gone from the next list.
    auto rows = test::held(s->query("SELECT seq FROM we_did WHERE you_said = 'mine-2'", {}));
    REQUIRE(rows.size() == 1);
    CHECK(test::held(reports::remove_we_did(*s, std::stoll(rows[0][0]))));
    CHECK_FALSE(test::held(reports::remove_we_did(*s, std::stoll(rows[0][0]))));
    CHECK(test::held(collector::we_did_for(*s, "tab", "dev-1")).entries.at(0).you_said == "every-2");
}

TEST_CASE("GET /v1/wedid gives a tablet its list signed with the key enrolment gave it, and nothing without a token") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    auto made = test::run({SAYSO_COLLECTOR, "enrol", "tablet-7", "--store", store, "--service", "early-help"});
    REQUIRE(made.code == 0);
    const std::string code = made.out.substr(0, made.out.find('\n'));
    {
        auto s = test::open_collector_store(store);
        REQUIRE(reports::add_we_did(*s,
                                    {.measure = "listened",
                                     .you_said = "Your worker was always in a hurry.",
                                     .we_did = "Every visit now ends with ten minutes just for you.",
                                     .service_area = "early-help",
                                     .language = "en"},
                                    "ada"));
        REQUIRE(reports::add_we_did(
            *s, {.measure = "x", .you_said = "OTHER", .we_did = "OTHER", .service_area = "elsewhere", .language = "en"},
            "ada"));
    }
    test::CollectorProcess collector(store);
    const auto enrolled = sync::enrol(collector.url(), "", code, "dev-7");
    REQUIRE_MESSAGE(enrolled, enrolled.words());
    const auto printed = test::run({SAYSO_COLLECTOR, "publish-key", "--store", store});
    REQUIRE(printed.code == 0);
    CHECK(enrolled->publish_key == printed.out.substr(0, printed.out.find('\n')));
    // Kept in the settings file with the rest, and forgotten with them.
    const auto settings = tmp / "sync.json";
    REQUIRE(sync::save_enrolment(settings, *enrolled));
    const auto config = sync::load_config(settings);
    REQUIRE_MESSAGE(config, config.words());
    CHECK(config->publish_key == enrolled->publish_key);

    sync::Http http(*config);
    auto got = http.get("/v1/wedid?device_id=dev-7");
    REQUIRE(got.kind == sync::PostResult::Kind::Ok);
    const auto list = protocol::read_we_did(got.body, config->publish_key, "dev-7");
    REQUIRE_MESSAGE(list, list.words());
    REQUIRE(list->entries.size() == 1);
    CHECK(list->entries[0].you_said == "Your worker was always in a hurry.");
    CHECK(got.body.find("OTHER") == std::string::npos);
    // Only words: no figure, no child's answer, no one's name.
    const auto payload = nlohmann::json::parse(nlohmann::json::parse(got.body)["payload"].get<std::string>());
    for (const auto& e : payload["entries"])
        for (const auto& [key, value] : e.items())
            CHECK(std::set<std::string>{"id", "language", "measure", "you_said", "we_did", "published_at"}.count(key));
    CHECK(got.body.find("ada") == std::string::npos);

    // Another tablet's device id with this token, none, or no token: refused.
    CHECK(http.get("/v1/wedid?device_id=dev-8").status == 400);
    CHECK(http.get("/v1/wedid").status == 400);
    sync::Config stranger = *config;
    stranger.token.clear();
    CHECK(sync::Http(stranger).get("/v1/wedid?device_id=dev-7").status == 401);
    stranger.token = "not-a-token";
    CHECK(sync::Http(stranger).get("/v1/wedid?device_id=dev-7").status == 401);

    // The tablet's side keeps what checks out, and nothing else.
    auto kiosk = test::open_store(tmp / "kiosk.db");
    CHECK_FALSE(sync::stored_we_did(*kiosk, config->publish_key));
    const auto fetched = sync::fetch_we_did(*kiosk, http, config->publish_key);
    // The kiosk's own device id is not the one enrolled with: refused, and nothing kept.
    CHECK(fetched.kind == sync::WeDidFetch::Kind::Failed);
    CHECK(fetched.detail.find("HTTP 400") != std::string::npos);
    CHECK_FALSE(sync::stored_we_did(*kiosk, config->publish_key));

    // Forgetting the enrolment forgets the key.
    REQUIRE(sync::forget_enrolment(settings));
    CHECK(test::read_file(settings).find("publish_key") == std::string::npos);
}

TEST_CASE("a tablet keeps a \"we did\" list only when it checks out, and checks it again when read back") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    auto kiosk = test::open_store(tmp / "kiosk.db");
    // A hand-made token knows no device id, so the kiosk's own is taken.
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store);
    const auto key = test::run({SAYSO_COLLECTOR, "publish-key", "--store", store});
    REQUIRE(key.code == 0);
    sync::Config c;
    c.endpoint = collector.url();
    c.token = token;
    c.publish_key = key.out.substr(0, key.out.find('\n'));
    sync::Http http(c);
    const auto fetched = sync::fetch_we_did(*kiosk, http, c.publish_key);
    REQUIRE_MESSAGE(fetched.kind == sync::WeDidFetch::Kind::Fetched, fetched.detail);
    REQUIRE(fetched.list);
    CHECK(fetched.list->device_id == kiosk->device_id());
    const auto kept = sync::stored_we_did(*kiosk, c.publish_key);
    REQUIRE(kept);
    CHECK(*kept == *fetched.list);
    // Read back with another key, or changed on the disk: not shown.
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_keypair(pk, sk);
    CHECK_FALSE(sync::stored_we_did(*kiosk, formats::to_base64(pk, sizeof pk)));
    auto held_text = kiosk->setting(sync::kWeDidSetting);
    REQUIRE(held_text);
    REQUIRE(*held_text);
    std::string text = **held_text;
    text.replace(text.find("entries"), 7, "entriez");
    REQUIRE(kiosk->set_setting(sync::kWeDidSetting, text));
    CHECK_FALSE(sync::stored_we_did(*kiosk, c.publish_key));
    // Fetched again: kept again. A list signed by the collector but older than the one kept does not replace it.
    REQUIRE(sync::fetch_we_did(*kiosk, http, c.publish_key).kind == sync::WeDidFetch::Kind::Fetched);
    const auto key_held = test::held(collector::publish_key(*test::open_collector_store(store)));
    protocol::WeDidList old = *fetched.list;
    old.issued_at = "2020-01-01T00:00:00Z";
    old.entries.push_back(
        {.id = 1, .language = "en", .measure = "", .you_said = "OLD", .we_did = "OLD", .published_at = "2020-01-01"});
    httplib::Server past;
    past.Get("/v1/wedid", [&](const httplib::Request&, httplib::Response& res) {
        res.set_content(protocol::write_we_did(old, key_held.secret), "application/json");
    });
    const int port = past.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { past.listen_after_bind(); });
    c.endpoint = "http://127.0.0.1:" + std::to_string(port);
    sync::Http replayed(c);
    const auto refused = sync::fetch_we_did(*kiosk, replayed, c.publish_key);
    past.stop();
    serving.join();
    CHECK(refused.kind == sync::WeDidFetch::Kind::Failed);
    CHECK(refused.detail.find("older") != std::string::npos);
    REQUIRE(sync::stored_we_did(*kiosk, c.publish_key));
    CHECK(sync::stored_we_did(*kiosk, c.publish_key)->issued_at != old.issued_at);
    CHECK(sync::stored_we_did(*kiosk, c.publish_key)->entries.empty());
    // A collector that does not publish is told apart from one that failed, and what was kept goes.
    c.endpoint = collector.url() + "/nothing-here";
    sync::Http elsewhere(c);
    CHECK(sync::fetch_we_did(*kiosk, elsewhere, c.publish_key).kind == sync::WeDidFetch::Kind::NotPublished);
    CHECK_FALSE(sync::stored_we_did(*kiosk, c.publish_key));
}
