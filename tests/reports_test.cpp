// Reports from the collector (tools/sayso-collector/reports): a seeded data
// set with known counts, every figure checked exactly, small numbers hidden,
// each role seeing exactly what it may, over both stores and over HTTP.
#include "collector_process.hpp"
#include "index.hpp"
#include "postgres.hpp"
#include "store.hpp"
#include "support.hpp"
#include "views.hpp"

#include "formats/base64.hpp"

#include <doctest/doctest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

using namespace sayso;
using test::TempDir;
namespace reports = sayso::collector::reports;

namespace {

struct Given {
    std::string qid, kind, measure;
    std::vector<std::string> options; // empty and no text: skipped
    std::string text;
};

// Answers sealed as a tablet seals them, when `public_key` is given.
collector::Response make(const std::string& id, const std::string& case_ref, const std::string& code,
                         const std::string& visit, const std::string& day, const std::string& state, bool talk,
                         const std::vector<Given>& answers, const std::string& public_key = "") {
    collector::Response r;
    r.id = id;
    r.device_id = "dev";
    r.pack_id = "after-my-visit";
    r.pack_version = "1.0.0";
    r.band = "12-17";
    r.visit_type = visit;
    r.language = "en";
    r.started_at = day + "T10:00:00.000Z";
    r.ended_at = day + "T10:05:00.000Z";
    r.state = state;
    r.asked_to_talk = talk;
    r.practitioner_code = code;
    r.case_ref = case_ref;
    int pos = 0;
    for (const auto& g : answers) {
        collector::Answer a;
        a.question_id = g.qid;
        a.position = pos++;
        a.kind = g.kind;
        a.measure = g.measure;
        a.skipped = g.options.empty() && g.text.empty();
        a.options = g.options;
        a.text = g.text;
        a.answered_at = day + "T10:01:00.000Z";
        if (!public_key.empty()) {
            std::vector<unsigned char> pk;
            REQUIRE(formats::from_base64(public_key, pk, crypto_box_PUBLICKEYBYTES));
            const std::string plain =
                nlohmann::json{{"skipped", a.skipped}, {"options", a.options}, {"text", a.text}}.dump();
            std::vector<unsigned char> box(plain.size() + crypto_box_SEALBYTES);
            crypto_box_seal(box.data(), reinterpret_cast<const unsigned char*>(plain.data()), plain.size(), pk.data());
            a.sealed = formats::to_base64(box.data(), box.size());
            a.seal_key = "k1";
            a.skipped = false;
            a.options.clear();
            a.text.clear();
        }
        r.answers.push_back(a);
    }
    return r;
}

Given listened(const std::string& face) { return {"listened", "faces", "listened", face.empty() ? std::vector<std::string>{} : std::vector<std::string>{face}, ""}; }
Given promises(const std::string& yn) { return {"promises", "yes_no", "keeps_promises", {yn}, ""}; }
Given words(const std::string& t) { return {"anything-else", "text", "", {}, t}; }

// The data set every check below counts from:
//  children in care (tablet tab-cic, practitioner SW-1), October: C-001..C-006, one response each;
//    C-001 again in November, asking to talk; C-006 stopped early. Sealed to k1 when a key is given.
//  early help (tablet tab-eh, practitioner SW-2), November: E-001..E-004 at reviews, and one
//    response with no case reference at a visit.
void seed(collector::Store& s, const std::string& public_key) {
    std::vector<collector::Store::Row> none;
    REQUIRE_FALSE(s.query("INSERT INTO device_services (name, service_area) VALUES (?, ?), (?, ?)",
                          {"tab-cic", "children-in-care", "tab-eh", "early-help"}, none));
    const std::string oct = "2026-10-05", nov = "2026-11-03";
    std::vector<collector::Response> cic = {
        make("a1", "C-001", "SW-1", "visit", oct, "complete", false,
             {listened("happy"), promises("yes"), words("More time to talk please")}, public_key),
        make("a2", "C-002", "SW-1", "visit", oct, "complete", false,
             {listened("very_happy"), promises("yes"), words("I like my worker")}, public_key),
        make("a3", "C-003", "SW-1", "visit", oct, "complete", false, {listened("happy"), promises("yes")}, public_key),
        make("a4", "C-004", "SW-1", "visit", oct, "complete", false, {listened("happy"), promises("no")}, public_key),
        make("a5", "C-005", "SW-1", "visit", oct, "complete", false, {listened("ok"), promises("no")}, public_key),
        make("a6", "C-006", "SW-1", "visit", oct, "incomplete", false, {listened(""), promises("not_sure")}, public_key),
        make("a7", "C-001", "SW-1", "visit", nov, "complete", true, {listened("very_sad")}, public_key)};
    std::vector<collector::Response> eh = {
        make("b1", "E-001", "SW-2", "review", "2026-11-10", "complete", false,
             {listened("happy"), words("Secret words from a small group")}),
        make("b2", "E-002", "SW-2", "review", "2026-11-10", "complete", false, {listened("happy")}),
        make("b3", "E-003", "SW-2", "review", "2026-11-10", "complete", false, {listened("sad")}),
        make("b4", "E-004", "SW-2", "review", "2026-11-10", "complete", false, {listened("very_sad")}),
        make("b5", "", "SW-2", "visit", "2026-11-10", "complete", false, {listened("ok")})};
    std::vector<std::string> stored;
    REQUIRE_FALSE(s.insert("tab-cic", cic, stored));
    REQUIRE_FALSE(s.insert("tab-eh", eh, stored));
}

const reports::Reader admin{"ada", "admin", "", ""};
const reports::Reader eh_manager{"meg", "manager", "early-help", ""};
const reports::Reader sw1{"sam", "practitioner", "", "SW-1"};

// The measure's figure; a hidden figure with no children when the measure is not there at all.
reports::Figure measure(const reports::ServiceView& v, const std::string& m) {
    for (const auto& x : v.measures)
        if (x.measure == m) return x.figure;
    reports::Figure none;
    none.children = -1;
    return none;
}

void check_figure(const reports::Figure& f, std::int64_t children, std::int64_t answers, std::int64_t pos,
                  std::int64_t mid, std::int64_t neg, std::int64_t skip) {
    CHECK_FALSE(f.suppressed);
    CHECK(f.children == children);
    CHECK(f.answers == answers);
    CHECK(f.positive == pos);
    CHECK(f.middling == mid);
    CHECK(f.negative == neg);
    CHECK(f.skipped == skip);
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

} // namespace

TEST_CASE("the answer's tone: faces and yes/no are ratings, skips and pictures are not") {
    CHECK(reports::tone("faces", false, {"very_happy"}) == 1);
    CHECK(reports::tone("faces", false, {"happy"}) == 1);
    CHECK(reports::tone("faces", false, {"ok"}) == 0);
    CHECK(reports::tone("faces", false, {"sad"}) == -1);
    CHECK(reports::tone("faces", false, {"very_sad"}) == -1);
    CHECK(reports::tone("yes_no", false, {"yes"}) == 1);
    CHECK(reports::tone("yes_no", false, {"not_sure"}) == 0);
    CHECK(reports::tone("yes_no", false, {"no"}) == -1);
    CHECK_FALSE(reports::tone("faces", true, {}));
    CHECK_FALSE(reports::tone("pick_many", false, {"fun"}));
    CHECK_FALSE(reports::tone("pick_one", false, {"yes"}));
}

TEST_CASE_TEMPLATE("the service view counts every figure exactly, and hides any built from fewer than 5 children", Kind,
                   SqliteKind, PostgresKind) {
    Kind kind;
    if (!kind.available()) return;
    std::string err;
    auto s = collector::open_store(kind.spec(), err);
    REQUIRE(s);
    seed(*s, "");
    reports::Indexed done;
    REQUIRE_FALSE(reports::index_new(*s, {}, done));
    CHECK(done.responses == 12);
    CHECK(done.answers == 21);
    REQUIRE_FALSE(reports::index_new(*s, {}, done)); // nothing new: nothing again
    CHECK(done.responses == 0);

    reports::ServiceView v;
    REQUIRE_FALSE(reports::service_view(*s, admin, {}, 5, {}, v));
    CHECK_FALSE(v.counts.suppressed);
    CHECK(v.counts.responses == 12);
    CHECK(v.counts.children == 11); // C-001 twice; the response without a case reference counts once
    CHECK(v.counts.complete == 11);
    check_figure(measure(v, "listened"), 11, 12, 6, 2, 3, 1);
    check_figure(measure(v, "keeps_promises"), 6, 6, 3, 1, 2, 0);
    CHECK(v.months == std::vector<std::string>{"2026-10", "2026-11"});
    check_figure(v.trend["listened"]["2026-10"], 6, 6, 4, 1, 0, 1);
    check_figure(v.trend["listened"]["2026-11"], 6, 6, 2, 1, 3, 0);
    CHECK(v.month_counts["2026-10"].complete == 5);
    CHECK(v.month_counts["2026-11"].responses == 6);
    // Comments: the whole service is large enough.
    REQUIRE(v.comments_shown);
    std::vector<std::string> said;
    for (const auto& c : v.comments) said.push_back(c.text);
    std::sort(said.begin(), said.end());
    CHECK(said == std::vector<std::string>{"I like my worker", "More time to talk please", "Secret words from a small group"});

    // By service area: both groups large enough (6 and 5 children).
    reports::Filters by_area;
    by_area.by = "service_area";
    REQUIRE_FALSE(reports::service_view(*s, admin, by_area, 5, {}, v));
    CHECK(v.groups == std::vector<std::string>{"children-in-care", "early-help"});
    check_figure(v.breakdown["children-in-care"]["listened"], 6, 7, 4, 1, 1, 1);
    check_figure(v.breakdown["early-help"]["listened"], 5, 5, 2, 1, 2, 0);
    CHECK(v.group_counts["early-help"].children == 5);
    CHECK_FALSE(v.group_counts["early-help"].suppressed);

    // By visit type: reviews have 4 children, so they are hidden, and visits
    // (7 children) too, or the total minus visits would give reviews away.
    reports::Filters by_visit;
    by_visit.by = "visit_type";
    REQUIRE_FALSE(reports::service_view(*s, admin, by_visit, 5, {}, v));
    CHECK(v.breakdown["review"]["listened"].suppressed);
    CHECK(v.breakdown["review"]["listened"].positive == 0);
    CHECK(v.breakdown["visit"]["listened"].suppressed);
    CHECK(v.group_counts["review"].suppressed);
    CHECK(v.group_counts["visit"].suppressed);

    // 5 children: shown. 4 children: hidden, words and all.
    reports::Filters eh;
    eh.service_area = "early-help";
    REQUIRE_FALSE(reports::service_view(*s, admin, eh, 5, {}, v));
    CHECK(v.counts.children == 5);
    check_figure(measure(v, "listened"), 5, 5, 2, 1, 2, 0);
    CHECK(v.comments_shown);
    eh.visit_type = "review";
    REQUIRE_FALSE(reports::service_view(*s, admin, eh, 5, {}, v));
    CHECK(v.counts.suppressed);
    CHECK(v.counts.children == 0);
    CHECK(measure(v, "listened").suppressed);
    CHECK(measure(v, "listened").positive == 0);
    CHECK_FALSE(v.comments_shown);
    CHECK(v.comments.empty());
    // The threshold can be raised: at 6, early help's 5 children are hidden too.
    eh.visit_type.clear();
    REQUIRE_FALSE(reports::service_view(*s, admin, eh, 6, {}, v));
    CHECK(v.counts.suppressed);
    // ...and not lowered: asked for 3, it stays 5.
    eh.visit_type = "review";
    REQUIRE_FALSE(reports::service_view(*s, admin, eh, 3, {}, v));
    CHECK(v.threshold == 5);
    CHECK(v.counts.suppressed);

    // Roles: a manager sees their service; a practitioner their own visits.
    REQUIRE_FALSE(reports::service_view(*s, eh_manager, {}, 5, {}, v));
    CHECK(v.counts.responses == 5);
    check_figure(measure(v, "listened"), 5, 5, 2, 1, 2, 0);
    CHECK(measure(v, "keeps_promises").children == -1); // nobody in early help was asked it
    REQUIRE_FALSE(reports::service_view(*s, sw1, {}, 5, {}, v));
    CHECK(v.counts.responses == 7);
    CHECK(v.counts.children == 6);
    check_figure(measure(v, "listened"), 6, 7, 4, 1, 1, 1);
    // A manager asking for another service's figures gets only their own (none).
    reports::Filters other;
    other.service_area = "children-in-care";
    REQUIRE_FALSE(reports::service_view(*s, eh_manager, other, 5, {}, v));
    CHECK(v.counts.suppressed);
    CHECK(v.measures.empty());
}
