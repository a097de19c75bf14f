// Reports from the collector (tools/sayso-collector/reports): a seeded data
// set with known counts, every figure checked exactly, small numbers hidden,
// each role seeing exactly what it may, over both stores and over HTTP.
#include "collector_process.hpp"
#include "collector_store.hpp"
#include "eventually.hpp"
#include "index.hpp"
#include "indexer.hpp"
#include "pack/pack.hpp"
#include "pages.hpp"
#include "postgres.hpp"
#include "render.hpp"
#include "seal.hpp"
#include "store.hpp"
#include "store_kinds.hpp"
#include "support.hpp"
#include "users.hpp"
#include "views.hpp"

#include "formats/base64.hpp"
#include "ogg_opus.hpp"
#include "recording/take.hpp"

#include <doctest/doctest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>

using namespace sayso;
using test::PostgresKind;
using test::SqliteKind;
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
            a.sealed = test::seal_answer(public_key, a.skipped, a.options, a.text);
            a.seal_key = "k1";
            a.skipped = false;
            a.options.clear();
            a.text.clear();
        }
        r.answers.push_back(a);
    }
    return r;
}

Given listened(const std::string& face) {
    return {"listened", "faces", "listened", face.empty() ? std::vector<std::string>{} : std::vector<std::string>{face},
            ""};
}
Given promises(const std::string& yn) {
    return {"promises", "yes_no", "keeps_promises", {yn}, ""};
}
Given words(const std::string& t) {
    return {"anything-else", "text", "", {}, t};
}

// The data set every check below counts from:
//  children in care (tablet tab-cic, practitioner SW-1), October: C-001..C-006, one response each;
//    C-001 again in November, asking to talk; C-006 stopped early. Sealed to k1 when a key is given.
//  early help (tablet tab-eh, practitioner SW-2), November: E-001..E-004 at reviews, and one
//    response with no case reference at a visit.
void seed(collector::Store& s, const std::string& public_key) {
    REQUIRE(s.query("INSERT INTO device_services (name, service_area) VALUES (?, ?), (?, ?)",
                    {"tab-cic", "children-in-care", "tab-eh", "early-help"}));
    const std::string oct = "2026-10-05", nov = "2026-11-03";
    std::vector<collector::Response> cic = {
        make("a1", "C-001", "SW-1", "visit", oct, "complete", false,
             {listened("happy"), promises("yes"), words("More time to talk please")}, public_key),
        make("a2", "C-002", "SW-1", "visit", oct, "complete", false,
             {listened("very_happy"), promises("yes"), words("I like my worker")}, public_key),
        make("a3", "C-003", "SW-1", "visit", oct, "complete", false, {listened("happy"), promises("yes")}, public_key),
        make("a4", "C-004", "SW-1", "visit", oct, "complete", false, {listened("happy"), promises("no")}, public_key),
        make("a5", "C-005", "SW-1", "visit", oct, "complete", false, {listened("ok"), promises("no")}, public_key),
        make("a6", "C-006", "SW-1", "visit", oct, "incomplete", false, {listened(""), promises("not_sure")},
             public_key),
        make("a7", "C-001", "SW-1", "visit", nov, "complete", true, {listened("very_sad")}, public_key)};
    std::vector<collector::Response> eh = {
        make("b1", "E-001", "SW-2", "review", "2026-11-10", "complete", false,
             {listened("happy"), words("Secret words from a small group")}),
        make("b2", "E-002", "SW-2", "review", "2026-11-10", "complete", false, {listened("happy")}),
        make("b3", "E-003", "SW-2", "review", "2026-11-10", "complete", false, {listened("sad")}),
        make("b4", "E-004", "SW-2", "review", "2026-11-10", "complete", false, {listened("very_sad")}),
        make("b5", "", "SW-2", "visit", "2026-11-10", "complete", false, {listened("ok")})};
    REQUIRE(s.insert("tab-cic", cic));
    REQUIRE(s.insert("tab-eh", eh));
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

} // namespace

TEST_CASE("every report template parses, includes only templates, and writes every value escaped") {
    const auto& all = reports::embedded_templates();
    std::set<std::string> names;
    for (const auto& [name, text] : all) {
        INFO(name);
        names.insert(name);
        CHECK(reports::template_problem(name, text) == "");
    }
    for (const char* page : {"login", "message", "service", "child", "family", "wedid", "users", "audit", "_header",
                             "_footer", "_figure", "_bar", "_trend", "_select", "_response", "_responses", "style"})
        CHECK_MESSAGE(names.count(page) == 1, page);

    // What the check refuses: each is a way a value could reach the page as markup.
    CHECK(reports::template_problem("t", "<p>{{{words}}}</p>").find("unescaped") != std::string::npos);
    CHECK(reports::template_problem("t", "<p>{{& words}}</p>").find("unescaped") != std::string::npos);
    CHECK(reports::template_problem("t", "{{=<% %>=}}<p><%{words}%></p>").find("delimiters") != std::string::npos);
    CHECK(reports::template_problem("t", "{{> _nosuch}}").find("not a template") != std::string::npos);
    CHECK(reports::template_problem("t", "{{#open}}<p>") != "");

    // A value is escaped wherever it lands: text, attribute, a partial inside a loop.
    const std::string hostile = "<script>alert('x')</script>\" onmouseover=\"x";
    kainjow::mustache::data d;
    d.set("title", hostile);
    d.set("signed_in", true);
    d.set("user_name", hostile);
    d.set("user_role", "admin");
    d.set("csrf", hostile);
    d.set("nav", kainjow::mustache::list{kainjow::mustache::object{{"id", hostile}, {"label", hostile}, {"on", true}}});
    d.set("words", hostile);
    const std::string html = reports::render_page("message", d);
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("\" onmouseover") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; onmouseover=&quot;x") != std::string::npos);
    CHECK(html.find("<style>") != std::string::npos); // the stylesheet is in
    CHECK(html.find("<title>&lt;script") != std::string::npos);
    CHECK(html.rfind("</html>") != std::string::npos);
    CHECK_THROWS_AS(reports::render("nosuch", d), std::logic_error);
}

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

TEST_CASE("the bundled pack's tones are the ones the reports count") {
    // The pack now says how each answer reads; the reports' own reading must
    // give the same for every answer of the pack they were written for.
    const auto loaded = sayso::pack::load_pack(test::default_pack);
    REQUIRE(loaded.ok());
    std::size_t answers = 0;
    for (const auto& b : loaded.pack->bands)
        for (const auto& q : b.questions)
            for (const auto& o : q.options) {
                INFO(b.id << " " << q.id << " " << o.id);
                const auto counted = reports::tone(sayso::pack::kind_name(q.kind), false, {o.id});
                const auto said = q.tone({o.id});
                CHECK(counted.has_value() == (said != sayso::pack::Tone::None));
                if (counted)
                    CHECK(*counted == (said == sayso::pack::Tone::Positive   ? 1
                                       : said == sayso::pack::Tone::Middling ? 0
                                                                             : -1));
                ++answers;
            }
    CHECK(answers > 60);
}

TEST_CASE_TEMPLATE("the service view counts every figure exactly, and hides any built from fewer than 5 children", Kind,
                   SqliteKind, PostgresKind) {
    Kind kind;
    if (!kind.available()) return;
    auto s = test::open_collector_store(kind.spec());
    seed(*s, "");
    auto done = test::held(reports::index_new(*s, {}));
    CHECK(done.responses == 12);
    CHECK(done.answers == 21);
    done = test::held(reports::index_new(*s, {})); // nothing new: nothing again
    CHECK(done.responses == 0);

    // As published (recoded), on either store: the figures read from the sums
    // and the ones counted one by one are what the published rows hold.
    for (const std::string by : {"band", "practitioner_code"}) {
        CAPTURE(by);
        reports::Filters f;
        f.by = by;
        auto pv = test::held(reports::service_view(*s, admin, f, reports::Protection::exact(), {}));
        const std::string col = by == "band" ? "p_band" : "p_code";
        auto rows = test::held(s->query("SELECT measure, " + col +
                                            ", COUNT(DISTINCT child), COUNT(*) FROM report_answers"
                                            " WHERE counted = 1 GROUP BY measure, " +
                                            col,
                                        {}));
        REQUIRE_FALSE(rows.empty());
        for (const auto& r : rows) {
            CHECK(pv.breakdown[r[1]][r[0]].children == std::stoll(r[2]));
            CHECK(pv.breakdown[r[1]][r[0]].answers == std::stoll(r[3]));
        }
        rows =
            test::held(s->query("SELECT COUNT(*), COUNT(DISTINCT child) FROM report_responses WHERE counted = 1", {}));
        CHECK(pv.counts.responses == std::stoll(rows[0][0]));
        CHECK(pv.counts.children == std::stoll(rows[0][1]));
    }

    auto v = test::held(reports::service_view(*s, admin, {}, reports::Protection::unrounded(5), {}));
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
    for (const auto& c : v.comments)
        said.push_back(c.text);
    std::sort(said.begin(), said.end());
    CHECK(said ==
          std::vector<std::string>{"I like my worker", "More time to talk please", "Secret words from a small group"});

    // By service area: both groups large enough (6 and 5 children).
    reports::Filters by_area;
    by_area.by = "service_area";
    v = test::held(reports::service_view(*s, admin, by_area, reports::Protection::unrounded(5), {}));
    CHECK(v.groups == std::vector<std::string>{"children-in-care", "early-help"});
    check_figure(v.breakdown["children-in-care"]["listened"], 6, 7, 4, 1, 1, 1);
    check_figure(v.breakdown["early-help"]["listened"], 5, 5, 2, 1, 2, 0);
    CHECK(v.group_counts["early-help"].children == 5);
    CHECK_FALSE(v.group_counts["early-help"].suppressed);

    // By visit type: reviews have 4 children, so they are hidden, and visits
    // (7 children) too, or the total minus visits would give reviews away.
    reports::Filters by_visit;
    by_visit.by = "visit_type";
    v = test::held(reports::service_view(*s, admin, by_visit, reports::Protection::unrounded(5), {}));
    CHECK(v.breakdown["review"]["listened"].suppressed);
    CHECK(v.breakdown["review"]["listened"].positive == 0);
    CHECK(v.breakdown["visit"]["listened"].suppressed);
    CHECK(v.group_counts["review"].suppressed);
    CHECK(v.group_counts["visit"].suppressed);

    // 5 children: shown. 4 children: hidden, words and all.
    reports::Filters eh;
    eh.service_area = "early-help";
    v = test::held(reports::service_view(*s, admin, eh, reports::Protection::unrounded(5), {}));
    CHECK(v.counts.children == 5);
    check_figure(measure(v, "listened"), 5, 5, 2, 1, 2, 0);
    CHECK(v.comments_shown);
    eh.visit_type = "review";
    v = test::held(reports::service_view(*s, admin, eh, reports::Protection::unrounded(5), {}));
    CHECK(v.counts.suppressed);
    CHECK(v.counts.children == 0);
    CHECK(measure(v, "listened").suppressed);
    CHECK(measure(v, "listened").positive == 0);
    CHECK_FALSE(v.comments_shown);
    CHECK(v.comments.empty());
    // The threshold can be raised: at 6, early help's 5 children are hidden too.
    eh.visit_type.clear();
    v = test::held(reports::service_view(*s, admin, eh, reports::Protection::unrounded(6), {}));
    CHECK(v.counts.suppressed);
    // ...and not lowered: asked for 3, it stays 5.
    eh.visit_type = "review";
    v = test::held(reports::service_view(*s, admin, eh, reports::Protection::unrounded(3), {}));
    CHECK(v.threshold == 5);
    CHECK(v.counts.suppressed);

    // Roles: a manager sees their service; a practitioner their own visits.
    v = test::held(reports::service_view(*s, eh_manager, {}, reports::Protection::unrounded(5), {}));
    CHECK(v.counts.responses == 5);
    check_figure(measure(v, "listened"), 5, 5, 2, 1, 2, 0);
    CHECK(measure(v, "keeps_promises").children == -1); // nobody in early help was asked it
    v = test::held(reports::service_view(*s, sw1, {}, reports::Protection::unrounded(5), {}));
    CHECK(v.counts.responses == 7);
    CHECK(v.counts.children == 6);
    check_figure(measure(v, "listened"), 6, 7, 4, 1, 1, 1);
    // Indexed later, in another chunk: C-001 again in November is no new child.
    REQUIRE(s->insert("tab-cic",
                      {make("a8", "C-001", "SW-1", "visit", "2026-11-20", "complete", false, {listened("happy")})}));
    done = test::held(reports::index_new(*s, {}));
    CHECK(done.responses == 1);
    v = test::held(reports::service_view(*s, admin, {}, reports::Protection::unrounded(5), {}));
    check_figure(measure(v, "listened"), 11, 13, 7, 2, 3, 1);
    check_figure(v.trend["listened"]["2026-11"], 6, 7, 3, 1, 3, 0);
    reports::Filters everything;
    everything.month_from = "2000-01";
    v = test::held(reports::service_view(*s, admin, everything, reports::Protection::unrounded(5), {}));
    check_figure(measure(v, "listened"), 11, 13, 7, 2, 3, 1);

    // A manager asking for another service's figures gets only their own (none).
    reports::Filters other;
    other.service_area = "children-in-care";
    v = test::held(reports::service_view(*s, eh_manager, other, reports::Protection::unrounded(5), {}));
    CHECK(v.counts.suppressed);
    CHECK(v.measures.empty());
}

namespace {

// A pack of another council's, made from the bundled one: "feeling-safer" at
// `version`, one band (12-17), a measure and service area of its own, the
// bundled pack's "listened" (under other words), and its own scale, whose
// middle answer reads as `same_reads`.
void write_safer_pack(const std::filesystem::path& dir, const std::string& version, const std::string& same_reads) {
    test::copy_pack(dir, [&](nlohmann::json& j) {
        j["id"] = "feeling-safer";
        j["version"] = version;
        j["title"] = {{"en", "Feeling safer"}};
        j["languages"] = {"en"};
        j["drafts"] = nlohmann::json::array();
        // Only the English of every text the copy keeps.
        std::function<void(nlohmann::json&)> english = [&](nlohmann::json& x) {
            if (x.is_object() && x.contains("en") && x["en"].is_string()) {
                x = {{"en", x["en"]}};
                return;
            }
            if (x.is_structured())
                for (auto& y : x)
                    english(y);
        };
        english(j);
        j["measures"] = {{{"id", "feeling_safer"}, {"statement", {{"en", "I feel safer"}}}},
                         {{"id", "listened"}, {"statement", {{"en", "People listen to me"}}}}};
        j["service_areas"] = {{{"id", "youth-justice"}, {"label", {{"en", "Youth justice"}}}}};
        j["visit_types"] = {{{"id", "conference"}, {"label", {{"en", "Child protection conference"}}}}};
        nlohmann::json band = j["bands"][2];
        REQUIRE(band["id"] == "12-17");
        auto scale = [](const char* id, const char* label, const std::string& tone) {
            return nlohmann::json{{"id", id}, {"label", {{"en", label}}}, {"tone", tone}};
        };
        band["questions"] = {band["questions"][0],
                             {{"id", "safer"},
                              {"kind", "pick_one"},
                              {"measure", "feeling_safer"},
                              {"text", {{"en", "Since the help started (" + version + "), do you feel..."}}},
                              {"options",
                               {scale("safer", "Safer", "positive"), scale("same", "The same", same_reads),
                                scale("less-safe", "Less safe", "negative")}}}};
        j["bands"] = {band};
    });
}

} // namespace

TEST_CASE("reports take their words and tones from the packs: a council's own scale, measures shared across packs, and "
          "each version read its own way") {
    TempDir tmp;
    const auto packs = tmp / "packs";
    test::copy_pack(packs / "after-my-visit");
    write_safer_pack(packs / "safer-1", "1.0.0", "middling");
    write_safer_pack(packs / "safer-2", "2.0.0", "negative");
    std::vector<std::string> problems;
    const reports::Vocabulary words(reports::load_pack_versions(packs, problems));
    CHECK(problems.empty());
    REQUIRE(words.packs().size() == 3);

    // The first pack's measures in its order, then the next pack's new one;
    // a measure both declare keeps the first pack's statement.
    std::vector<std::string> ids;
    for (const auto& m : words.measures())
        ids.push_back(m.id);
    CHECK(ids == std::vector<std::string>{"listened", "knows_me", "involved", "keeps_promises", "help_good",
                                          "better_services", "explained", "feeling_safer"});
    CHECK(words.measure_name("listened") == "I am listened to");
    CHECK(words.measure_name("feeling_safer") == "I feel safer");
    CHECK(words.measure_name("not_declared") == "not_declared");
    CHECK(words.measure_rank("not_declared") == 8);
    CHECK(words.service_area_name("youth-justice") == "Youth justice");
    CHECK(words.service_area_name("early-help") == "Early help");
    CHECK(words.service_area_name("") == "Not set");
    CHECK(words.visit_type_name("conference") == "Child protection conference");
    CHECK(words.visit_type_name("review") == "Review");
    CHECK(words.band_name("12-17") == "Age 12\u201317");
    CHECK(words.pack_name("feeling-safer", "1.0.0") == "Feeling safer 1.0.0");
    CHECK(words.pack_name("gone", "3.1") == "gone 3.1");

    // Tones: the pack's own scale at the answer's version; the newest version
    // for a version not given; the kiosk's faces for a pack not given.
    CHECK(words.tone("feeling-safer", "1.0.0", "12-17", "safer", "pick_one", false, {"safer"}) == 1);
    CHECK(words.tone("feeling-safer", "1.0.0", "12-17", "safer", "pick_one", false, {"same"}) == 0);
    CHECK(words.tone("feeling-safer", "2.0.0", "12-17", "safer", "pick_one", false, {"same"}) == -1);
    CHECK(words.tone("feeling-safer", "1.5.0", "12-17", "safer", "pick_one", false, {"same"}) == -1);
    CHECK(words.tone("feeling-safer", "1.0.0", "12-17", "safer", "pick_one", false, {"less-safe"}) == -1);
    CHECK_FALSE(words.tone("feeling-safer", "1.0.0", "12-17", "safer", "pick_one", true, {}));
    CHECK_FALSE(words.tone("feeling-safer", "1.0.0", "12-17", "safer", "pick_one", false, {"safer", "same"}));
    CHECK(words.tone("feeling-safer", "1.0.0", "12-17", "listened", "faces", false, {"very_happy"}) == 1);
    CHECK(words.tone("elsewhere", "1", "12-17", "q", "faces", false, {"sad"}) == -1);
    CHECK_FALSE(words.tone("elsewhere", "1", "12-17", "q", "pick_one", false, {"safer"}));
    CHECK_FALSE(words.tone("after-my-visit", "1.0.0", "12-17", "better", "pick_many", false, {"listen"}));

    // Through the index and the views: 5 children answered the bundled pack,
    // 5 the safer pack's first version and 5 its second.
    auto s = test::open_collector_store("sqlite:" + (tmp / "c.db").string());
    REQUIRE(s->query("INSERT INTO device_services (name, service_area) VALUES (?, ?)", {"tab", "youth-justice"}));
    std::vector<collector::Response> rs;
    for (int i = 0; i < 15; ++i) {
        const std::string n = std::to_string(i);
        if (i < 5) {
            rs.push_back(make("m" + n, "A-" + n, "SW", "visit", "2026-11-02", "complete", false, {listened("happy")}));
            continue;
        }
        auto r = make("m" + n, "A-" + n, "SW", "conference", "2026-11-02", "complete", false,
                      {listened(i < 10 ? "ok" : "sad"), {"safer", "pick_one", "feeling_safer", {"same"}, ""}});
        r.pack_id = "feeling-safer";
        r.pack_version = i < 10 ? "1.0.0" : "2.0.0";
        rs.push_back(r);
    }
    REQUIRE(s->insert("tab", rs));
    const auto done = test::held(reports::index_new(*s, {}, words));
    CHECK(done.responses == 15);
    auto v = test::held(reports::service_view(*s, admin, {}, reports::Protection::unrounded(5), {}));
    check_figure(measure(v, "listened"), 15, 15, 5, 5, 5, 0);
    check_figure(measure(v, "feeling_safer"), 10, 10, 0, 5, 5, 0);
    CHECK(measure(v, "feeling_safer").other == 0); // every answer read on the pack's own scale
    using PV = reports::PackVersion;
    CHECK(v.sources["listened"] ==
          std::vector<PV>{{"after-my-visit", "1.0.0"}, {"feeling-safer", "1.0.0"}, {"feeling-safer", "2.0.0"}});
    CHECK(v.sources["feeling_safer"] == std::vector<PV>{{"feeling-safer", "1.0.0"}, {"feeling-safer", "2.0.0"}});
    // One child on a version of its own: counted, but that version is not named (fewer than 5 children).
    auto lone = make("m15", "A-15", "SW", "conference", "2026-11-02", "complete", false,
                     {{"safer", "pick_one", "feeling_safer", {"safer"}, ""}});
    lone.pack_id = "feeling-safer";
    lone.pack_version = "0.9.0";
    REQUIRE(s->insert("tab", {lone}));
    CHECK(test::held(reports::index_new(*s, {}, words)).responses == 1);
    v = test::held(reports::service_view(*s, admin, {}, reports::Protection::unrounded(5), {}));
    check_figure(measure(v, "feeling_safer"), 11, 11, 1, 5, 5, 0);
    CHECK(v.sources["feeling_safer"] == std::vector<PV>{{"feeling-safer", "1.0.0"}, {"feeling-safer", "2.0.0"}});
    // A child's page shows their questions as the version they answered asked them.
    for (const auto& [child, version] :
         std::vector<std::pair<std::string, std::string>>{{"A-5", "1.0.0"}, {"A-12", "2.0.0"}}) {
        const auto view = test::held(reports::child_view(*s, admin, {child}, {}));
        REQUIRE(view.responses.size() == 1);
        CHECK(view.responses[0].pack_version == version);
        const std::string asked = reports::child_page(reports::Session{"", "t", admin}, words, child, view.responses,
                                                      reports::Access::Allowed);
        CHECK(asked.find("Since the help started (" + version + ")") != std::string::npos);
        CHECK(asked.find("<span data-k=\"pack\">Feeling safer</span>") != std::string::npos);
    }
    // Filtered to the bundled pack's visits, a figure comes from that pack alone.
    reports::Filters visits;
    visits.visit_type = "visit";
    auto only = test::held(reports::service_view(*s, admin, visits, reports::Protection::unrounded(5), {}));
    CHECK(only.sources["listened"] == std::vector<PV>{{"after-my-visit", "1.0.0"}});

    // The page and the download: the packs' words, in the packs' order, and where each figure comes from.
    reports::Filters by_visit;
    by_visit.by = "visit_type";
    v = test::held(reports::service_view(*s, admin, by_visit, reports::Protection::unrounded(5), {}));
    const reports::Session session{"", "t", admin};
    const std::string page = reports::service_page(session, words, v, by_visit, "");
    const auto listened_at = page.find("<td>I am listened to<div"), safer_at = page.find("<td>I feel safer<div");
    CHECK(listened_at != std::string::npos);
    CHECK(safer_at != std::string::npos);
    CHECK(listened_at < safer_at);
    CHECK(page.find("After my visit 1.0.0, Feeling safer 1.0.0, Feeling safer 2.0.0") != std::string::npos);
    CHECK(page.find("<option value=\"youth-justice\">Youth justice</option>") != std::string::npos);
    CHECK(page.find("<option value=\"conference\">Child protection conference</option>") != std::string::npos);
    CHECK(page.find("<td>Child protection conference</td>") != std::string::npos); // the breakdown's row
    CHECK(page.find("feeling_safer") != std::string::npos);   // as the measure's id in the markup...
    CHECK(page.find(">feeling_safer<") == std::string::npos); // ...never as its name
    const auto csv = test::read_csv(reports::service_csv(words, v, "measures"));
    REQUIRE(csv.size() == 3);
    CHECK(csv[0].back() == "from_packs");
    CHECK(csv[1][0] == "listened");
    CHECK(csv[1][1] == "I am listened to");
    CHECK(csv[1].back() == "After my visit 1.0.0, Feeling safer 1.0.0, Feeling safer 2.0.0");
    CHECK(csv[2][0] == "feeling_safer");
    CHECK(csv[2][1] == "I feel safer");
    CHECK(csv[2][6] == "5"); // negative: the second version's "the same"

    // Without packs: ids as stored, and only faces and yes/no read as ratings.
    const reports::Vocabulary none;
    CHECK(none.measure_name("listened") == "listened");
    CHECK(none.service_area_name("early-help") == "early-help");
    auto bare = test::open_collector_store("sqlite:" + (tmp / "bare.db").string());
    REQUIRE(bare->insert("tab", rs));
    REQUIRE(reports::index_new(*bare, {}));
    v = test::held(reports::service_view(*bare, admin, {}, reports::Protection::unrounded(5), {}));
    check_figure(measure(v, "listened"), 15, 15, 5, 5, 5, 0);
    CHECK(measure(v, "feeling_safer").other == 10);
    CHECK(reports::service_page(session, none, v, {}, "").find("<td>feeling_safer<div") != std::string::npos);
    // Given the packs later, the index is built again: every answer reads as its pack says.
    CHECK(test::held(reports::index_new(*bare, {}, words)).responses == 15);
    v = test::held(reports::service_view(*bare, admin, {}, reports::Protection::unrounded(5), {}));
    check_figure(measure(v, "feeling_safer"), 10, 10, 0, 5, 5, 0);
    CHECK(measure(v, "feeling_safer").other == 0);
    CHECK(test::held(reports::index_new(*bare, {}, words)).responses == 0); // the same packs: nothing again
}

namespace {

// A signed-in browser of the reports site: keeps its session cookie.
struct Browser {
    httplib::Client http;
    std::string cookie;
    std::string last_location; // where the last sign-in sent it
    std::string last_body;
    explicit Browser(int port) : http("127.0.0.1", port) { http.set_read_timeout(20, 0); }

    httplib::Result get(const std::string& path, httplib::Headers h = {}) {
        if (!cookie.empty()) h.emplace("Cookie", "sayso_session=" + cookie);
        return http.Get(path, h);
    }
    httplib::Result post(const std::string& path, const httplib::Params& form) {
        httplib::Headers h;
        if (!cookie.empty()) h.emplace("Cookie", "sayso_session=" + cookie);
        return http.Post(path, h, form);
    }
    // The sign-in form's token and its cookie, as a browser gets them with the form.
    std::pair<std::string, std::string> sign_in_form() {
        auto page = http.Get("/login");
        REQUIRE(page);
        const std::string set = page->get_header_value("Set-Cookie");
        REQUIRE(set.rfind("sayso_signin=", 0) == 0);
        const auto at = page->body.find("name=\"signin\" value=\"");
        REQUIRE(at != std::string::npos);
        return {page->body.substr(at + 21, 32), set.substr(13, 32)};
    }
    int sign_in(const std::string& name, const std::string& password, const std::string& next = "/service") {
        const auto [field, token] = sign_in_form();
        auto r = http.Post("/login", {{"Cookie", "sayso_signin=" + token}},
                           httplib::Params{{"name", name}, {"password", password}, {"next", next}, {"signin", field}});
        REQUIRE(r);
        last_location = r->get_header_value("Location");
        last_body = r->body;
        const std::string set = r->get_header_value("Set-Cookie");
        if (set.rfind("sayso_session=", 0) == 0) cookie = set.substr(14, 64);
        return r->status;
    }
    // The hidden form field that proves a form came from this site.
    std::string csrf(const std::string& page) {
        const auto at = page.find("name=\"csrf\" value=\"");
        REQUIRE(at != std::string::npos);
        return page.substr(at + 19, 32);
    }
};

// The data-v of `key` in the part of `page` that starts at `anchor` (up to its row's end).
std::string figure_in(const std::string& page, const std::string& anchor, const std::string& key) {
    const auto at = page.find(anchor);
    if (at == std::string::npos) return "(no " + anchor + ")";
    const auto end = page.find("</tr>", at);
    const std::string row = page.substr(at, end == std::string::npos ? std::string::npos : end - at);
    const std::string want = "data-k=\"" + key + "\" data-v=\"";
    const auto k = row.find(want);
    if (k == std::string::npos) return row.find("data-k=\"suppressed\"") != std::string::npos ? "suppressed" : "(none)";
    return row.substr(k + want.size(), row.find('"', k + want.size()) - k - want.size());
}

std::string section(const std::string& page, const std::string& name) {
    const auto at = page.find("data-section=\"" + name + "\"");
    if (at == std::string::npos) return "";
    return page.substr(at, page.find("</table>", at) - at);
}

void add_user(const std::string& store, const std::vector<std::string>& args) {
    std::vector<std::string> all = {SAYSO_COLLECTOR, "user", "add"};
    all.insert(all.end(), args.begin(), args.end());
    all.insert(all.end(), {"--store", store});
    auto r = test::run(all, {}, "a long enough password\na long enough password\n");
    INFO(r.err);
    REQUIRE(r.code == 0);
}

} // namespace

TEST_CASE(
    "the reports website: sign-in, each role's pages and downloads, sealed answers opened, and every view audited") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto keys = (tmp / "keys.json").string();
    auto key = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys, "--id", "k1"});
    REQUIRE(key.code == 0);
    {
        auto s = test::open_collector_store(store);
        seed(*s, nlohmann::json::parse(key.out)["public_key"].get<std::string>());
    }
    add_user(store, {"ada", "--role", "admin"});
    add_user(store, {"meg", "--role", "manager", "--service", "early-help"});
    add_user(store, {"sam", "--role", "practitioner", "--code", "SW-1"});
    add_user(store, {"old", "--role", "admin"});
    REQUIRE(test::run({SAYSO_COLLECTOR, "user", "disable", "old", "--store", store}).code == 0);
    // A manager without a service, a short password, a threshold below 5: refused.
    CHECK(test::run({SAYSO_COLLECTOR, "user", "add", "x", "--role", "manager", "--store", store}, {},
                    "a long enough password\na long enough password\n")
              .code == 1);
    CHECK(test::run({SAYSO_COLLECTOR, "user", "add", "x", "--role", "admin", "--store", store}, {}, "short\nshort\n")
              .code == 1);
    CHECK(test::run({SAYSO_COLLECTOR, "reports", "--store", store, "--keys", keys, "--min-group", "4"}).code == 2);
    // Without the keys the sealed answers can't be opened: the site still
    // serves, leaves them out of every figure, and names the key to admins.
    {
        test::CollectorProcess keyless(store, {}, "reports");
        Browser ada(keyless.port());
        REQUIRE(ada.sign_in("ada", "a long enough password") == 303);
        auto page = ada.get("/service");
        REQUIRE(page);
        REQUIRE(page->status == 200);
        const auto warning = page->body.find("data-k=\"unopened\"");
        REQUIRE(warning != std::string::npos);
        CHECK(page->body.find("sealed to key \u201ck1\u201d", warning) != std::string::npos);
        // Only early help's five responses were never sealed: the listened figure counts those alone.
        CHECK(figure_in(section(page->body, "measures"), "data-measure=\"listened\"", "children") == "5");
        auto child = ada.get("/child?case=C-001");
        REQUIRE(child);
        CHECK(child->status == 200);
        CHECK(child->body.find("can't be opened") != std::string::npos);
        Browser meg(keyless.port());
        REQUIRE(meg.sign_in("meg", "a long enough password") == 303);
        auto theirs = meg.get("/service");
        REQUIRE(theirs);
        CHECK(theirs->body.find("data-k=\"unopened\"") == std::string::npos); // an admin's matter
    }

    test::CollectorProcess site(store,
                                {"--keys", keys, "--packs", (test::source_dir / "surveys").string(), "--assets",
                                 (test::source_dir / "assets").string()},
                                "reports");

    // Signed out: every page and download sends you to sign in.
    Browser anon(site.port());
    for (const char* path : {"/service", "/service.csv?table=measures", "/child?case=C-001", "/family?family=F",
                             "/wedid", "/audit", "/picture?pack=after-my-visit&band=12-17&q=listened&o=happy"}) {
        auto r = anon.get(path);
        REQUIRE(r);
        INFO(path);
        CHECK(r->status == 303);
        CHECK(r->get_header_value("Location").rfind("/login?next=", 0) == 0);
    }
    CHECK(anon.sign_in("ada", "wrong password here") == 401);
    CHECK(anon.sign_in("old", "a long enough password") == 401); // disabled
    CHECK(anon.cookie.empty());

    // The admin: every figure, the sealed words opened.
    Browser ada(site.port());
    REQUIRE(ada.sign_in("ada", "a long enough password") == 303);
    auto page = ada.get("/service");
    REQUIRE(page);
    REQUIRE(page->status == 200);
    const std::string& p = page->body;
    CHECK(p.find("<script") == std::string::npos);
    CHECK(figure_in(p, "data-k=\"responses\"", "responses") == "10"); // 12, rounded to 5
    CHECK(figure_in(p, "data-k=\"children\"", "children") == "10");   // 11
    const std::string ms = section(p, "measures");
    CHECK(figure_in(ms, "data-measure=\"listened\"", "children") == "10"); // 11
    CHECK(figure_in(ms, "data-measure=\"listened\"", "positive") == "5");  // 6
    CHECK(figure_in(ms, "data-measure=\"listened\"", "middling") == "0");  // 2
    // 2: November's one answer from children in care counts in no figure (too few such children, recode.hpp).
    CHECK(figure_in(ms, "data-measure=\"listened\"", "negative") == "0");
    CHECK(figure_in(ms, "data-measure=\"listened\"", "skipped") == "0");        // 1
    CHECK(figure_in(ms, "data-measure=\"keeps_promises\"", "positive") == "5"); // 3
    // Over time: positive of the ratings given, each month, from the rounded counts
    // (October 4 of 5 shown as 5/5; November 2 of 5, each kind under 3, as 0 of 0; keeps_promises 3 of 6 as 5/5).
    const std::string tr = section(p, "trend");
    CHECK(tr.find("data-month=\"2026-10\" data-v=\"5/5\"") != std::string::npos);
    CHECK(tr.find("data-month=\"2026-11\" data-v=\"0/0\"") != std::string::npos);
    CHECK(tr.find("data-v=\"4/5\"") == std::string::npos); // nothing as counted
    // Responses by month, and the breakdown by age band (one band: everything).
    const std::string done = section(p, "completion");
    CHECK(figure_in(done, "data-month=\"2026-10\"", "responses") == "5"); // 6
    CHECK(figure_in(done, "data-month=\"2026-10\"", "complete") == "5");
    CHECK(figure_in(done, "data-month=\"2026-11\"", "children") == "5");                   // 6
    CHECK(figure_in(section(p, "breakdown"), "data-group=\"12-17\"", "children") == "10"); // 11
    CHECK(figure_in(p, "data-k=\"completion\"", "completion") == "100"); // 10 of 10 as shown (11 of 12)
    auto areas = ada.get("/service?by=service_area");
    REQUIRE(areas);
    const std::string by_area = section(areas->body, "breakdown");
    CHECK(figure_in(by_area, "data-group=\"early-help\"", "responses") == "5");
    CHECK(figure_in(by_area, "data-group=\"children-in-care\"", "children") == "5");      // 6
    CHECK(by_area.find("data-measure=\"listened\" data-v=\"0/0\"") != std::string::npos); // 2 of 5: each under 3
    CHECK(by_area.find("data-measure=\"listened\" data-v=\"5/5\"") != std::string::npos); // 4 of 6
    CHECK(p.find("More time to talk please") != std::string::npos);                       // opened with k1
    CHECK(p.find("Secret words from a small group") != std::string::npos);
    CHECK(p.find("<svg") != std::string::npos);
    // Early help at reviews: 4 children, published with the one at a visit as "visit type kept together",
    // so a filter on reviews finds nothing at all, not even their words.
    auto small = ada.get("/service?service_area=early-help&visit_type=review");
    REQUIRE(small);
    CHECK(section(small->body, "measures").find("data-measure=\"listened\"") == std::string::npos);
    CHECK(small->body.find("Secret words") == std::string::npos);
    CHECK(small->body.find("fewer than 5") != std::string::npos);
    auto small_csv = ada.get("/service.csv?table=comments&service_area=early-help&visit_type=review");
    REQUIRE(small_csv);
    CHECK(small_csv->body.find("Secret words") == std::string::npos);
    auto measures_csv = ada.get("/service.csv?table=measures");
    REQUIRE(measures_csv);
    CHECK(measures_csv->get_header_value("Content-Type").rfind("text/csv", 0) == 0);
    CHECK(measures_csv->body.find("\"listened\",\"I am listened to\",\"10\",\"10\",\"5\",\"0\",\"0\",\"0\",\"0\","
                                  "\"After my visit 1.0.0\"\r\n") != std::string::npos);
    auto trend_csv = ada.get("/service.csv?table=trend&service_area=early-help&visit_type=review");
    REQUIRE(trend_csv);
    CHECK(trend_csv->body.find("\"listened\",\"2026-11\"") == std::string::npos);
    auto kept = ada.get("/service?service_area=early-help&by=visit_type");
    REQUIRE(kept);
    CHECK(figure_in(section(kept->body, "breakdown"), "data-group=\"*\"", "children") == "5");
    CHECK(kept->body.find("Others, kept together") != std::string::npos);

    // One child, as they saw it: the safeguarding flag first, pictures and words.
    auto child = ada.get("/child?case=C-001");
    REQUIRE(child);
    REQUIRE(child->status == 200);
    const std::string& c = child->body;
    const auto flagged = c.find("data-response=\"a7\""), earlier = c.find("data-response=\"a1\"");
    REQUIRE(flagged != std::string::npos);
    REQUIRE(earlier != std::string::npos);
    CHECK(flagged < earlier);
    CHECK(c.find("data-flag=\"asked_to_talk\"") < earlier);
    CHECK(c.find("How well are you listened to?") != std::string::npos);
    CHECK(c.find("<blockquote data-k=\"text\">More time to talk please</blockquote>") != std::string::npos);
    CHECK(c.find("/picture?pack=after-my-visit&amp;v=1.0.0&amp;band=12-17&amp;q=listened&amp;o=happy") !=
          std::string::npos);
    auto picture = ada.get("/picture?pack=after-my-visit&band=12-17&q=listened&o=happy");
    REQUIRE(picture);
    CHECK(picture->status == 200);
    CHECK(picture->body.substr(1, 3) == "PNG");
    CHECK(ada.get("/picture?pack=after-my-visit&band=12-17&q=listened&o=../../etc/passwd")->status == 404);
    auto child_csv = ada.get("/child.csv?case=C-001");
    REQUIRE(child_csv);
    CHECK(child_csv->body.find("\"C-001\",\"a1\",") != std::string::npos);
    CHECK(child_csv->body.find("More time to talk please") != std::string::npos);

    // A family: the admin groups two children, then reads them together.
    auto fam = ada.get("/family");
    REQUIRE(fam);
    const std::string token = ada.csrf(fam->body);
    CHECK(ada.post("/family", {{"csrf", token}, {"case", "C-001"}, {"family", "F-1"}})->status == 303);
    CHECK(ada.post("/family", {{"csrf", token}, {"case", "C-002"}, {"family", "F-1"}})->status == 303);
    CHECK(ada.post("/family", {{"csrf", "forged"}, {"case", "C-003"}, {"family", "F-1"}})->status == 403);
    fam = ada.get("/family?family=F-1");
    REQUIRE(fam);
    CHECK(fam->body.find("data-case=\"C-001\">Case C-001: 2 responses") != std::string::npos);
    CHECK(fam->body.find("data-case=\"C-002\">Case C-002: 1 response") != std::string::npos);
    CHECK(fam->body.find("data-case=\"C-003\"") == std::string::npos);

    // You said, we did.
    auto wd = ada.get("/wedid");
    REQUIRE(wd);
    CHECK(ada.post("/wedid", {{"csrf", ada.csrf(wd->body)},
                              {"measure", "listened"},
                              {"you_said", "Workers don't always have time to listen."},
                              {"we_did", "Every visit now ends with ten minutes just for you."},
                              {"service_area", ""},
                              {"language", "en"}})
              ->status == 303);
    // For one area's tablets, in Urdu; without a language it is not added.
    CHECK(ada.post("/wedid", {{"csrf", ada.csrf(wd->body)},
                              {"measure", "listened"},
                              {"you_said", "TO-BE-REMOVED"},
                              {"we_did", "y"},
                              {"service_area", "children-in-care"},
                              {"language", "ur"}})
              ->status == 303);
    CHECK(ada.post("/wedid", {{"csrf", ada.csrf(wd->body)},
                              {"measure", "listened"},
                              {"you_said", "x"},
                              {"we_did", "y"},
                              {"language", "<b>"}})
              ->status == 400);
    wd = ada.get("/wedid");
    REQUIRE(wd);
    CHECK(wd->body.find("Every visit now ends with ten minutes just for you.") != std::string::npos);
    CHECK(wd->body.find("On tablets: Every service area, in <span lang=\"en\">en</span>.") != std::string::npos);
    CHECK(wd->body.find("<span lang=\"ur\">ur</span>") != std::string::npos);
    CHECK(wd->body.find("name=\"service_area\"") != std::string::npos);
    CHECK(wd->body.find("name=\"language\"") != std::string::npos);
    // Taken off the page (and so off the tablets at their next look).
    const auto removable = wd->body.find("TO-BE-REMOVED");
    REQUIRE(removable != std::string::npos);
    const auto entry_at = wd->body.rfind("data-entry=\"", removable);
    REQUIRE(entry_at != std::string::npos);
    const std::string seq = wd->body.substr(entry_at + 12, wd->body.find('"', entry_at + 12) - entry_at - 12);
    CHECK(ada.post("/wedid/remove", {{"csrf", ada.csrf(wd->body)}, {"seq", seq}})->status == 303);
    CHECK(ada.post("/wedid/remove", {{"csrf", ada.csrf(wd->body)}, {"seq", seq}})->status == 404);
    CHECK(ada.post("/wedid/remove", {{"csrf", ada.csrf(wd->body)}, {"seq", "1; DROP"}})->status == 400);
    wd = ada.get("/wedid");
    REQUIRE(wd);
    CHECK(wd->body.find("TO-BE-REMOVED") == std::string::npos);
    // Positive of the ratings, all children, as shown: 6 of 10 counted, 5 of 5 + 0 + 0 rounded.
    CHECK(wd->body.find("data-v=\"5/5\"") != std::string::npos);

    // A manager: their service only; another service's child is refused.
    Browser meg(site.port());
    REQUIRE(meg.sign_in("meg", "a long enough password") == 303);
    page = meg.get("/service");
    REQUIRE(page);
    CHECK(figure_in(page->body, "data-k=\"responses\"", "responses") == "5");
    CHECK(figure_in(section(page->body, "measures"), "data-measure=\"listened\"", "positive") == "0"); // 2
    CHECK(page->body.find("More time to talk please") == std::string::npos);
    CHECK(meg.get("/child?case=C-001")->status == 403);
    CHECK(meg.get("/child?case=E-001")->status == 200);
    CHECK(meg.get("/audit")->status == 403);
    CHECK(meg.post("/wedid",
                   {{"csrf", meg.csrf(page->body)}, {"measure", "listened"}, {"you_said", "x"}, {"we_did", "y"}})
              ->status == 403);
    CHECK(meg.post("/wedid/remove", {{"csrf", meg.csrf(page->body)}, {"seq", "1"}})->status == 403);
    CHECK(meg.get("/wedid")->body.find("Every visit now ends") != std::string::npos); // still there

    // A practitioner: only responses carrying their code.
    Browser sam(site.port());
    REQUIRE(sam.sign_in("sam", "a long enough password") == 303);
    page = sam.get("/service");
    REQUIRE(page);
    CHECK(figure_in(page->body, "data-k=\"responses\"", "responses") == "5");                          // 7
    CHECK(figure_in(section(page->body, "measures"), "data-measure=\"listened\"", "negative") == "0"); // 1
    auto mine = sam.get("/child?case=C-001");
    REQUIRE(mine);
    CHECK(mine->status == 200);
    auto theirs = sam.get("/child?case=E-001");
    REQUIRE(theirs);
    CHECK(theirs->status == 403);
    CHECK(theirs->body.find("Secret words") == std::string::npos);
    CHECK(sam.get("/child.csv?case=E-001")->status == 403);
    CHECK(sam.get("/family?family=F-1")->status == 200); // C-001 and C-002 are both SW-1's
    CHECK(sam.get("/audit")->status == 403);

    // An admin adds a practitioner on the website; they sign in and see their own visits.
    CHECK(sam.get("/users")->status == 403);
    auto people = ada.get("/users");
    REQUIRE(people);
    REQUIRE(people->status == 200);
    CHECK(people->body.find("data-user=\"old\"") != std::string::npos);
    const std::string ut = ada.csrf(people->body);
    auto differ = ada.post("/users", {{"csrf", ut},
                                      {"name", "pat"},
                                      {"role", "practitioner"},
                                      {"code", "SW-2"},
                                      {"password", "another long password"},
                                      {"again", "another long passwort"}});
    REQUIRE(differ);
    CHECK(differ->status == 400);
    CHECK(ada.post("/users", {{"csrf", ut},
                              {"name", "pat"},
                              {"role", "practitioner"},
                              {"code", "SW-2"},
                              {"password", "another long password"},
                              {"again", "another long password"}})
              ->status == 200);
    Browser pat(site.port());
    REQUIRE(pat.sign_in("pat", "another long password") == 303);
    page = pat.get("/service");
    REQUIRE(page);
    CHECK(figure_in(page->body, "data-k=\"responses\"", "responses") == "5");
    CHECK(ada.post("/users/disable", {{"csrf", ut}, {"name", "pat"}})->status == 200);
    CHECK(pat.get("/service")->status == 303); // signed out at once

    // Signing out ends the session at once.
    page = sam.get("/service");
    CHECK(sam.post("/logout", {{"csrf", sam.csrf(page->body)}})->status == 303);
    CHECK(sam.get("/service")->status == 303);

    // Opening sealed words for a page leaves no copy behind: the store's file
    // and its WAL hold no sealed child's words in the clear, after all of that.
    const std::string raw = test::read_file(tmp / "c.db") + test::read_file((tmp / "c.db").string() + "-wal");
    CHECK(raw.find("Secret words from a small group") != std::string::npos); // sent unsealed: the search sees it
    CHECK(raw.find("More time to talk please") == std::string::npos);
    CHECK(raw.find("I like my worker") == std::string::npos);

    // The audit log has who viewed, downloaded and was refused what.
    auto audit = ada.get("/audit");
    REQUIRE(audit);
    REQUIRE(audit->status == 200);
    const std::string& a = audit->body;
    CHECK(a.find("<td>denied</td><td>/child?case=E-001</td><td>by sam (practitioner)</td>") != std::string::npos);
    CHECK(a.find("<td>denied</td><td>/child.csv?case=E-001</td><td>by sam (practitioner)</td>") != std::string::npos);
    CHECK(a.find("<td>viewed</td><td>/child?case=C-001</td><td>by sam (practitioner)</td>") != std::string::npos);
    CHECK(a.find("<td>downloaded</td><td>/child.csv?case=C-001</td><td>by ada (admin)</td>") != std::string::npos);
    CHECK(a.find("<td>denied</td><td>/child?case=C-001</td><td>by meg (manager)</td>") != std::string::npos);
    CHECK(a.find("<td>sign_in_failed</td><td>ada</td>") != std::string::npos);
    CHECK(a.find("<td>family_set</td><td>C-001</td><td>by ada (admin) under family F-1</td>") != std::string::npos);
    CHECK(a.find("<td>we_did_added</td><td>listened</td><td>by ada (admin) for children-in-care in ur</td>") !=
          std::string::npos);
    CHECK(a.find("<td>we_did_removed</td>") != std::string::npos);
    CHECK(a.find("<td>user_disabled</td><td>old</td>") != std::string::npos);
    CHECK(a.find("<td>user_added</td><td>pat</td><td>by ada (admin), role practitioner</td>") != std::string::npos);
    CHECK(a.find("<td>denied</td><td>/users</td><td>by sam (practitioner)</td>") != std::string::npos);

    // Guessing passwords from one address is held back.
    int refused = 0;
    for (int i = 0; i < 25 && refused == 0; ++i)
        refused += anon.sign_in("ada", "guess number " + std::to_string(i)) == 429;
    CHECK(refused == 1);
}

TEST_CASE("the reports' sign-in, family page and downloads hold up to an attacker") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    {
        auto s = test::open_collector_store(store);
        seed(*s, "");
        // A family an admin grouped across two service areas.
        REQUIRE(reports::set_family(*s, "C-001", "F-9"));
        REQUIRE(reports::set_family(*s, "E-001", "F-9"));
    }
    add_user(store, {"ada", "--role", "admin"});
    add_user(store, {"meg", "--role", "manager", "--service", "early-help"});
    test::CollectorProcess site(store, {}, "reports");

    // A sign-in form posted from anywhere but the site's own page is refused, and no session is made.
    Browser stranger(site.port());
    auto forged =
        stranger.http.Post("/login", httplib::Params{{"name", "ada"}, {"password", "a long enough password"}});
    REQUIRE(forged);
    CHECK(forged->status == 403);
    CHECK(forged->get_header_value("Set-Cookie").rfind("sayso_session=", 0) == std::string::npos);
    const auto [field, token] = stranger.sign_in_form();
    auto crossed =
        stranger.http.Post("/login", {{"Cookie", "sayso_signin=" + std::string(32, 'a')}},
                           httplib::Params{{"name", "ada"}, {"password", "a long enough password"}, {"signin", field}});
    REQUIRE(crossed);
    CHECK(crossed->status == 403);
    CHECK(crossed->body.find("Please sign in again") != std::string::npos);

    // After signing in, only a page of this site: a tab, a backslash or two slashes can't make another host.
    for (const std::string next : {"/\t/evil.example/", "//evil.example/", "/\\evil.example"}) {
        CAPTURE(next);
        Browser b(site.port());
        REQUIRE(b.sign_in("ada", "a long enough password", next) == 303);
        CHECK(b.last_location == "/service");
    }

    // A manager reading a family sees only their own area's children, and no other area's case reference.
    Browser meg(site.port());
    REQUIRE(meg.sign_in("meg", "a long enough password") == 303);
    auto fam = meg.get("/family?family=F-9");
    REQUIRE(fam);
    CHECK(fam->status == 200);
    CHECK(fam->body.find("E-001") != std::string::npos);
    CHECK(fam->body.find("C-001") == std::string::npos);
    auto fam_csv = meg.get("/family.csv?family=F-9");
    REQUIRE(fam_csv);
    CHECK(fam_csv->body.find("C-001") == std::string::npos);
    // A family reference no one used is refused like one out of reach: the answer tells nothing.
    auto unknown = meg.get("/family?family=NO-SUCH");
    REQUIRE(unknown);
    CHECK(unknown->status == 403);

    // Only known tables download; nothing a stranger writes reaches the file name.
    Browser ada(site.port());
    REQUIRE(ada.sign_in("ada", "a long enough password") == 303);
    for (const std::string table : {"measures", "trend", "breakdown", "completion", "comments"}) {
        auto r = ada.get("/service.csv?table=" + table);
        REQUIRE(r);
        CHECK(r->status == 200);
        CHECK(r->get_header_value("Content-Disposition") == "attachment; filename=\"sayso-service-" + table + ".csv\"");
    }
    auto odd = ada.get("/service.csv?table=x%22%3B%20filename%3Devil.sh");
    REQUIRE(odd);
    CHECK(odd->status == 400);
    CHECK(odd->get_header_value("Content-Disposition").empty());

    // A name no user can have (here with a NUL the store would cut at) is refused without a try, so it
    // can't be a fresh key for the per-name limit below.
    for (int i = 0; i < 2; ++i) {
        Browser odd_name(site.port());
        CHECK(odd_name.sign_in(std::string("meg\0", 4) + std::to_string(i), "a long enough password") == 401);
    }
    // Guessing one name's password from many addresses: 10 failures a minute for that name, wherever
    // they come from (meg's own sign-in above is not counted): ten wrong tries pass, the eleventh is held back.
    int held = 0;
    for (int i = 0; i < 11; ++i) {
        Browser guesser(site.port());
        const int status = guesser.sign_in("meg", "guess number " + std::to_string(i));
        held += status == 429;
        if (status == 429) CHECK(guesser.last_body.find("Too many tries for this name") != std::string::npos);
        CHECK((status == 401 || status == 429));
    }
    CHECK(held == 1);

    // A changed password signs out every session the user had.
    REQUIRE(ada.get("/service")->status == 200);
    add_user(store, {"ada", "--role", "admin"});
    auto after = ada.get("/service");
    REQUIRE(after);
    CHECK(after->status == 303);
    CHECK(after->get_header_value("Location").rfind("/login", 0) == 0);
}

TEST_CASE("the reports in Chromium: each view at desktop size and printed on A4") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    {
        auto s = test::open_collector_store(store);
        seed(*s, "");
        REQUIRE(reports::set_family(*s, "C-001", "F-1"));
        REQUIRE(reports::set_family(*s, "C-002", "F-1"));
        REQUIRE(reports::add_we_did(*s,
                                    {.measure = "listened",
                                     .you_said = "Workers don't always have time to listen.",
                                     .we_did = "Every visit now ends with ten minutes just for you.",
                                     .service_area = "",
                                     .language = "en"},
                                    "ada"));
        REQUIRE(reports::add_we_did(*s,
                                    {.measure = "keeps_promises",
                                     .you_said = "Sometimes we don't hear back when we were told we would.",
                                     .we_did = "Your worker now texts you within two days of every meeting.",
                                     .service_area = "children-in-care",
                                     .language = "en"},
                                    "ada"));
    }
    add_user(store, {"ada", "--role", "admin"});
    test::CollectorProcess site(
        store, {"--packs", (test::source_dir / "surveys").string(), "--assets", (test::source_dir / "assets").string()},
        "reports");
    const auto out = std::filesystem::path(SAYSO_SHOTS_DIR) / "reports";
    std::filesystem::remove_all(out);
    auto r = test::run({"/usr/bin/python3", (test::source_dir / "tests" / "browser" / "shoot.py").string(),
                        "http://127.0.0.1:" + std::to_string(site.port()), "ada", "a long enough password",
                        out.string(), "/service=service", "/service?service_area=early-help&visit_type=review=small",
                        "/child?case=C-001=child", "/family?family=F-1=family", "/wedid=wedid", "/audit=audit",
                        "/users=users"});
    INFO(r.err);
    REQUIRE(r.code == 0);
    for (const char* view : {"service", "small", "child", "family", "wedid", "audit", "users"}) {
        INFO(std::string(view));
        const std::string desktop = test::read_file(out / (std::string(view) + "-desktop.png"));
        const std::string a4 = test::read_file(out / (std::string(view) + "-a4.png"));
        const std::string pdf = test::read_file(out / (std::string(view) + ".pdf"));
        REQUIRE(desktop.size() > 24);
        REQUIRE(a4.size() > 24);
        auto width = [](const std::string& png) {
            return (static_cast<unsigned char>(png[16]) << 24) | (static_cast<unsigned char>(png[17]) << 16) |
                   (static_cast<unsigned char>(png[18]) << 8) | static_cast<unsigned char>(png[19]);
        };
        CHECK(desktop.substr(1, 3) == "PNG");
        CHECK(width(desktop) == 1280);
        CHECK(width(a4) == 794);
        CHECK(desktop.size() > 20000); // a real page, not a blank one
        CHECK(pdf.rfind("%PDF", 0) == 0);
        CHECK(pdf.find("/MediaBox [0 0 594.95996 841.91998]") != std::string::npos); // A4
    }
}

TEST_CASE("a report session ends after 30 minutes unused or 12 hours in all, and at sign-out; a wrong password finds "
          "no one") {
    TempDir tmp;
    auto s = test::open_collector_store("sqlite:" + (tmp / "c.db").string());
    REQUIRE(reports::add_user(*s, {"ada", "admin", "", ""}, "a long enough password"));
    CHECK_FALSE(reports::add_user(*s, {"x", "admin", "", ""}, "short"));
    CHECK_FALSE(reports::add_user(*s, {"bad name!", "admin", "", ""}, "a long enough password"));
    CHECK_FALSE(reports::add_user(*s, {"y", "owner", "", ""}, "a long enough password"));
    auto who = test::held(reports::check_login(*s, "ada", "not the password"));
    CHECK_FALSE(who);
    who = test::held(reports::check_login(*s, "nobody", "a long enough password"));
    CHECK_FALSE(who);
    who = test::held(reports::check_login(*s, "ada", "a long enough password"));
    REQUIRE(who);
    // Kept only as an Argon2id hash.
    auto rows = test::held(s->query("SELECT password_hash FROM users WHERE name = ?", {"ada"}));
    CHECK(rows.at(0).at(0).rfind("$argon2id$", 0) == 0);

    const std::int64_t t0 = 1'800'000'000;
    auto made = test::held(reports::new_session(*s, *who, t0));
    REQUIRE(made);
    std::optional<reports::Session> found;
    // Used every 29 minutes it stays...
    std::int64_t t = t0;
    for (int i = 0; i < 20; ++i) {
        t += 29 * 60;
        found = test::held(reports::find_session(*s, made->cookie, t));
        REQUIRE(found);
    }
    // ...until 12 hours have passed in all.
    t = t0 + 12 * 3600 + 60;
    found = test::held(reports::find_session(*s, made->cookie, t));
    CHECK_FALSE(found);
    // Left for 31 minutes, it is gone.
    made = test::held(reports::new_session(*s, *who, t0));
    REQUIRE(made);
    found = test::held(reports::find_session(*s, made->cookie, t0 + 31 * 60));
    CHECK_FALSE(found);
    // Signed out, it is gone; the store keeps only the cookie's hash.
    made = test::held(reports::new_session(*s, *who, t0));
    REQUIRE(made);
    rows = test::held(s->query("SELECT id_hash FROM sessions", {}));
    for (const auto& r : rows)
        CHECK(r[0] != made->cookie);
    REQUIRE(reports::end_session(*s, made->cookie));
    found = test::held(reports::find_session(*s, made->cookie, t0 + 60));
    CHECK_FALSE(found);
    // A disabled user's sessions end with them.
    made = test::held(reports::new_session(*s, *who, t0));
    REQUIRE(made);
    CHECK(reports::disable_user(*s, "ada"));
    found = test::held(reports::find_session(*s, made->cookie, t0 + 60));
    CHECK_FALSE(found);
    // A sign-in checked against a password that was changed, or a user disabled, before
    // its session was made gets none.
    REQUIRE(reports::add_user(*s, {"bea", "admin", "", ""}, "the first password"));
    who = test::held(reports::check_login(*s, "bea", "the first password"));
    REQUIRE(who);
    REQUIRE(reports::add_user(*s, {"bea", "admin", "", ""}, "the second password"));
    made = test::held(reports::new_session(*s, *who, t0));
    CHECK_FALSE(made);
    who = test::held(reports::check_login(*s, "bea", "the second password"));
    REQUIRE(who);
    CHECK(reports::disable_user(*s, "bea"));
    made = test::held(reports::new_session(*s, *who, t0));
    CHECK_FALSE(made);
}

TEST_CASE_TEMPLATE("a sign-in whose session is being made while the password changes ends signed out", Kind, SqliteKind,
                   PostgresKind) {
    Kind kind;
    if (!kind.available()) return;
    auto changer = test::open_collector_store(kind.spec());
    auto signer = test::open_collector_store(kind.spec());
    REQUIRE(reports::add_user(*changer, {"ada", "admin", "", ""}, "the first password"));
    const auto who = test::held(reports::check_login(*signer, "ada", "the first password"));
    REQUIRE(who);
    // The change, as add_user makes it, is under way (not yet committed) while the
    // session is made on another connection.
    std::promise<void> changed;
    auto change = std::async(std::launch::async, [&] {
        return changer->transaction([&]() -> collector::Stored<void> {
            if (auto ran = changer->query("UPDATE users SET password_hash = 'replaced' WHERE name = ?", {"ada"}); !ran)
                return ran.problem();
            if (auto ran = changer->query("DELETE FROM sessions WHERE user_name = ?", {"ada"}); !ran)
                return ran.problem();
            changed.set_value();
            std::this_thread::sleep_for(std::chrono::milliseconds(300)); // the session is made meanwhile
            return {};
        });
    });
    changed.get_future().wait();
    const auto made = reports::new_session(*signer, *who, 1'800'000'000);
    CHECK(change.get());
    // SQLite serialises the two (or refuses the stale write: a store error, no session);
    // PostgreSQL waits for the change, then finds the hash gone.
    CHECK_FALSE((made.ok() && made->has_value()));
    const auto rows = test::held(changer->query("SELECT COUNT(*) FROM sessions", {}));
    CHECK(rows.at(0).at(0) == "0");
    if (!made) MESSAGE("the session was refused by the store: " << made.problem().message);
}

TEST_CASE("the report index is kept up to date in the background: arrivals are counted without a page view, a "
          "failure is said and mended, and the page says what is still to be counted") {
    test::SqliteKind kind;
    auto s = test::open_collector_store(kind.spec());
    seed(*s, "");
    std::vector<std::string> told;
    std::mutex told_mu;
    reports::Indexer indexer(kind.spec(),
                             {.min_group = 5, .every = std::chrono::milliseconds(50), .say = [&](const std::string& w) {
                                  std::lock_guard lock(told_mu);
                                  told.push_back(w);
                              }});
    // What was stored before it started is counted with no page view at all.
    REQUIRE(indexer.wait_caught_up(std::chrono::seconds(30)));
    auto st = indexer.status();
    CHECK(st.problem.empty());
    CHECK(st.waiting == 0);
    auto indexed = [&] { return test::held(s->query("SELECT COUNT(*) FROM report_responses", {}))[0][0]; };
    CHECK(indexed() == "12");

    // A failure (the index's mark can't be read) is said once, and the
    // status carries it while it lasts; arrivals meanwhile wait, and are
    // counted once it is mended.
    REQUIRE(s->script("ALTER TABLE report_state RENAME TO report_state_away"));
    REQUIRE(s->insert("tab-eh",
                      {make("b6", "E-006", "SW-2", "review", "2026-11-11", "complete", false, {listened("happy")})}));
    indexer.wake();
    test::eventually("the indexer to fail", [&] { return !indexer.status().problem.empty(); });
    CHECK(indexer.status().problem.find("report_state") != std::string::npos);
    CHECK_FALSE(indexer.wait_caught_up(std::chrono::milliseconds(300)));
    CHECK(indexed() == "12");
    REQUIRE(s->script("ALTER TABLE report_state_away RENAME TO report_state"));
    REQUIRE(indexer.wait_caught_up(std::chrono::seconds(30)));
    CHECK(indexer.status().problem.empty());
    CHECK(indexed() == "13");
    {
        std::lock_guard lock(told_mu);
        const auto failures = std::count_if(told.begin(), told.end(), [](const std::string& w) {
            return w.rfind("can't add new responses to the reports", 0) == 0;
        });
        CHECK(failures == 1); // said once, not once a run
        CHECK(std::find(told.begin(), told.end(), "new responses are being added to the reports again") != told.end());
        CHECK(std::find(told.begin(), told.end(), "1 new response(s) indexed for reports") != told.end());
    }

    // The service page says what the index has still to count, and why it can't.
    const reports::Session session{"", "csrf", admin};
    const auto view = test::held(reports::service_view(*s, admin, {}, reports::Protection(5), {}));
    const std::string waiting = reports::service_page(session, {}, view, {}, "", {.waiting = 3});
    CHECK(waiting.find("3 responses that arrived are still being added to these figures") != std::string::npos);
    const std::string failing = reports::service_page(session, {}, view, {}, "", {.problem = "the disk is full"});
    CHECK(failing.find("New responses can't be added to these figures just now: the disk is full") !=
          std::string::npos);
    const std::string quiet = reports::service_page(session, {}, view, {}, "", {});
    CHECK(quiet.find("data-k=\"counting") == std::string::npos);

    // A store it can't open: it says so, and keeps trying.
    reports::Indexer nowhere("sqlite:" + (kind.tmp / "no such folder" / "c.db").string(),
                             {.every = std::chrono::milliseconds(20)});
    test::eventually("the indexer to say it can't open the store",
                     [&] { return nowhere.status().problem.find("can't be opened") != std::string::npos; });
    const auto runs = nowhere.status().runs;
    test::eventually("it to try again", [&] { return nowhere.status().runs > runs + 1; });
    CHECK_FALSE(nowhere.wait_caught_up(std::chrono::milliseconds(100)));
}

TEST_CASE("a child's drawing in the reports: on the case page beside their words for whoever may see it, opened from "
          "its seal, refused to anyone else, and audited") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto keys = (tmp / "keys.json").string();
    auto key = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys, "--id", "k1"});
    REQUIRE(key.code == 0);
    const std::string pk = nlohmann::json::parse(key.out)["public_key"];
    const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "THE-DRAWING-BYTES";
    {
        auto s = test::open_collector_store(store);
        seed(*s, pk);
        auto r = make("d1", "C-777", "SW-1", "visit", "2026-11-20", "complete", false, {words("My words")}, pk);
        collector::Answer drawn;
        drawn.question_id = "my-picture";
        drawn.position = 1;
        drawn.kind = "draw";
        drawn.answered_at = "2026-11-20T10:02:00.000Z";
        drawn.sealed = test::seal_answer(pk, false, {}, "");
        drawn.seal_key = "k1";
        drawn.clip_type = "image/png";
        drawn.clip = test::seal(pk, png);
        r.answers.push_back(drawn);
        REQUIRE(s->insert("tab-cic", {r}));
    }
    add_user(store, {"sam", "--role", "practitioner", "--code", "SW-1"});
    add_user(store, {"pat", "--role", "practitioner", "--code", "SW-2"});
    add_user(store, {"ada", "--role", "admin"});
    test::CollectorProcess site(store, {"--keys", keys, "--packs", (test::source_dir / "surveys").string()}, "reports");
    const std::string url = "/drawing?response=d1&q=my-picture";
    CHECK(Browser(site.port()).get(url)->status == 303); // signed out: sign in first

    Browser sam(site.port());
    REQUIRE(sam.sign_in("sam", "a long enough password") == 303);
    std::string page;
    test::eventually("the case page to show the response", [&] {
        auto r = sam.get("/child?case=C-777");
        page = r ? r->body : "";
        return r && r->status == 200 && page.find("data-response=\"d1\"") != std::string::npos;
    });
    CHECK(page.find("My words") != std::string::npos);
    CHECK(page.find("<img class=\"drawing\" data-k=\"drawing\" alt=\"The child's drawing\" "
                    "src=\"/drawing?response=d1&amp;q=my-picture\">") != std::string::npos);
    auto picture = sam.get(url);
    REQUIRE(picture);
    CHECK(picture->status == 200);
    CHECK(picture->get_header_value("Content-Type") == "image/png");
    CHECK(picture->get_header_value("Cache-Control") == "no-store");
    CHECK(picture->body == png);
    // Another practitioner's case: refused, as the case is.
    Browser pat(site.port());
    REQUIRE(pat.sign_in("pat", "a long enough password") == 303);
    CHECK(pat.get(url)->status == 403);
    CHECK(pat.get("/drawing?response=d1&q=listened")->status == 403);
    CHECK(sam.get("/drawing?response=d1&q=anything-else")->status == 404); // words, not a drawing
    CHECK(sam.get("/drawing?response=nothing&q=my-picture")->status == 403);
    Browser ada(site.port());
    REQUIRE(ada.sign_in("ada", "a long enough password") == 303);
    CHECK(ada.get("/drawing?response=nothing&q=my-picture")->status == 404);
    auto audit = ada.get("/audit");
    REQUIRE(audit);
    CHECK(audit->body.find("<td>viewed</td><td>/drawing?response=d1&amp;q=my-picture</td><td>by sam (practitioner)") !=
          std::string::npos);
    CHECK(audit->body.find("<td>denied</td><td>/drawing?response=d1&amp;q=my-picture</td><td>by pat (practitioner)") !=
          std::string::npos);
}

TEST_CASE("a child's recording in the reports: an audio element on the case page for whoever may see it, opened from "
          "its seal, refused to anyone else, audited, and played by Chromium to its full length") {
    TempDir tmp;
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    const auto keys = (tmp / "keys.json").string();
    auto key = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys, "--id", "k1"});
    REQUIRE(key.code == 0);
    const std::string pk = nlohmann::json::parse(key.out)["public_key"];
    // Three seconds, recorded as the kiosk records.
    const auto said = test::voice_like(3.0);
    recording::Take take(10);
    take.add(said.data(), said.size());
    take.stop();
    REQUIRE(take.ogg());
    const std::string ogg = *take.ogg();
    {
        auto s = test::open_collector_store(store);
        seed(*s, pk);
        auto r = make("d1", "C-777", "SW-1", "visit", "2026-11-20", "complete", false, {words("My words")}, pk);
        collector::Answer spoken;
        spoken.question_id = "my-voice";
        spoken.position = 1;
        spoken.kind = "voice";
        spoken.answered_at = "2026-11-20T10:02:00.000Z";
        spoken.sealed = test::seal_answer(pk, false, {}, "");
        spoken.seal_key = "k1";
        spoken.clip_type = "audio/ogg";
        spoken.clip = test::seal(pk, ogg);
        r.answers.push_back(spoken);
        REQUIRE(s->insert("tab-cic", {r}));
    }
    add_user(store, {"sam", "--role", "practitioner", "--code", "SW-1"});
    add_user(store, {"pat", "--role", "practitioner", "--code", "SW-2"});
    add_user(store, {"ada", "--role", "admin"});
    test::CollectorProcess site(store, {"--keys", keys, "--packs", (test::source_dir / "surveys").string()}, "reports");
    const std::string url = "/recording?response=d1&q=my-voice";
    CHECK(Browser(site.port()).get(url)->status == 303); // signed out: sign in first

    Browser sam(site.port());
    REQUIRE(sam.sign_in("sam", "a long enough password") == 303);
    std::string page;
    test::eventually("the case page to show the response", [&] {
        auto r = sam.get("/child?case=C-777");
        page = r ? r->body : "";
        return r && r->status == 200 && page.find("data-response=\"d1\"") != std::string::npos;
    });
    CHECK(page.find("<audio class=\"recording\" data-k=\"recording\" controls controlslist=\"nodownload\" "
                    "preload=\"metadata\" src=\"/recording?response=d1&amp;q=my-voice\">") != std::string::npos);
    auto heard = sam.get(url);
    REQUIRE(heard);
    CHECK(heard->status == 200);
    CHECK(heard->get_header_value("Content-Type") == "audio/ogg");
    CHECK(heard->get_header_value("Cache-Control") == "no-store");
    CHECK(heard->body == ogg);
    CHECK(sam.get("/drawing?response=d1&q=my-voice")->status == 404); // a recording is not a drawing
    CHECK(heard->get_header_value("Content-Security-Policy").find("media-src 'self'") != std::string::npos);
    // In parts, as an audio element asks: each part served, a look by the same reader audited once.
    httplib::Headers part_of = {{"Range", "bytes=0-99"}};
    auto part = sam.get(url, part_of);
    REQUIRE(part);
    CHECK(part->status == 206);
    CHECK(part->body == ogg.substr(0, 100));
    CHECK(part->get_header_value("Content-Range") == "bytes 0-99/" + std::to_string(ogg.size()));
    CHECK(sam.get(url, {{"Range", "bytes=" + std::to_string(ogg.size()) + "-"}})->status == 416);
    Browser pat(site.port());
    REQUIRE(pat.sign_in("pat", "a long enough password") == 303);
    CHECK(pat.get(url)->status == 403);
    CHECK(pat.get(url, {{"Range", "bytes=1-"}})->status == 403);
    Browser ada(site.port());
    REQUIRE(ada.sign_in("ada", "a long enough password") == 303);
    // All but the first byte is still a look, and audited.
    auto rest = ada.get(url, {{"Range", "bytes=1-"}});
    REQUIRE(rest);
    CHECK(rest->status == 206);
    CHECK(rest->body == ogg.substr(1));
    auto audit = ada.get("/audit");
    REQUIRE(audit);
    auto count = [&](const std::string& s) {
        std::size_t n = 0;
        for (auto at = audit->body.find(s); at != std::string::npos; at = audit->body.find(s, at + 1))
            ++n;
        return n;
    };
    CHECK(count("<td>viewed</td><td>/recording?response=d1&amp;q=my-voice</td><td>by sam (practitioner)") == 1);
    CHECK(count("<td>viewed</td><td>/recording?response=d1&amp;q=my-voice</td><td>by ada (admin)") == 1);
    CHECK(audit->body.find("<td>viewed</td><td>/recording?response=d1&amp;q=my-voice</td><td>by sam (practitioner)") !=
          std::string::npos);
    CHECK(audit->body.find("<td>denied</td><td>/recording?response=d1&amp;q=my-voice</td><td>by pat (practitioner)") !=
          std::string::npos);

    // In Chromium, signed in as sam: the page's audio element loads the recording and knows its length.
    const auto out = std::filesystem::path(SAYSO_SHOTS_DIR) / "reports-recording";
    std::filesystem::remove_all(out);
    auto r = test::run({"/usr/bin/python3", (test::source_dir / "tests" / "browser" / "shoot.py").string(),
                        "http://127.0.0.1:" + std::to_string(site.port()), "sam", "a long enough password",
                        out.string(), "/child?case=C-777=child"});
    INFO(r.err);
    INFO(r.out);
    REQUIRE(r.code == 0);
    const std::string prefix = "audio /recording?response=d1&q=my-voice ";
    const auto at = r.out.find(prefix);
    REQUIRE(at != std::string::npos);
    const double seconds = std::strtod(r.out.c_str() + at + prefix.size(), nullptr);
    CHECK(seconds == doctest::Approx(3.0).epsilon(0.02));
}

TEST_CASE_TEMPLATE("a family's page shows the brothers and sisters who answered in the same visit without a case "
                   "reference, to whoever may see them",
                   Kind, SqliteKind, PostgresKind) {
    Kind kind;
    if (!kind.available()) return;
    auto s = test::open_collector_store(kind.spec());
    seed(*s, "");
    const std::string visit(32, 'a'), other(32, 'b');
    auto older = make("v1", "C-901", "SW-1", "visit", "2026-11-20", "complete", false, {words("OLDER-WORDS")});
    older.visit_id = visit;
    auto sibling = make("v2", "", "SW-1", "visit", "2026-11-20", "complete", false, {words("SIBLING-WORDS")});
    sibling.visit_id = visit;
    auto stranger = make("v3", "", "SW-1", "visit", "2026-11-20", "complete", false, {words("STRANGER-WORDS")});
    stranger.visit_id = other;
    auto before = make("v4", "C-902", "SW-1", "visit", "2026-11-21", "complete", false, {words("NO-VISIT")});
    // One with another practitioner's code: not that practitioner's to read.
    auto theirs = make("v5", "", "SW-7", "visit", "2026-11-20", "complete", false, {words("OTHER-CODE")});
    theirs.visit_id = visit;
    REQUIRE(s->insert("tab-cic", {older, sibling, stranger, before, theirs}));
    // Read back as delivered.
    std::map<std::string, std::string> visits;
    REQUIRE(s->for_each([&](const std::string&, const collector::Response& r) {
        visits[r.id] = r.visit_id;
        return true;
    }));
    CHECK(visits["v1"] == visit);
    CHECK(visits["v3"] == other);
    CHECK(visits["v4"].empty());
    test::held(reports::index_new(*s, {}));
    REQUIRE(reports::set_family(*s, "C-901", "F-9"));
    REQUIRE(reports::set_family(*s, "C-902", "F-9"));

    const auto family = test::held(reports::family_view(*s, admin, "F-9", {}));
    CHECK(family.responses.size() == 2);
    REQUIRE(family.siblings.size() == 2);
    CHECK(family.siblings[0].id != family.siblings[1].id);
    const auto mine = test::held(reports::family_view(*s, sw1, "F-9", {}));
    CHECK(mine.access == reports::Access::Allowed);
    REQUIRE(mine.siblings.size() == 1);
    CHECK(mine.siblings[0].id == "v2");
    CHECK(mine.siblings[0].visit_id == visit);
    CHECK(family.siblings[0].visit_id == visit);
    const std::string page = reports::family_page(reports::Session{"", "t", admin}, reports::Vocabulary{}, "F-9",
                                                  family.cases, family.responses, family.access, family.siblings);
    CHECK(page.find("data-siblings=\"2\"") != std::string::npos);
    CHECK(page.find("SIBLING-WORDS") != std::string::npos);
    CHECK(page.find("STRANGER-WORDS") == std::string::npos);
    // Another area's manager sees neither the family nor the sibling.
    const auto elsewhere = test::held(reports::family_view(*s, eh_manager, "F-9", {}));
    CHECK(elsewhere.access == reports::Access::Denied);
    CHECK(elsewhere.siblings.empty());
}
