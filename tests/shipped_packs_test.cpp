// Every shipped pack in the reports: answers to each pack in surveys/, kept
// on a tablet's answers file and delivered by the real client to a real
// collector over loopback, then counted in every view of the service page,
// per pack and across the packs that share measures. Each expected figure is
// worked out here from the packs' own JSON (their tones as written), not from
// the code that counts them.
#include "client.hpp"
#include "collector_process.hpp"
#include "collector_store.hpp"
#include "config.hpp"
#include "delivery_support.hpp"
#include "index.hpp"
#include "open_store.hpp"
#include "pages.hpp"
#include "render.hpp"
#include "storage/store.hpp"
#include "support.hpp"
#include "views.hpp"
#include "vocabulary.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <set>

using namespace sayso;
using test::TempDir;
namespace reports = sayso::collector::reports;

namespace {

// One answer as the reports should count it.
struct Counted {
    std::string pack, area, band, visit, month, child, measure;
    std::optional<int> tone;
    bool skipped = false;
};

struct Expected {
    std::set<std::string> children;
    std::int64_t answers = 0, positive = 0, middling = 0, negative = 0, skipped = 0, other = 0;
};

// How each answer of a pack reads, from its pack.json as written: the
// kiosk's faces and yes/no (or the pack's own "tones" for them), and each
// pick_one answer's "tone".
struct Tones {
    std::map<std::string, std::map<std::string, int>> kinds = {
        {"faces", {{"very_sad", -1}, {"sad", -1}, {"ok", 0}, {"happy", 1}, {"very_happy", 1}}},
        {"yes_no", {{"no", -1}, {"not_sure", 0}, {"yes", 1}}}};
    std::map<std::string, std::optional<int>> pick_one; // "band/question/option"
};

std::optional<int> tone_word(const std::string& w) {
    if (w == "positive") return 1;
    if (w == "middling") return 0;
    if (w == "negative") return -1;
    return std::nullopt;
}

Tones tones_of(const nlohmann::json& j) {
    Tones t;
    if (j.contains("tones"))
        for (const auto& [kind, answers] : j["tones"].items()) {
            t.kinds[kind].clear();
            for (const auto& [answer, word] : answers.items())
                if (auto v = tone_word(word.get<std::string>())) t.kinds[kind][answer] = *v;
        }
    for (const auto& b : j["bands"])
        for (const auto& q : b["questions"])
            if (q["kind"] == "pick_one")
                for (const auto& o : q["options"])
                    t.pick_one[b["id"].get<std::string>() + "/" + q["id"].get<std::string>() + "/" +
                               o["id"].get<std::string>()] = tone_word(o.value("tone", std::string("none")));
    return t;
}

// The answers of a kind the kiosk draws itself, in its order.
std::vector<std::string> options_of(const nlohmann::json& q) {
    const std::string kind = q["kind"];
    if (kind == "faces")
        return q.value("scale", 5) == 3 ? std::vector<std::string>{"sad", "ok", "happy"}
                                        : std::vector<std::string>{"very_sad", "sad", "ok", "happy", "very_happy"};
    if (kind == "yes_no") return {"yes", "not_sure", "no"};
    std::vector<std::string> out;
    for (const auto& o : q.value("options", nlohmann::json::array()))
        out.push_back(o["id"]);
    return out;
}

std::int64_t ms_at(int year, int month, int day, int hour) {
    std::tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    return static_cast<std::int64_t>(timegm(&t)) * 1000;
}

// Runs the tablet's client until its outbox is empty (at most a minute).
void deliver(const std::filesystem::path& db, const sync::Config& c) {
    const sync::Status s = test::drain(db, c);
    const std::string why = "the tablet could not deliver: " + sync::describe(s.problem);
    REQUIRE_MESSAGE(s.waiting == 0, why);
}

void check_same(const reports::Figure& got, const Expected& want) {
    REQUIRE(want.children.size() >= 5); // the data set is made so every figure here is shown
    CHECK_FALSE(got.suppressed);
    CHECK(got.children == static_cast<std::int64_t>(want.children.size()));
    CHECK(got.answers == want.answers);
    CHECK(got.positive == want.positive);
    CHECK(got.middling == want.middling);
    CHECK(got.negative == want.negative);
    CHECK(got.skipped == want.skipped);
    CHECK(got.other == want.other);
}

// Every answer `keep` takes, added up by `key` and measure.
template <class Keep, class Key>
std::map<std::string, std::map<std::string, Expected>> expect(const std::vector<Counted>& all, Keep keep, Key key) {
    std::map<std::string, std::map<std::string, Expected>> out;
    for (const auto& c : all) {
        if (!keep(c)) continue;
        Expected& e = out[key(c)][c.measure];
        e.children.insert(c.child);
        ++e.answers;
        if (c.skipped)
            ++e.skipped;
        else if (!c.tone)
            ++e.other;
        else
            ++(*c.tone > 0 ? e.positive : *c.tone == 0 ? e.middling : e.negative);
    }
    return out;
}

const reports::Reader admin{"ada", "admin", "", ""};

} // namespace

TEST_CASE("every shipped pack's answers, delivered by a tablet, count exactly in every view, per pack and across packs "
          "sharing measures") {
    TempDir tmp;
    const auto surveys = test::source_dir / "surveys";
    const std::string store = "sqlite:" + (tmp / "c.db").string();
    test::CollectorProcess collector(store, {"--packs", surveys.string()});

    // Each pack on its own tablet, in its own service area; 10 children a
    // band, half in October and half in November. The children of the
    // child protection pack are the bundled pack's 12-17 children, who
    // answered both: they are counted once wherever the two add up.
    const std::map<std::string, std::string> area_of = {{"after-my-visit", "children-in-care"},
                                                        {"child-protection-and-me", "child-protection"},
                                                        {"how-was-it", "early-help"}};
    std::vector<std::string> shipped;
    for (const auto& entry : std::filesystem::directory_iterator(surveys))
        if (std::filesystem::exists(entry.path() / "pack.json")) shipped.push_back(entry.path().filename().string());
    std::sort(shipped.begin(), shipped.end());
    REQUIRE(shipped == std::vector<std::string>{"after-my-visit", "child-protection-and-me", "how-was-it"});

    std::vector<Counted> counted;
    std::map<std::string, std::set<std::string>> measures_of; // pack -> measures its answers are filed under
    std::map<std::string, std::string> version_of;
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> statements_of; // pack -> its measures
    std::int64_t responses = 0, complete = 0;
    std::set<std::string> children;
    for (const auto& id : shipped) {
        const auto j = nlohmann::json::parse(test::read_file(surveys / id / "pack.json"));
        const Tones tones = tones_of(j);
        version_of[id] = j["version"];
        for (const auto& m : j["measures"])
            statements_of[id].push_back({m["id"], m["statement"]["en"]});
        const std::string area = area_of.at(id);
        const auto db = tmp / (id + ".db");
        {
            auto kiosk = test::open_store(db);
            int bi = 0;
            for (const auto& b : j["bands"]) {
                const std::string band = b["id"];
                const std::string visit =
                    j["visit_types"][static_cast<std::size_t>(bi) % j["visit_types"].size()]["id"];
                for (int c = 0; c < 10; ++c) {
                    const std::string child = id == "child-protection-and-me"
                                                  ? "C-after-my-visit-12-17-" + std::to_string(c)
                                                  : "C-" + id + "-" + band + "-" + std::to_string(c);
                    const bool october = c % 2 == 1;
                    const std::string month = october ? "2026-10" : "2026-11";
                    flow::ResponseStart st{flow::random_id(),
                                           id,
                                           j["version"],
                                           band,
                                           visit,
                                           j["languages"][0],
                                           ms_at(2026, october ? 10 : 11, 5 + c, 10),
                                           "SW-" + std::to_string(c % 2),
                                           child};
                    REQUIRE(kiosk->begin(st));
                    int qi = 0;
                    for (const auto& q : b["questions"]) {
                        flow::AnswerRecord a;
                        a.question_id = q["id"];
                        a.position = qi;
                        a.kind = q["kind"];
                        a.measure = q.value("measure", std::string());
                        a.answered_at_ms = st.started_at_ms + 1000 * (qi + 1);
                        const auto opts = options_of(q);
                        // A drawing or a recording counts in no figure (its delivery and reports are tested with
                        // real clips elsewhere): here the children skip them.
                        a.skipped = (c + qi) % 7 == 6 || a.kind == "draw" || a.kind == "voice";
                        if (!a.skipped) {
                            if (a.kind == "text")
                                a.text = "Words from child " + std::to_string(c) + " of " + id + " " + band;
                            else if (a.kind == "pick_many")
                                a.options = {opts[static_cast<std::size_t>(c) % opts.size()],
                                             opts[static_cast<std::size_t>(c + 1) % opts.size()]};
                            else
                                a.options = {opts[static_cast<std::size_t>(c + qi) % opts.size()]};
                        }
                        REQUIRE(kiosk->record(st.id, a));
                        if (!a.measure.empty()) {
                            std::optional<int> tone;
                            if (!a.skipped && a.kind == "pick_one")
                                tone = tones.pick_one.at(band + "/" + a.question_id + "/" + a.options[0]);
                            else if (!a.skipped && tones.kinds.count(a.kind) &&
                                     tones.kinds.at(a.kind).count(a.options[0]))
                                tone = tones.kinds.at(a.kind).at(a.options[0]);
                            counted.push_back({id, area, band, visit, month, child, a.measure, tone, a.skipped});
                            measures_of[id].insert(a.measure);
                        }
                        ++qi;
                    }
                    const bool done = c != 9;
                    REQUIRE(kiosk->finish(st.id, done ? flow::Completion::Complete : flow::Completion::Incomplete,
                                          st.started_at_ms + 120'000));
                    ++responses;
                    complete += done;
                    children.insert(child);
                }
                ++bi;
            }
        }
        auto token = test::run({SAYSO_COLLECTOR, "token", "add", "tab-" + id, "--store", store, "--service", area});
        REQUIRE(token.code == 0);
        deliver(db, test::quick_delivery(collector.url(), token.out.substr(0, token.out.find('\n'))));
    }
    REQUIRE(test::exported_ids(store).size() == static_cast<std::size_t>(responses));
    CHECK(responses == 70);
    // Two pairs of packs share a measure: the bundled pack's "involved" with
    // the child protection pack, and its "explained" with "How was it for you?".
    CHECK(measures_of["after-my-visit"].count("involved"));
    CHECK(measures_of["child-protection-and-me"].count("involved"));
    CHECK(measures_of["after-my-visit"].count("explained"));
    CHECK(measures_of["how-was-it"].count("explained"));

    std::vector<std::string> problems;
    const reports::Vocabulary words(reports::load_pack_versions(surveys, problems));
    CHECK(problems.empty());
    auto s = test::open_collector_store(store);
    REQUIRE(test::held(reports::index_new(*s, {}, words)).responses == responses);

    const auto one = [](const Counted&) { return std::string("all"); };
    // The whole service, then each pack's own area alone.
    std::vector<std::pair<std::string, std::string>> scopes = {{"", ""}};
    for (const auto& id : shipped)
        scopes.push_back({id, area_of.at(id)});
    for (const auto& [pack, area] : scopes) {
        CAPTURE(pack);
        const auto in = [&, area = area](const Counted& c) { return area.empty() || c.area == area; };
        for (const std::string by : {"band", "visit_type", "month"}) {
            CAPTURE(by);
            reports::Filters f;
            f.service_area = area;
            f.by = by;
            const auto v = test::held(reports::service_view(*s, admin, f, reports::Protection::unrounded(), {}));
            // Each measure, over the scope.
            const auto want = expect(counted, in, one)["all"];
            std::set<std::string> got_ids;
            for (const auto& m : v.measures) {
                CAPTURE(m.measure);
                got_ids.insert(m.measure);
                REQUIRE(want.count(m.measure));
                check_same(m.figure, want.at(m.measure));
                // Where its answers came from: the packs whose answers were filed under it.
                std::vector<reports::PackVersion> from;
                for (const auto& id : shipped)
                    if ((pack.empty() || pack == id) && measures_of[id].count(m.measure))
                        from.push_back({id, version_of[id]});
                CHECK(v.sources.at(m.measure) == from);
            }
            std::set<std::string> want_ids;
            for (const auto& [m, e] : want)
                want_ids.insert(m);
            CHECK(got_ids == want_ids);
            // The breakdown and the months.
            const auto groups = expect(counted, in, [&](const Counted& c) {
                return by == "band" ? c.band : by == "visit_type" ? c.visit : c.month;
            });
            std::vector<std::string> group_ids;
            for (const auto& [g, ms] : groups)
                group_ids.push_back(g);
            CHECK(v.groups == group_ids);
            for (const auto& [g, ms] : groups)
                for (const auto& [m, e] : ms) {
                    CAPTURE(g);
                    CAPTURE(m);
                    REQUIRE(v.breakdown.count(g));
                    REQUIRE(v.breakdown.at(g).count(m));
                    check_same(v.breakdown.at(g).at(m), e);
                }
            const auto months = expect(counted, in, [](const Counted& c) { return c.month; });
            CHECK(v.months == std::vector<std::string>{"2026-10", "2026-11"});
            for (const auto& [mo, ms] : months)
                for (const auto& [m, e] : ms) {
                    CAPTURE(mo);
                    CAPTURE(m);
                    check_same(v.trend.at(m).at(mo), e);
                }
            // Responses and children.
            CHECK(v.counts.responses == (pack.empty()               ? responses
                                         : pack == "after-my-visit" ? 40
                                         : pack == "how-was-it"     ? 20
                                                                    : 10));
            if (pack.empty()) {
                CHECK(v.counts.children == static_cast<std::int64_t>(children.size()));
                CHECK(v.counts.children == 60); // 70 responses; 10 children answered two packs
                CHECK(v.counts.complete == complete);
            }

            // The page names everything in the packs' words, in the packs' order.
            if (by != "band") continue;
            const reports::Session session{"", "t", admin};
            const std::string page = reports::service_page(session, words, v, f, "");
            // The order: the packs' JSON, by pack id, each measure where it is first declared.
            std::vector<std::pair<std::string, std::string>> order; // id, statement
            for (const auto& id : shipped) {
                if (!pack.empty() && pack != id) continue;
                for (const auto& m : statements_of[id])
                    if (std::none_of(order.begin(), order.end(), [&](const auto& o) { return o.first == m.first; }))
                        order.push_back(m);
            }
            REQUIRE(order.size() == want.size());
            std::size_t last = 0;
            for (const auto& [mid, statement] : order) {
                const auto at = page.find("<td>" + reports::esc(statement) + "<div class=\"from\"");
                CAPTURE(statement);
                REQUIRE(at != std::string::npos);
                CHECK(at > last); // in the packs' order
                last = at;
                CHECK(page.find(">" + mid + "<") == std::string::npos); // never by its id
            }
            for (const auto& b : words.bands())
                if (groups.count(b.id)) CHECK(page.find("<td>" + reports::esc(b.name) + "</td>") != std::string::npos);
        }
    }

    // One child who answered two packs: both responses, each with its own pack's questions.
    const auto child = test::held(reports::child_view(*s, admin, {"C-after-my-visit-12-17-0"}, {}));
    REQUIRE(child.responses.size() == 2);
    const reports::Session session{"", "t", admin};
    const std::string page =
        reports::child_page(session, words, "C-after-my-visit-12-17-0", child.responses, reports::Access::Allowed);
    CHECK(page.find("Since you started getting help, do you feel") != std::string::npos);
    CHECK(page.find("How well are you listened to?") != std::string::npos);
    CHECK(page.find("Child protection conference") == std::string::npos); // its visit was a home visit
    CHECK(page.find("Home visit") != std::string::npos);
    // Each response says which survey the child was given.
    CHECK(page.find("<span data-k=\"pack\">Child protection and me</span>") != std::string::npos);
    CHECK(page.find("<span data-k=\"pack\">After my visit</span>") != std::string::npos);

    // The service view of each pack, and of all three, in Chromium at desktop size and on A4.
    auto user = test::run({SAYSO_COLLECTOR, "user", "add", "ada", "--role", "admin", "--store", store}, {},
                          "a long enough password\na long enough password\n");
    REQUIRE(user.code == 0);
    test::CollectorProcess site(
        store, {"--packs", surveys.string(), "--assets", (test::source_dir / "assets").string()}, "reports");
    const auto out = std::filesystem::path(SAYSO_SHOTS_DIR) / "reports-packs";
    std::filesystem::remove_all(out);
    std::vector<std::string> args = {"/usr/bin/python3",
                                     (test::source_dir / "tests" / "browser" / "shoot.py").string(),
                                     "http://127.0.0.1:" + std::to_string(site.port()),
                                     "ada",
                                     "a long enough password",
                                     out.string(),
                                     "/service=all-packs"};
    for (const auto& id : shipped)
        args.push_back("/service?service_area=" + area_of.at(id) + "=" + id);
    auto shot = test::run(args);
    INFO(shot.err);
    REQUIRE(shot.code == 0);
    for (const auto& id : std::vector<std::string>{"all-packs", shipped[0], shipped[1], shipped[2]}) {
        CAPTURE(id);
        CHECK(test::read_file(out / (id + "-desktop.png")).size() > 20000);
        CHECK(test::read_file(out / (id + "-a4.png")).size() > 20000);
    }
}
