// The reference collector: its stores (one contract, run against SQLite and
// a throwaway PostgreSQL), its answers to bad requests, and PostgreSQL end to end.
#include "client.hpp"
#include "collector_process.hpp"
#include "config.hpp"
#include "postgres.hpp"
#include "server.hpp"
#include "storage/store.hpp"
#include "store.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <httplib.h>
#include <set>

using namespace sayso;
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

std::string hex(int i) {
    char b[33];
    std::snprintf(b, sizeof b, "%032x", i);
    return b;
}

struct SqliteKind {
    TempDir tmp;
    bool available() { return true; }
    std::string spec() { return "sqlite:" + (tmp / "c.db").string(); }
};
struct PostgresKind {
    std::string uri;
    bool available() {
        if (!test::postgres().running()) {
            MESSAGE("PostgreSQL could not start here, so this check is skipped: " << test::postgres().why_not());
            return false;
        }
        if (uri.empty()) uri = test::postgres().new_database();
        return true;
    }
    std::string spec() { return uri; }
};

std::vector<std::string> all_ids(collector::Store& s) {
    std::vector<std::string> ids;
    REQUIRE_FALSE(s.for_each([&](const std::string&, const collector::Response& r) {
        ids.push_back(r.id);
        return true;
    }));
    return ids;
}

} // namespace

TEST_CASE_TEMPLATE("a collector store keeps each response once and knows its devices", Kind, SqliteKind,
                   PostgresKind) {
    Kind kind;
    if (!kind.available()) return;
    std::string err;
    auto s = collector::open_store(kind.spec(), err);
    INFO(err);
    REQUIRE(s);

    std::vector<std::string> stored;
    auto flagged = response(hex(1));
    flagged.asked_to_talk = true;
    flagged.practitioner_code = "SW-042";
    flagged.case_ref = "C-123456";
    REQUIRE_FALSE(s->insert("tab", {flagged, response(hex(2))}, stored));
    CHECK(stored == std::vector<std::string>{hex(1), hex(2)});
    // Sent again (with different words): acknowledged again, kept as first stored.
    REQUIRE_FALSE(s->insert("tab", {response(hex(2), "changed"), response(hex(3))}, stored));
    CHECK(stored == std::vector<std::string>{hex(2), hex(3)});
    std::int64_t n = 0;
    REQUIRE_FALSE(s->count(n));
    CHECK(n == 3);
    REQUIRE_FALSE(s->for_each([&](const std::string& device, const collector::Response& r) {
        CHECK(device == "tab");
        if (r.id == hex(2)) CHECK(r.answers.at(0).text == "hello");
        CHECK(r.asked_to_talk == (r.id == hex(1)));
        CHECK(r.case_ref == (r.id == hex(1) ? "C-123456" : ""));
        CHECK(r.practitioner_code == (r.id == hex(1) ? "SW-042" : ""));
        return true;
    }));
    CHECK(all_ids(*s) == std::vector<std::string>{hex(1), hex(2), hex(3)});

    std::optional<std::string> who;
    REQUIRE_FALSE(s->add_device("tablet-1", "hash1"));
    REQUIRE_FALSE(s->device_for("hash1", who));
    CHECK(who == "tablet-1");
    REQUIRE_FALSE(s->device_for("nope", who));
    CHECK_FALSE(who);
    bool found = false;
    REQUIRE_FALSE(s->revoke_device("tablet-1", found));
    CHECK(found);
    REQUIRE_FALSE(s->device_for("hash1", who));
    CHECK_FALSE(who);
    REQUIRE_FALSE(s->revoke_device("tablet-1", found));
    CHECK_FALSE(found);
    // A sealed answer is kept sealed, with the id of its key.
    auto sealed = response(hex(9));
    sealed.answers[0].text.clear();
    sealed.answers[0].sealed = "c2VhbGVkIGJ5dGVz";
    sealed.answers[0].seal_key = "k1";
    REQUIRE_FALSE(s->insert("tab", {sealed}, stored));
    std::set<std::string> key_ids;
    REQUIRE_FALSE(s->seal_key_ids(key_ids));
    CHECK(key_ids == std::set<std::string>{"k1"});
    REQUIRE_FALSE(s->for_each([&](const std::string&, const collector::Response& r) {
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
    REQUIRE_FALSE(s->audit("token_added", "tablet-1", "by test"));
    REQUIRE_FALSE(s->audit("exported", "csv", "by test"));
    std::vector<std::string> events;
    REQUIRE_FALSE(s->for_each_audit([&](const collector::AuditEntry& a) {
        events.push_back(a.event + " " + a.subject + " " + a.detail);
        CHECK(a.at.size() >= 20);
        CHECK(a.at.back() == 'Z');
        return true;
    }));
    CHECK(events == std::vector<std::string>{"token_added tablet-1 by test", "exported csv by test"});
    // A new token for the same tablet replaces the old one and is active.
    REQUIRE_FALSE(s->add_device("tablet-1", "hash2"));
    REQUIRE_FALSE(s->device_for("hash2", who));
    CHECK(who == "tablet-1");
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
    {
        std::optional<storage::StorageProblem> p;
        auto s = storage::Store::open(tmp / "kiosk.db", p);
        REQUIRE(s);
        for (int i = 0; i < 1500; ++i) {
            flow::ResponseStart st{hex(i + 1), "after-my-visit", "1.0.0", "12-17", "review", "en", 1'700'000'000'000 + i, "", ""};
            REQUIRE_FALSE(s->begin(st));
            REQUIRE_FALSE(s->finish(st.id, flow::Completion::Complete, st.started_at_ms + 1));
        }
    }
    std::filesystem::copy_file(tmp / "kiosk.db", tmp / "copy.db");
    test::CollectorProcess a(store), b(store);
    auto cfg = [&](const test::CollectorProcess& c) {
        std::string err;
        auto conf = sync::parse_config(nlohmann::json{{"endpoint", c.url()}, {"token", token},
                                                      {"batch_size", 100}, {"retry_start_seconds", 0.05},
                                                      {"retry_cap_seconds", 0.4}, {"interval_seconds", 0.05}}
                                           .dump(),
                                       "test", err);
        REQUIRE(conf);
        return *conf;
    };
    {
        sync::Client one(tmp / "kiosk.db", cfg(a)), two(tmp / "copy.db", cfg(b));
        for (int i = 0; i < 3000; ++i) {
            if (one.status().waiting == 0 && two.status().waiting == 0) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        CHECK(one.status().waiting == 0);
        CHECK(two.status().waiting == 0);
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
    for (int i = 0; i < 3; ++i) CHECK(post(a).status == 200);
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
