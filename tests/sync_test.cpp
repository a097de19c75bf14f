#include "batch.hpp"
#include "client.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

using namespace sayso;
using nlohmann::json;

namespace {

storage::StoredResponse response(const std::string& id, const std::string& text = "") {
    storage::StoredResponse r;
    r.start = {id, "after-my-visit", "1.0.0", "12-17", "review", "en", 1'700'000'000'000, "", ""};
    r.ended_at_ms = 1'700'000'060'000;
    r.state = "complete";
    flow::AnswerRecord a;
    a.question_id = "listened";
    a.kind = "faces";
    a.measure = "listened";
    a.options = {"happy"};
    a.answered_at_ms = 1'700'000'010'000;
    r.answers.push_back(a);
    if (!text.empty()) {
        flow::AnswerRecord t;
        t.question_id = "anything-else";
        t.position = 1;
        t.kind = "text";
        t.text = text;
        t.answered_at_ms = 1'700'000'050'000;
        r.answers.push_back(t);
    }
    return r;
}

} // namespace

TEST_CASE("a batch carries every field of PROTOCOL.md, children's words verbatim") {
    auto first = response("r1", "she \"listens\" \xc5\xbc\n");
    first.asked_to_talk = true;
    first.start.practitioner_code = "SW-042";
    first.start.case_ref = "C-123456";
    auto b = sync::encode_batch("dev1", {first, response("r2")});
    REQUIRE(b.ids == std::vector<std::string>{"r1", "r2"});
    auto j = json::parse(b.body);
    CHECK(j["protocol"] == 1);
    CHECK(j["device_id"] == "dev1");
    REQUIRE(j["responses"].size() == 2);
    const auto& r = j["responses"][0];
    CHECK(r["id"] == "r1");
    CHECK(r["pack_id"] == "after-my-visit");
    CHECK(r["pack_version"] == "1.0.0");
    CHECK(r["band"] == "12-17");
    CHECK(r["visit_type"] == "review");
    CHECK(r["language"] == "en");
    CHECK(r["started_at"] == "2023-11-14T22:13:20.000Z");
    CHECK(r["ended_at"] == "2023-11-14T22:14:20.000Z");
    CHECK(r["state"] == "complete");
    CHECK(r["asked_to_talk"] == true);
    CHECK(j["responses"][1]["asked_to_talk"] == false);
    CHECK(r["practitioner_code"] == "SW-042");
    CHECK(r["case_ref"] == "C-123456");
    CHECK(r["answers"][0]["options"] == json::array({"happy"}));
    CHECK(r["answers"][0]["skipped"] == false);
    CHECK(r["answers"][1]["text"] == "she \"listens\" \xc5\xbc\n");
}

TEST_CASE("a batch stops at its size and count limits, but always offers one response") {
    std::vector<storage::StoredResponse> rs;
    for (int i = 0; i < 10; ++i)
        rs.push_back(response("r" + std::to_string(i), std::string(1000, 'x')));
    auto by_count = sync::encode_batch("d", rs, protocol::kMaxDeliveryBytes, 3);
    CHECK(by_count.ids.size() == 3);
    const auto two = sync::encode_batch("d", {rs[0], rs[1]}).body.size();
    auto by_size = sync::encode_batch("d", rs, two); // exactly two fit
    CHECK(by_size.ids.size() == 2);
    CHECK(by_size.body.size() == two);
    CHECK(sync::encode_batch("d", rs, two - 1).ids.size() == 1);
    CHECK(json::parse(by_size.body)["responses"].size() == 2);
    auto tiny = sync::encode_batch("d", rs, 10);
    CHECK(tiny.ids.size() == 1);
    CHECK(sync::encode_batch("d", {}).ids.empty());
}

TEST_CASE("broken UTF-8 in free text is replaced, not a reason to fail delivery") {
    auto b = sync::encode_batch("d", {response("r1", "ok \xff\xfe end")});
    auto j = json::parse(b.body);
    CHECK(j["responses"][0]["answers"][1]["text"] == "ok \xef\xbf\xbd\xef\xbf\xbd end");
}

TEST_CASE("an acknowledgement counts only ids that were sent") {
    const std::vector<std::string> sent = {"a", "b", "c"};
    auto ack = protocol::read_ack(R"({"protocol":1,"accepted":["a","zz","a","c"],
        "rejected":[{"id":"b","reason":"unknown pack"},{"id":"c","reason":"x"},{"id":"q"},7]})",
                                  sent);
    REQUIRE(ack);
    CHECK(ack->accepted == std::vector<std::string>{"a", "c"});
    REQUIRE(ack->rejected.size() == 1);
    CHECK(ack->rejected[0].id == "b");
    CHECK(ack->rejected[0].reason == "unknown pack");

    for (const char* bad :
         {"", "[]", "{\"accepted\": 3}", "{\"protocol\": 1}", "<html>502</html>", "{\"accepted\": [\"a\""}) {
        CAPTURE(bad);
        const auto refused = protocol::read_ack(bad, sent);
        REQUIRE_FALSE(refused);
        CHECK(refused.words().find("the reply") == 0);
    }
}

namespace {

sync::Round round_of(sync::PostResult::Kind kind, std::size_t sent = 10, std::size_t acknowledged = 10) {
    sync::Round r;
    r.result.kind = kind;
    r.sent = sent;
    r.acknowledged = acknowledged;
    return r;
}

sync::Config settings() {
    sync::Config c;
    c.interval_seconds = 60;
    c.retry_start_seconds = 5;
    c.retry_cap_seconds = 900;
    return c;
}

} // namespace

TEST_CASE("the backoff doubles from its start to its cap, each wait between half and all of its step") {
    double draw = 1.0;
    sync::Backoff b(5, 40, [&] { return draw; });
    CHECK(b.next() == 5);
    CHECK(b.next() == 10);
    CHECK(b.next() == 20);
    CHECK(b.next() == 40);
    CHECK(b.next() == 40); // capped
    draw = 0.0;
    CHECK(b.next() == 20); // half the step at the least
    b.reset();
    draw = 0.5;
    CHECK(b.next() == 3.75);
    // The default draws from libsodium, always inside the step.
    sync::Backoff real(8, 8);
    for (int i = 0; i < 100; ++i) {
        const double w = real.next();
        CHECK(w >= 4);
        CHECK(w <= 8);
    }
}

TEST_CASE("after a round the client waits as the outcome asks, and only then") {
    using K = sync::PostResult::Kind;
    using P = sync::Status::Problem;
    const auto c = settings();
    sync::Backoff b(5, 900, [] { return 1.0; });

    SUBCASE("all sent and answered: straight on with the next batch, the backoff reset") {
        (void)b.next();
        const auto n = sync::next_after(round_of(K::Ok), 100, c, b);
        CHECK(n.problem == P::None);
        CHECK(n.wait_s == 0);
        CHECK(n.batch == 100);
        CHECK(b.next() == 5);
    }
    SUBCASE("nothing was waiting: the interval") {
        const auto n = sync::next_after(round_of(K::Ok, 0, 0), 100, c, b);
        CHECK(n.problem == P::None);
        CHECK(n.wait_s == 60);
    }
    SUBCASE("ids the server left unanswered: sent again after a backoff, never in a tight loop") {
        const auto n = sync::next_after(round_of(K::Ok, 10, 7), 100, c, b);
        CHECK(n.problem == P::ServerError);
        CHECK(n.wait_s == 5);
        CHECK(sync::next_after(round_of(K::Ok, 10, 7), 100, c, b).wait_s == 10);
    }
    SUBCASE("too large: the batch is halved at once, down to one; one too large is a problem to wait on") {
        auto n = sync::next_after(round_of(K::TooLarge), 100, c, b);
        CHECK(n.batch == 50);
        CHECK(n.wait_s == 0);
        CHECK(n.problem == P::None);
        n = sync::next_after(round_of(K::TooLarge), 2, c, b);
        CHECK(n.batch == 1); // one is tried before the server is said not to read them
        CHECK(n.problem == P::None);
        CHECK(n.wait_s == 0);
        n = sync::next_after(round_of(K::TooLarge), 1, c, b);
        CHECK(n.batch == 1);
        CHECK(n.problem == P::ServerCantRead);
        CHECK(n.wait_s == 5);
    }
    SUBCASE("busy: as long as the server asks, never less than the backoff") {
        auto busy = round_of(K::RetryLater);
        busy.result.retry_after_s = 120;
        CHECK(sync::next_after(busy, 100, c, b).wait_s == 120);
        busy.result.retry_after_s = 1;
        CHECK(sync::next_after(busy, 100, c, b).wait_s == 10); // the backoff's second step
        busy.result.retry_after_s.reset();
        const auto n = sync::next_after(busy, 100, c, b);
        CHECK(n.problem == P::ServerBusy);
        CHECK(n.wait_s == 20);
    }
    SUBCASE("a refused or revoked token: ask again only rarely, the admin has to act") {
        CHECK(sync::next_after(round_of(K::AuthRefused), 100, c, b).problem == P::AuthRefused);
        const auto n = sync::next_after(round_of(K::Revoked), 100, c, b);
        CHECK(n.problem == P::Revoked);
        CHECK(n.wait_s == 900);
    }
    SUBCASE("the network, the certificate, the server or the tablet's storage: a backoff each time") {
        CHECK(sync::next_after(round_of(K::Unreachable), 100, c, b).problem == P::Unreachable);
        CHECK(sync::next_after(round_of(K::Tls), 100, c, b).problem == P::Tls);
        CHECK(sync::next_after(round_of(K::ServerError), 100, c, b).problem == P::ServerError);
        CHECK(sync::next_after(round_of(K::BadReply), 100, c, b).problem == P::ServerCantRead);
        sync::Round broken = round_of(K::Ok);
        broken.storage = storage::StorageProblem{storage::StorageProblem::Kind::DiskFull, "full"};
        const auto n = sync::next_after(broken, 100, c, b);
        CHECK(n.problem == P::Storage);
        CHECK(n.wait_s == 80); // the fifth step in a row
    }
}
