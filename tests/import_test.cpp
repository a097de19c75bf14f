// sayso-admin import: SurveyJS surveys written for the test (tests/data/surveyjs),
// turned into draft packs by the real command, every mapped and unmapped case
// checked, and the pack loaded as a kiosk loads it.
#include "pack/pack.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sstream>

using test::TempDir;

namespace {

const std::filesystem::path surveys = test::source_dir / "tests" / "data" / "surveyjs";

// The lines of `out` that name a place in `file`, without the file's name.
std::vector<std::string> notes_about(const std::string& out, const std::filesystem::path& file) {
    std::vector<std::string> notes;
    std::istringstream in(out);
    const std::string head = file.string() + ":";
    for (std::string line; std::getline(in, line);)
        if (line.rfind(head, 0) == 0) notes.push_back(line.substr(head.size()));
    return notes;
}

const nlohmann::json* question(const nlohmann::json& pack, const std::string& id) {
    for (const auto& q : pack["bands"][0]["questions"])
        if (q["id"] == id) return &q;
    return nullptr;
}

} // namespace

TEST_CASE("a SurveyJS survey in two locales becomes a draft pack: each kind mapped, every title in both languages") {
    TempDir tmp;
    const auto file = surveys / "after-the-meeting.json";
    const auto out = tmp / "after-the-meeting";
    auto r = test::run({SAYSO_ADMIN, "import", file.string(), "--out", out.string(), "--ages", "11-17"});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    CHECK(notes_about(r.out, file) ==
          std::vector<std::string>{
              "$.pages[1].elements[3].elements[0]: rating \"How much did it help (0-10)\": a rating of 11 steps "
              "becomes 5 faces",
              "$.pages[1].elements[3].elements[1]: rating \"next-time\": a rating with its own values becomes a "
              "pick-one of them"});
    CHECK(r.err.find("draft pack \"after-the-meeting\" written") != std::string::npos);

    const auto j = nlohmann::json::parse(test::read_file(out / "pack.json"));
    CHECK(j["id"] == "after-the-meeting");
    CHECK(j["languages"] == nlohmann::json{"en", "pl"});
    CHECK(j["drafts"] == nlohmann::json{"pl"}); // the kiosk words taken from the bundled pack are drafts in Polish
    CHECK(j["title"] == nlohmann::json{{"en", "After the meeting"}, {"pl", "Po spotkaniu"}});
    const auto& band = j["bands"][0];
    CHECK(band["id"] == "11-17");
    CHECK(band["min_age"] == 11);
    CHECK(band["max_age"] == 17);
    std::vector<std::string> kinds;
    for (const auto& q : band["questions"])
        kinds.push_back(q["id"].get<std::string>() + ":" + q["kind"].get<std::string>());
    CHECK(kinds == std::vector<std::string>{"listened:faces", "felt-ok:faces", "knew-why:yes_no", "who-spoke:pick_one",
                                            "helped:pick_many", "where:pick_one", "how-much-did-it-help-0-10:faces",
                                            "next-time:pick_one", "anything-else:text", "one-word:text"});
    CHECK((*question(j, "listened"))["scale"] == 5);
    CHECK((*question(j, "felt-ok"))["scale"] == 3);
    CHECK((*question(j, "how-much-did-it-help-0-10"))["scale"] == 5);
    CHECK((*question(j, "listened"))["text"] ==
          nlohmann::json{{"en", "How well were you listened to?"}, {"pl", "Jak dobrze Cię słuchano?"}});
    const auto& who = (*question(j, "who-spoke"))["options"];
    REQUIRE(who.size() == 3);
    CHECK(who[0] == nlohmann::json{{"id", "me"}, {"label", {{"en", "I did"}, {"pl", "Ja"}}}});
    CHECK(who[2]["id"] == "advocate");
    CHECK((*question(j, "where"))["options"][1] == nlohmann::json{{"id", "home"}, {"label", {{"en", "Home"}}}});
    CHECK((*question(j, "next-time"))["options"][1] ==
          nlohmann::json{{"id", "2"}, {"label", {{"en", "Maybe"}, {"pl", "Może"}}}});
    CHECK((*question(j, "anything-else"))["max_length"] == 400);
    CHECK((*question(j, "helped"))["options"].size() == 3);

    // The pack loads as a kiosk loads it.
    const auto loaded = sayso::pack::load_pack(out);
    REQUIRE(loaded.ok());
    CHECK(loaded.pack->bands[0].questions.size() == 10);
    CHECK(loaded.pack->drafts.count("pl"));
    CHECK(std::filesystem::file_size(out / "pictures" / "band.png") > 1000);
}

TEST_CASE("what a SurveyJS survey asks that the kiosk can't is listed by its path, and the rest still makes a pack") {
    TempDir tmp;
    const auto file = surveys / "unmapped.json";
    const auto out = tmp / "everything";
    auto r = test::run({SAYSO_ADMIN, "import", file.string(), "--out", out.string()});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    const std::string left = ": the kiosk has no kind of question like it; left out";
    const std::string shown = ": shown, not asked; the kiosk has no such screen; left out";
    CHECK(notes_about(r.out, file) ==
          std::vector<std::string>{
              "$.elements[0]: html \"intro\"" + shown, "$.elements[1]: image \"logo\"" + shown,
              "$.elements[2]: matrix \"grid\"" + left, "$.elements[3]: ranking \"order\"" + left,
              "$.elements[4]: file \"upload\"" + left, "$.elements[5]: signaturepad \"sign\"" + left,
              "$.elements[6]: multipletext \"contacts\"" + left, "$.elements[7]: imagepicker \"pet\"" + left,
              "$.elements[8]: paneldynamic \"siblings\"" + left, "$.elements[9]: expression \"total\"" + shown,
              "$.elements[10].isRequired: radiogroup \"school\": asked, but not required: a child may skip any "
              "question on the kiosk",
              "$.elements[10].hasOther: radiogroup \"school\": no \"other, please say\" box on the kiosk; left out",
              "$.elements[10].showNoneItem: radiogroup \"school\": its extra \"none\" or \"select all\" choice is "
              "left out",
              "$.elements[11]: radiogroup \"lonely\": has 1 choice; a kiosk question takes 2 to 12; left out",
              "$.elements[12].visibleIf: boolean \"safe\": its condition is not kept; the kiosk asks every question, "
              "and any can be skipped",
              "$.elements[12]: boolean \"safe\": its own labels are not kept; the kiosk's yes, not sure and no are "
              "shown",
              "$.elements[13]: text \"birthday\": asks for date; the kiosk takes words",
              "$.elements[14]: not a SurveyJS element (no \"type\"); left out",
              "$.completedHtml: not kept: the kiosk ends with its own thank-you and asks every question"});
    const auto loaded = sayso::pack::load_pack(out);
    REQUIRE(loaded.ok());
    std::vector<std::string> ids;
    for (const auto& q : loaded.pack->bands[0].questions)
        ids.push_back(q.id);
    CHECK(ids == std::vector<std::string>{"school", "safe", "birthday"});
    CHECK(loaded.pack->languages == std::vector<std::string>{"en"});
    CHECK(loaded.pack->bands[0].id == "8-17"); // the default ages
}

TEST_CASE("an import that can't make a pack says why: a locale with no kiosk words, not JSON, a pack already there") {
    TempDir tmp;
    // French: the bundled pack has no kiosk words in French, so the pack is written but does not load.
    const auto fr = tmp / "apres";
    auto r = test::run({SAYSO_ADMIN, "import", (surveys / "french.json").string(), "--out", fr.string()});
    INFO(r.out << r.err);
    CHECK(r.code == 1);
    CHECK(r.err.find("does not load yet") != std::string::npos);
    CHECK(r.out.find("$.words") != std::string::npos);
    CHECK(nlohmann::json::parse(test::read_file(fr / "pack.json"))["languages"] == nlohmann::json{"fr"});
    // A pack already there is never overwritten.
    r = test::run({SAYSO_ADMIN, "import", (surveys / "french.json").string(), "--out", fr.string()});
    CHECK(r.code == 2);
    CHECK(r.err.find("already holds a pack; nothing was written") != std::string::npos);
    // Not JSON, and not a survey.
    test::write_file(tmp / "broken.json", "{\"pages\": [");
    r = test::run({SAYSO_ADMIN, "import", (tmp / "broken.json").string(), "--out", (tmp / "b").string()});
    CHECK(r.code == 2);
    CHECK(r.err.find("is not JSON; nothing was written") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tmp / "b"));
    test::write_file(tmp / "list.json", "[1, 2]");
    r = test::run({SAYSO_ADMIN, "import", (tmp / "list.json").string(), "--out", (tmp / "l").string()});
    CHECK(r.code == 2);
    CHECK(r.out.find("$: is not a SurveyJS survey") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tmp / "l"));
    // Ages that make no band.
    r = test::run(
        {SAYSO_ADMIN, "import", (surveys / "french.json").string(), "--out", (tmp / "x").string(), "--ages", "17-8"});
    CHECK(r.code == 2);
    CHECK(r.err.find("--ages must be MIN-MAX") != std::string::npos);
}

TEST_CASE("a SurveyJS field of the wrong type is read as absent, never as a reason to stop") {
    TempDir tmp;
    // Found by fuzzing: "isRequired": "yes" used to end the import with an exception.
    test::write_file(tmp / "odd.json", R"({"elements": [
        {"type": "rating", "name": "r", "title": "Rate it", "isRequired": "yes", "rateMin": "one", "rateMax": 3},
        {"type": "rating", "name": "wide", "rateMin": -9223372036854775807, "rateMax": 9223372036854775807},
        {"type": "radiogroup", "name": "c", "hasOther": 1, "rateType": 5, "choices": ["a", "b"]},
        {"type": "comment", "name": "w", "maxLength": 99999999999}]})");
    const auto out = tmp / "odd";
    auto r = test::run({SAYSO_ADMIN, "import", (tmp / "odd.json").string(), "--out", out.string()});
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(test::read_file(out / "pack.json"));
    CHECK((*question(j, "r"))["scale"] == 3);    // rateMin not a number: from 1, so 3 steps
    CHECK((*question(j, "wide"))["scale"] == 5); // no overflow: a very wide rating is 5 faces
    CHECK((*question(j, "c"))["options"].size() == 2);
    CHECK((*question(j, "w"))["max_length"] == 2000);
    CHECK(r.out.find("isRequired") == std::string::npos); // "yes" is not true
    CHECK(r.out.find("hasOther") == std::string::npos);   // nor is 1
}
