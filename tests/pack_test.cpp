#include "pack/install.hpp"
#include "pack/pack.hpp"
#include "pack/shelf.hpp"
#include "pack/signature.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <random>
#include <set>
#include <sys/stat.h>

using namespace sayso::pack;
using nlohmann::json;
using test::TempDir;

namespace {

// The problem at `path` whose message contains `words`, if there is one.
const Problem* find(const LoadResult& r, const std::string& path, const std::string& words) {
    for (const auto& p : r.problems)
        if (p.path == path && p.message.find(words) != std::string::npos) return &p;
    return nullptr;
}

std::string all(const LoadResult& r) {
    std::string s;
    for (const auto& p : r.problems)
        s += p.str() + "\n";
    return s;
}

// The default pack, without its own draw and voice questions (so an edit
// places its own where it wants them), changed by `edit`, loaded.
LoadResult load_edited(const TempDir& tmp, const std::function<void(json&)>& edit) {
    return load_pack(test::copy_pack(tmp / "pack", [&](json& j) {
        test::without_own_words(j);
        edit(j);
    }));
}

void expect_error(const LoadResult& r, const std::string& path, const std::string& words) {
    INFO(all(r));
    CHECK_FALSE(r.ok());
    const Problem* p = find(r, path, words);
    REQUIRE(p != nullptr);
    CHECK(p->severity == Problem::Severity::Error);
    CHECK(p->str().rfind(p->file + ":" + path + ": ", 0) == 0);
}

} // namespace

TEST_CASE("the default pack loads with its four bands and no problems") {
    auto r = load_pack(test::default_pack);
    INFO(all(r));
    REQUIRE(r.ok());
    CHECK(r.problems.empty());
    const Pack& p = *r.pack;
    CHECK(p.id == "after-my-visit");
    REQUIRE(p.bands.size() == 4);
    // Three or four questions for the youngest, then a drawing if they like.
    CHECK(p.band("4-7")->questions.size() >= 4);
    CHECK(p.band("4-7")->questions.size() <= 5);
    CHECK(p.band("4-7")->questions.back().kind == Kind::Draw);
    CHECK(p.band("8-11")->questions.back().kind == Kind::Voice);
    CHECK(p.band("8-11")->questions.back().max_seconds == 60);
    for (const auto& q : p.band("4-7")->questions)
        if (q.kind == Kind::Faces) CHECK(q.scale == 3);
    for (const auto& q : p.band("8-11")->questions)
        if (q.kind == Kind::Faces) CHECK(q.scale == 5);
    CHECK(p.band("12-17")->questions.back().kind == Kind::FreeText);
    CHECK(p.band("16-25")->cohort == "care_leavers");
    // Builtin faces are labelled by the band's own words.
    const Band& young = *p.band("4-7");
    const Option* happy = young.questions[0].option("happy");
    REQUIRE(happy != nullptr);
    CHECK(p.label(young, *happy, "en") == "Happy");
    CHECK(p.label(*p.band("8-11"), *p.band("8-11")->questions[0].option("happy"), "en") == "Good");
}

TEST_CASE("a broken pack is refused with every problem as file:JSON-path: message") {
    TempDir tmp;

    SUBCASE("invalid JSON names the line and column") {
        test::copy_pack(tmp / "pack");
        test::write_file(tmp / "pack" / "pack.json", "{\n  \"id\": \"x\",\n  \"version\": 1,,\n}");
        auto r = load_pack(tmp / "pack");
        expect_error(r, "$", "line 3, column 16");
    }
    SUBCASE("wrong types") {
        auto r = load_edited(tmp, [](json& j) {
            j["id"] = 42;
            j["bands"][0]["min_age"] = "four";
            j["bands"][1]["questions"] = json::object();
        });
        expect_error(r, "$.id", "must be text, not a number");
        expect_error(r, "$.bands[0].min_age", "must be a whole number");
        expect_error(r, "$.bands[1].questions", "must be a list");
    }
    SUBCASE("the talk button without its words, a talk flag that is not true or false, a draft of no language") {
        auto r = load_edited(tmp, [](json& j) {
            j["words"].erase("talk_done");
            j["bands"][1]["questions"][5]["options"][5]["asks_to_talk"] = "yes";
            j["drafts"] = json::array({"pl", "de"});
            j["bands"][0]["auto_read"] = 1;
        });
        expect_error(r, "$.words", "missing kiosk word \"talk_done\", needed by \"talk_button\"");
        expect_error(r, "$.bands[1].questions[5].options[5].asks_to_talk", "must be true or false");
        expect_error(r, "$.drafts[1]", "must be one of the pack's languages");
        expect_error(r, "$.bands[0].auto_read", "must be true or false");
    }
    SUBCASE("unknown question kind") {
        auto r = load_edited(tmp, [](json& j) { j["bands"][1]["questions"][2]["kind"] = "slider"; });
        expect_error(r, "$.bands[1].questions[2].kind", "unknown question kind \"slider\"");
    }
    SUBCASE("missing text in the first language") {
        auto r = load_edited(tmp, [](json& j) { j["bands"][0]["questions"][1]["text"].erase("en"); });
        expect_error(r, "$.bands[0].questions[1].text", "missing text in \"en\"");
    }
    SUBCASE("missing or unreadable picture") {
        auto r = load_edited(tmp, [&](json& j) {
            j["bands"][0]["picture"] = "pictures/nowhere.png";
            j["bands"][1]["questions"][0]["picture"] = "pictures/broken.png";
            j["bands"][2]["picture"] = "pictures/header-only.png";
        });
        // Before loading: a file with a PNG name holding no PNG, and one with a good header but no image data.
        test::write_file(tmp / "pack" / "pictures" / "broken.png", "not a picture at all");
        auto good = test::read_file(test::default_pack / "pictures" / "help.png");
        test::write_file(tmp / "pack" / "pictures" / "header-only.png", good.substr(0, 60));
        r = load_pack(tmp / "pack");
        expect_error(r, "$.bands[0].picture", "\"pictures/nowhere.png\" is missing");
        expect_error(r, "$.bands[1].questions[0].picture", "not a readable PNG");
        expect_error(r, "$.bands[2].picture", "not a readable PNG");
    }
    SUBCASE("duplicate ids") {
        auto r = load_edited(tmp, [](json& j) {
            j["bands"][1]["id"] = "4-7";
            j["bands"][2]["questions"][1]["id"] = "listened";
            j["bands"][1]["questions"][5]["options"][1]["id"] = "talk-more";
            j["visit_types"][3]["id"] = "plan";
        });
        expect_error(r, "$.bands[1].id", "duplicate band id \"4-7\"");
        expect_error(r, "$.bands[2].questions[1].id", "duplicate question id \"listened\"");
        expect_error(r, "$.bands[1].questions[5].options[1].id", "duplicate option id \"talk-more\"");
        expect_error(r, "$.visit_types[3].id", "duplicate visit type id \"plan\"");
    }
    SUBCASE("asset paths that escape the pack folder") {
        test::write_file(tmp / "outside.png", test::read_file(test::default_pack / "pictures" / "help.png"));
        auto r = load_edited(tmp, [](json& j) {
            j["bands"][0]["picture"] = "../outside.png";
            j["bands"][1]["picture"] = "/etc/passwd";
            j["bands"][2]["picture"] = "pictures/link.png";
        });
        std::filesystem::create_symlink(tmp / "outside.png", tmp / "pack" / "pictures" / "link.png");
        r = load_pack(tmp / "pack");
        expect_error(r, "$.bands[0].picture", "escapes the pack folder");
        expect_error(r, "$.bands[1].picture", "must be a path inside the pack folder");
        expect_error(r, "$.bands[2].picture", "escapes the pack folder (through a link)");
    }
    SUBCASE("overlapping age bands of one cohort") {
        auto r = load_edited(tmp, [](json& j) { j["bands"][1]["min_age"] = 7; });
        expect_error(r, "$.bands[1]", "overlap band \"4-7\"");
    }
    SUBCASE("an empty band") {
        auto r = load_edited(tmp, [](json& j) { j["bands"][3]["questions"] = json::array(); });
        expect_error(r, "$.bands[3].questions", "must not be empty");
    }
    SUBCASE("faces with a scale of 4, and a choice with one option") {
        auto r = load_edited(tmp, [](json& j) {
            j["bands"][1]["questions"][0]["scale"] = 4;
            j["bands"][1]["questions"][5]["options"] = json::array({j["bands"][1]["questions"][5]["options"][0]});
        });
        expect_error(r, "$.bands[1].questions[0].scale", "3 or 5 faces");
        expect_error(r, "$.bands[1].questions[5].options", "at least 2 options");
    }
    SUBCASE("a kiosk word missing") {
        auto r = load_edited(tmp, [](json& j) { j["words"].erase("skip"); });
        expect_error(r, "$.words", "missing kiosk word \"skip\"");
    }
    SUBCASE("a pack newer than the kiosk") {
        auto r = load_edited(tmp, [](json& j) { j["format"] = 2; });
        expect_error(r, "$.format", "newer than this kiosk");
    }
    SUBCASE("every problem is listed, not just the first") {
        auto r = load_edited(tmp, [](json& j) {
            j["id"] = "";
            j["bands"][0]["questions"][0]["kind"] = "dial";
            j["bands"][3]["questions"] = json::array();
        });
        CHECK(r.errors() >= 3);
    }
}

TEST_CASE("a pack says what it measures: statements in its order, its service areas, and how each answer reads") {
    auto r = load_pack(test::default_pack);
    INFO(all(r));
    REQUIRE(r.ok());
    const Pack& p = *r.pack;
    std::vector<std::string> ids;
    for (const auto& m : p.measures)
        ids.push_back(m.id);
    CHECK(ids == std::vector<std::string>{"listened", "knows_me", "involved", "keeps_promises", "help_good",
                                          "better_services", "explained"});
    REQUIRE(p.measure("listened") != nullptr);
    CHECK(p.text(p.measure("listened")->statement, "en") == "I am listened to");
    CHECK(p.measure("feeling_safer") == nullptr);
    REQUIRE(p.service_areas.size() == 5);
    REQUIRE(p.service_area("children-in-care") != nullptr);
    CHECK(p.text(p.service_area("children-in-care")->label, "en") == "Children in care");
    std::size_t measured = 0;
    for (const auto& b : p.bands)
        for (const auto& q : b.questions) {
            if (q.measure.empty()) continue;
            ++measured;
            CHECK(p.measure(q.measure) != nullptr);
        }
    CHECK(measured == 21);
    // The kiosk's faces and yes/no read as they always have.
    const Question& faces5 = p.band("8-11")->questions.at(0);
    REQUIRE(faces5.kind == Kind::Faces);
    CHECK(faces5.tone({"very_sad"}) == Tone::Negative);
    CHECK(faces5.tone({"sad"}) == Tone::Negative);
    CHECK(faces5.tone({"ok"}) == Tone::Middling);
    CHECK(faces5.tone({"happy"}) == Tone::Positive);
    CHECK(faces5.tone({"very_happy"}) == Tone::Positive);
    CHECK(faces5.tone({}) == Tone::None); // skipped
    CHECK(faces5.tone({"purple"}) == Tone::None);
    const Question& yes_no = p.band("8-11")->questions.at(2);
    REQUIRE(yes_no.kind == Kind::YesNo);
    CHECK(yes_no.tone({"yes"}) == Tone::Positive);
    CHECK(yes_no.tone({"not_sure"}) == Tone::Middling);
    CHECK(yes_no.tone({"no"}) == Tone::Negative);
    // Pictures a child picks read in no tone.
    const Question& picks = p.band("8-11")->questions.at(5);
    REQUIRE(picks.kind == Kind::PickMany);
    CHECK(picks.tone({"fun"}) == Tone::None);
    CHECK(std::string(tone_name(Tone::Middling)) == "middling");
    CHECK(tone_from_name("positive") == Tone::Positive);
    CHECK_FALSE(tone_from_name("good"));
}

TEST_CASE("a pack's own scale reads as it says; a measure not declared or an answer without a tone is named") {
    TempDir tmp;
    auto safer = [](json& j) {
        j["measures"].push_back({{"id", "feeling_safer"}, {"statement", {{"en", "I feel safer"}}}});
        json q = {{"id", "safer"},
                  {"kind", "pick_one"},
                  {"measure", "feeling_safer"},
                  {"text", {{"en", "Do you feel safer?"}}},
                  {"options",
                   {{{"id", "safer"}, {"label", {{"en", "Safer"}}}, {"tone", "positive"}},
                    {{"id", "same"}, {"label", {{"en", "The same"}}}, {"tone", "middling"}},
                    {{"id", "less_safe"}, {"label", {{"en", "Less safe"}}}, {"tone", "negative"}},
                    {{"id", "dont_know"}, {"label", {{"en", "I don't know"}}}, {"tone", "none"}}}}};
        j["bands"][2]["questions"].push_back(q);
        // This council reads "ok" as a good answer.
        j["tones"] = {{"faces",
                       {{"very_sad", "negative"},
                        {"sad", "negative"},
                        {"ok", "positive"},
                        {"happy", "positive"},
                        {"very_happy", "positive"}}}};
    };
    int copies = 0; // each edit in a folder of its own
    auto edited = [&](const std::function<void(json&)>& edit) {
        return load_pack(test::copy_pack(tmp / ("pack" + std::to_string(copies++)), edit));
    };
    auto r = edited(safer);
    INFO(all(r));
    REQUIRE(r.ok());
    CHECK(r.errors() == 0); // the new texts are in English only: warnings for the other languages
    const Pack& p = *r.pack;
    CHECK(p.measures.back().id == "feeling_safer");
    const Question& q = p.band("12-17")->questions.back();
    CHECK(q.tone({"safer"}) == Tone::Positive);
    CHECK(q.tone({"same"}) == Tone::Middling);
    CHECK(q.tone({"less_safe"}) == Tone::Negative);
    CHECK(q.tone({"dont_know"}) == Tone::None);
    CHECK(q.tone({"safer", "same"}) == Tone::None);
    CHECK(p.band("12-17")->questions.at(0).tone({"ok"}) == Tone::Positive);
    CHECK(p.band("8-11")->questions.at(2).tone({"not_sure"}) == Tone::Middling); // yes/no as before

    const std::string asked = "$.bands[2].questions[8]";
    expect_error(edited([&](json& j) {
                     safer(j);
                     j["bands"][2]["questions"][8]["measure"] = "feeling_braver";
                 }),
                 asked + ".measure", "measure \"feeling_braver\" is not declared in $.measures");
    expect_error(edited([&](json& j) {
                     safer(j);
                     j["bands"][2]["questions"][8]["options"][1].erase("tone");
                 }),
                 asked + ".options[1]", "missing \"tone\"");
    expect_error(edited([&](json& j) {
                     safer(j);
                     j["bands"][2]["questions"][8]["options"][1]["tone"] = "good";
                 }),
                 asked + ".options[1].tone", "must be \"positive\", \"middling\", \"negative\" or \"none\"");
    expect_error(edited([](json& j) { j["bands"][1]["questions"][5]["options"][0]["tone"] = "positive"; }),
                 "$.bands[1].questions[5].options[0].tone", "only a pick_one answer has a tone");
    expect_error(edited([](json& j) {
                     j["tones"] = {{"faces", {{"ok", "positive"}}}};
                 }),
                 "$.tones.faces", "missing the tone of \"very_sad\"");
    expect_error(edited([](json& j) {
                     j["tones"] = {{"pick_one", json::object()}};
                 }),
                 "$.tones.pick_one", "tones are given for the kiosk's own answers");
    expect_error(edited([](json& j) { j["measures"][1]["id"] = "listened"; }), "$.measures[1].id",
                 "duplicate measure id \"listened\"");
    expect_error(edited([](json& j) { j["measures"][0].erase("statement"); }), "$.measures[0]",
                 "missing required field \"statement\"");
    expect_error(edited([](json& j) { j["service_areas"][0]["id"] = "early help"; }), "$.service_areas[0].id",
                 "must be 1 to 64 letters");
}

TEST_CASE("a pack from before measures were declared still loads, and says where a measure is not declared") {
    TempDir tmp;
    auto r = load_edited(tmp, [](json& j) {
        j.erase("measures");
        j.erase("service_areas");
        // A measured choice without tones was fine then, and still is: it counts in no tone.
        j["bands"][0]["questions"][3]["measure"] = "best_part";
    });
    INFO(all(r));
    REQUIRE(r.ok());
    CHECK(r.errors() == 0);
    const Problem* w = find(r, "$.bands[0].questions[0].measure", "measure \"listened\" is not declared");
    REQUIRE(w != nullptr);
    CHECK(w->severity == Problem::Severity::Warning);
    CHECK(r.pack->measures.empty());
    CHECK(r.pack->band("4-7")->questions.at(3).tone({"talk"}) == Tone::None);
    CHECK(r.pack->band("4-7")->questions.at(0).tone({"happy"}) == Tone::Positive);
}

TEST_CASE("a text missing in a declared language falls back to the first language with a warning") {
    TempDir tmp;
    auto r = load_edited(tmp, [](json& j) {
        j["languages"] = json::array({"en", "ro"});
        j.erase("drafts");
        // Give only the title a Romanian text: everything else falls back.
        j["title"]["ro"] = "După vizita mea";
    });
    REQUIRE(r.ok());
    const Problem* w = find(r, "$.bands[0].label", "missing text in \"ro\"");
    REQUIRE(w != nullptr);
    CHECK(w->severity == Problem::Severity::Warning);
    CHECK(w->str().find(": warning: ") != std::string::npos);
    CHECK(r.pack->text(r.pack->title, "ro") == "Dup\u0103 vizita mea");
    CHECK(r.pack->text(r.pack->bands[0].label, "ro") == "Age 4\u20137");
}

TEST_CASE("the validator never crashes or hangs on strange input") {
    TempDir tmp;
    const auto dir = test::copy_pack(tmp / "pack");

    SUBCASE("deep nesting") {
        test::write_file(dir / "pack.json", std::string(200000, '[') + std::string(200000, ']'));
        expect_error(load_pack(dir), "$", "nests lists and objects 200000 deep");
    }
    SUBCASE("a file over the size limit") {
        test::write_file(dir / "pack.json", "\"" + std::string(kMaxPackJsonBytes + 10, 'a') + "\"");
        expect_error(load_pack(dir), "$", "the limit is");
    }
    SUBCASE("pack.json that is a folder or a pipe") {
        std::filesystem::remove(dir / "pack.json");
        std::filesystem::create_directory(dir / "pack.json");
        expect_error(load_pack(dir), "$", "not a regular file");
        std::filesystem::remove(dir / "pack.json");
        REQUIRE(mkfifo((dir / "pack.json").c_str(), 0600) == 0);
        expect_error(load_pack(dir), "$", "not a regular file");
    }
    SUBCASE("a picture that is a pipe") {
        REQUIRE(mkfifo((dir / "pictures" / "pipe.png").c_str(), 0600) == 0);
        auto j = json::parse(test::read_file(dir / "pack.json"));
        j["bands"][0]["picture"] = "pictures/pipe.png";
        test::write_file(dir / "pack.json", j.dump());
        expect_error(load_pack(dir), "$.bands[0].picture", "not a regular file");
    }
    SUBCASE("no pack folder, an empty file, the wrong top-level type") {
        expect_error(load_pack(tmp / "missing"), "$", "does not exist");
        test::write_file(dir / "pack.json", "");
        expect_error(load_pack(dir), "$", "invalid JSON");
        test::write_file(dir / "pack.json", "[1, 2, 3]");
        expect_error(load_pack(dir), "$", "must be a JSON object");
    }
    SUBCASE("thousands of random mutations of the default pack") {
        const std::string original = test::read_file(test::default_pack / "pack.json");
        std::mt19937 rng(20261122);
        int refused = 0;
        for (int i = 0; i < 1500; ++i) {
            std::string s = original;
            const int edits = 1 + static_cast<int>(rng() % 6);
            for (int e = 0; e < edits; ++e) {
                const std::size_t at = rng() % s.size();
                switch (rng() % 4) {
                case 0: s[at] = static_cast<char>(rng() % 256); break;
                case 1: s.erase(at, 1 + rng() % 40); break;
                case 2: s.insert(at, std::string(1 + rng() % 5, "[{\":,0-9e\\"[rng() % 11])); break;
                case 3: s.insert(at, s.substr(rng() % s.size(), rng() % 200)); break;
                }
            }
            test::write_file(dir / "pack.json", s);
            auto r = load_pack(dir); // must return, with or without problems
            if (!r.ok()) {
                ++refused;
                CHECK(r.errors() > 0);
            }
        }
        CHECK(refused > 1000);
    }
}

TEST_CASE("the shelf keeps the last good version of a pack that turns bad") {
    TempDir tmp;
    test::copy_pack(tmp / "packs" / "after-my-visit");
    Shelf shelf(tmp / "packs", Trust{{}, true});
    shelf.reload();
    REQUIRE(shelf.packs().size() == 1);
    auto first = shelf.find("after-my-visit");
    REQUIRE(first);
    CHECK(shelf.refused().empty());

    // A broken copy replaces the good one on disk.
    test::write_file(tmp / "packs" / "after-my-visit" / "pack.json", "{ broken");
    CHECK(shelf.reload());
    REQUIRE(shelf.packs().size() == 1);
    CHECK(shelf.find("after-my-visit") == first);
    REQUIRE(shelf.refused().size() == 1);
    CHECK(shelf.problems().front().message.find("invalid JSON") != std::string::npos);

    // A good new version is taken up.
    test::copy_pack(tmp / "v2", [](json& j) { j["version"] = "2.0.0"; });
    std::filesystem::copy_file(tmp / "v2" / "pack.json", tmp / "packs" / "after-my-visit" / "pack.json",
                               std::filesystem::copy_options::overwrite_existing);
    CHECK(shelf.reload());
    CHECK(shelf.find("after-my-visit")->version == "2.0.0");
    CHECK(shelf.refused().empty());
    CHECK(first->version == "1.1.0"); // whoever still holds the old one keeps it unchanged

    // A second folder with the same pack id is refused, the first stays.
    test::copy_pack(tmp / "packs" / "zz-copy");
    shelf.reload();
    CHECK(shelf.packs().size() == 1);
    CHECK(shelf.refused().size() == 1);
}

TEST_CASE("sayso-admin validate exits 0 for a good pack and lists problems for a bad one") {
    auto good = test::run({SAYSO_ADMIN, "validate", test::default_pack.string()});
    CHECK(good.code == 0);
    CHECK(good.out.find("ok: pack \"after-my-visit\"") != std::string::npos);

    TempDir tmp;
    test::copy_pack(tmp / "bad", [](json& j) {
        j["bands"][1]["questions"][2]["kind"] = "slider";
        j["bands"][0]["picture"] = "../../etc/passwd";
    });
    auto bad = test::run({SAYSO_ADMIN, "validate", (tmp / "bad").string()});
    CHECK(bad.code == 1);
    const std::string file = (tmp / "bad" / "pack.json").string();
    CHECK(bad.out.find(file + ":$.bands[1].questions[2].kind: unknown question kind \"slider\"") != std::string::npos);
    CHECK(bad.out.find(file + ":$.bands[0].picture: picture \"../../etc/passwd\" escapes the pack folder") !=
          std::string::npos);

    auto usage = test::run({SAYSO_ADMIN, "validate"});
    CHECK(usage.code == 2);
}

TEST_CASE("huge ids and lists are refused quickly, not crashed on") {
    TempDir tmp;
    auto r = load_edited(tmp, [](json& j) {
        j["id"] = std::string(300'000, 'a');
        j["languages"] = json::array({"en", std::string(300'000, 'p')});
        json many = json::array();
        for (int i = 0; i < 200; ++i)
            many.push_back(j["bands"][0]);
        j["bands"] = many;
    });
    expect_error(r, "$.id", "must be 1 to 64 letters");
    expect_error(r, "$.languages[1]", "must be a language code");
    expect_error(r, "$.bands", "has 200 items; at most 32");
}

TEST_CASE("installing a pack: a bad one changes nothing and says why, a good one replaces the old version whole") {
    TempDir tmp;
    const auto packs = tmp / "packs";
    std::filesystem::create_directories(packs);
    test::copy_pack(packs / "after-my-visit");
    // A USB stick with a broken pack and a newer version of the installed one.
    test::copy_pack(tmp / "usb" / "stick" / "newer");
    {
        auto j = json::parse(test::read_file(tmp / "usb" / "stick" / "newer" / "pack.json"));
        j["version"] = "1.1.0";
        test::write_file(tmp / "usb" / "stick" / "newer" / "pack.json", j.dump());
    }
    test::copy_pack(tmp / "usb" / "stick" / "broken");
    std::filesystem::remove(tmp / "usb" / "stick" / "broken" / "pictures" / "help.png");
    std::filesystem::create_directories(tmp / "usb" / "deep" / "a" / "b" / "c" / "d");
    test::copy_pack(tmp / "usb" / "deep" / "a" / "b" / "c" / "d" / "too-deep");

    const auto found = find_pack_folders({tmp / "usb", tmp / "nowhere"});
    REQUIRE(found.size() == 2); // four levels down is not looked at
    CHECK(found[0].filename() == "broken");
    CHECK(found[1].filename() == "newer");

    auto bad = install_pack(found[0], packs, Trust{{}, true});
    CHECK_FALSE(bad.ok);
    CHECK(bad.message.find("nothing was installed") != std::string::npos);
    REQUIRE_FALSE(bad.problems.empty());
    CHECK(bad.problems[0].str().find("help.png") != std::string::npos);
    CHECK(load_pack(packs / "after-my-visit").pack->version == "1.1.0");

    auto good = install_pack(found[1], packs, Trust{{}, true});
    INFO(good.message);
    REQUIRE(good.ok);
    CHECK(good.version == "1.1.0");
    CHECK(load_pack(packs / "after-my-visit").pack->version == "1.1.0");
    // Nothing half-done is left beside it.
    int entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(packs))
        ++entries;
    CHECK(entries == 1);

    Shelf shelf(packs, Trust{{}, true});
    shelf.reload();
    REQUIRE(shelf.packs().size() == 1);
    shelf.set_disabled({"after-my-visit"});
    CHECK(shelf.packs().empty());
    CHECK(shelf.all().size() == 1);
}

TEST_CASE("signed packs: a trusted signature lets a pack in; a changed, added or removed file is named") {
    TempDir tmp;
    auto keys = make_keys();
    REQUIRE(keys);
    auto other = make_keys();
    const Trust trust{{keys->public_key}, false};
    const auto dir = test::copy_pack(tmp / "pack");

    auto unsigned_problems = check_signature(dir, trust);
    REQUIRE(unsigned_problems.size() == 1);
    CHECK(unsigned_problems[0].message.find("not signed") != std::string::npos);
    CHECK(check_signature(dir, Trust{{}, true}).empty()); // the development setting

    REQUIRE(sign_pack(dir, keys->secret_key));
    CHECK(check_signature(dir, trust).empty());
    auto stranger = check_signature(dir, Trust{{other->public_key}, false});
    REQUIRE(stranger.size() == 1);
    CHECK(stranger[0].message.find("does not trust") != std::string::npos);

    auto only = [&](const std::string& file, const std::string& words) {
        auto p = check_signature(dir, trust);
        REQUIRE(p.size() == 1);
        CHECK(p[0].file == (dir / file).string());
        CHECK(p[0].message.find(words) != std::string::npos);
    };
    SUBCASE("a changed picture") {
        test::write_file(dir / "pictures" / "help.png", test::read_file(dir / "pictures" / "play.png"));
        only("pictures/help.png", "was changed after the pack was signed");
    }
    SUBCASE("an added file") {
        test::write_file(dir / "pictures" / "extra.png", "x");
        only("pictures/extra.png", "was added after the pack was signed");
    }
    SUBCASE("a removed file") {
        std::filesystem::remove(dir / "pictures" / "walk.png");
        only("pictures/walk.png", "was removed after the pack was signed");
    }
    SUBCASE("a forged list of files") {
        auto j = json::parse(test::read_file(dir / "SIGNATURE"));
        j["files"]["pack.json"] = std::string(64, '0');
        test::write_file(dir / "SIGNATURE", j.dump());
        only("SIGNATURE", "the signature itself was altered");
    }
    SUBCASE("a link out of the pack") {
        std::filesystem::create_symlink("/etc/hostname", dir / "pictures" / "link.png");
        auto p = check_signature(dir, trust);
        REQUIRE_FALSE(p.empty());
        CHECK(p[0].message.find("a link") != std::string::npos);
    }
    SUBCASE("the shelf and the installer refuse what the signature refuses") {
        test::write_file(dir / "pack.json", test::read_file(dir / "pack.json") + " ");
        Shelf shelf(tmp / "", trust);
        shelf.reload();
        CHECK(shelf.packs().empty());
        REQUIRE(shelf.refused() == std::vector<std::string>{"pack"});
        auto r = install_pack(dir, tmp / "installed", trust);
        CHECK_FALSE(r.ok);
        CHECK_FALSE(std::filesystem::exists(tmp / "installed" / "after-my-visit"));
        REQUIRE(sign_pack(dir, keys->secret_key)); // signed again, as it now is
        CHECK(install_pack(dir, tmp / "installed", trust).ok);
    }
}

TEST_CASE("sayso-admin keygen and sign: the secret key is the owner's alone, and a signed pack checks out") {
    TempDir tmp;
    auto r = test::run({SAYSO_ADMIN, "keygen", "--out", (tmp / "council").string()});
    INFO(r.err);
    REQUIRE(r.code == 0);
    struct stat st {};
    REQUIRE(stat((tmp / "council.secret").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(test::run({SAYSO_ADMIN, "keygen", "--out", (tmp / "council").string()}).code == 1); // never overwritten
    const auto dir = test::copy_pack(tmp / "pack");
    r = test::run({SAYSO_ADMIN, "sign", dir.string(), "--key", (tmp / "council.secret").string()});
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto read = read_trusted_keys(tmp / "council.pub");
    REQUIRE_MESSAGE(read, read.words());
    const std::vector<std::string> keys = *read;
    REQUIRE(keys.size() == 1);
    CHECK(check_signature(dir, Trust{keys, false}).empty());
    const std::string trusted = (tmp / "council.pub").string();
    CHECK(test::run({SAYSO_ADMIN, "validate", dir.string(), "--trusted-keys", trusted}).code == 0);
    test::write_file(dir / "pictures" / "extra.png", "x");
    r = test::run({SAYSO_ADMIN, "validate", dir.string(), "--trusted-keys", trusted});
    CHECK(r.code == 1);
    CHECK(r.out.find("extra.png: was added after the pack was signed") != std::string::npos);
    CHECK(test::run({SAYSO_ADMIN, "validate", dir.string()}).code == 0); // without keys: the content alone
    test::write_file(tmp / "bad-keys", "# a comment\nnot a key\n");
    const auto bad = read_trusted_keys(tmp / "bad-keys");
    REQUIRE_FALSE(bad);
    CHECK(bad.problem().kind == KeyProblem::Kind::NotAKey);
    CHECK(bad.words() == (tmp / "bad-keys").string() + " line 2: not a public key");
}

TEST_CASE("the schema names exactly the kiosk words the loader knows, and requires the ones it requires") {
    const auto schema = nlohmann::json::parse(test::read_file(test::source_dir / "surveys" / "pack.schema.json"));
    const auto required = schema.at("properties").at("words").at("required").get<std::vector<std::string>>();
    CHECK(std::set<std::string>(required.begin(), required.end()) ==
          std::set<std::string>(required_words().begin(), required_words().end()));
    const auto named = schema.at("$defs").at("words").at("propertyNames").at("enum").get<std::vector<std::string>>();
    std::set<std::string> known(required_words().begin(), required_words().end());
    known.insert(optional_words().begin(), optional_words().end());
    CHECK(std::set<std::string>(named.begin(), named.end()) == known);
}

TEST_CASE("a draw question has no options, and a band has at most three, so a response with its pictures stays "
          "deliverable") {
    TempDir tmp;
    auto draw = [](const std::string& id) { return json{{"id", id}, {"kind", "draw"}, {"text", {{"en", "Draw"}}}}; };
    auto three = load_edited(tmp, [&](json& j) {
        for (const char* id : {"d1", "d2", "d3"})
            j["bands"][0]["questions"].push_back(draw(id));
    });
    INFO(all(three));
    CHECK(three.ok());
    TempDir tmp2;
    expect_error(load_edited(tmp2,
                             [&](json& j) {
                                 for (const char* id : {"d1", "d2", "d3", "d4"})
                                     j["bands"][0]["questions"].push_back(draw(id));
                             }),
                 "$.bands[0].questions", "at most 3 draw and voice questions together, not 4");
    TempDir tmp3;
    expect_error(load_edited(tmp3,
                             [&](json& j) {
                                 auto q = draw("d1");
                                 q["options"] = json::array();
                                 j["bands"][0]["questions"].push_back(q);
                             }),
                 "$.bands[0].questions[4].options", "draw questions have no options");
}

TEST_CASE("a voice question: its length from 5 s to 2 minutes, its words, and at most 3 clips a band with drawings") {
    auto voice = [](int seconds) {
        return json{{"id", "v" + std::to_string(seconds)},
                    {"kind", "voice"},
                    {"max_seconds", seconds},
                    {"text", {{"en", "Say"}}}};
    };
    TempDir tmp;
    auto ok = load_edited(tmp, [&](json& j) {
        test::add_voice_words(j);
        j["bands"][0]["questions"].push_back(voice(90));
        j["bands"][0]["questions"].push_back(json{{"id", "v"}, {"kind", "voice"}, {"text", {{"en", "Say"}}}});
    });
    INFO(all(ok));
    REQUIRE(ok.ok());
    const auto& qs = ok.pack->bands[0].questions;
    CHECK(qs[qs.size() - 2].kind == Kind::Voice);
    CHECK(qs[qs.size() - 2].max_seconds == 90);
    CHECK(qs.back().max_seconds == 60);
    CHECK(std::string(kind_name(qs.back().kind)) == "voice");

    TempDir t0;
    auto warned = load_edited(t0, [&](json& j) {
        j["bands"][0]["questions"].push_back(
            json{{"id", "t"}, {"kind", "text"}, {"max_seconds", 30}, {"text", {{"en", "Say"}}}});
    });
    CHECK(warned.ok());
    const Problem* w = find(warned, "$.bands[0].questions[4].max_seconds", "only voice questions have a length");
    REQUIRE(w != nullptr);
    CHECK(w->severity == Problem::Severity::Warning);
    TempDir t1, t2, t3, t4;
    expect_error(load_edited(t1,
                             [&](json& j) {
                                 test::add_voice_words(j);
                                 j["bands"][0]["questions"].push_back(voice(121));
                             }),
                 "$.bands[0].questions[4].max_seconds", "");
    expect_error(load_edited(t2, [&](json& j) { j["bands"][0]["questions"].push_back(voice(30)); }), "$.words",
                 "missing kiosk word \"record\", needed by a voice question");
    expect_error(load_edited(t3,
                             [&](json& j) {
                                 test::add_voice_words(j);
                                 auto q = voice(30);
                                 q["options"] = json::array({{{"id", "a"}, {"label", {{"en", "A"}}}},
                                                             {{"id", "b"}, {"label", {{"en", "B"}}}}});
                                 j["bands"][0]["questions"].push_back(q);
                             }),
                 "$.bands[0].questions[4].options", "voice questions have no options");
    expect_error(
        load_edited(
            t4,
            [&](json& j) {
                test::add_voice_words(j);
                for (int secs : {10, 20, 30})
                    j["bands"][0]["questions"].push_back(voice(secs));
                j["bands"][0]["questions"].push_back(json{{"id", "pic"}, {"kind", "draw"}, {"text", {{"en", "Draw"}}}});
            }),
        "$.bands[0].questions", "at most 3 draw and voice questions together, not 4");
}

TEST_CASE("who will see: an intro for the pack or a band, and a choice of name that needs its words and an intro") {
    TempDir t0, t1, t2;
    auto ok = load_edited(t0, [](json& j) {
        j["intro"] = {{"en", "Your worker will see what you say."}};
        j["name_choice"] = true;
        j["words"]["with_name"] = {{"en", "With my name"}};
        j["words"]["without_name"] = {{"en", "Without my name"}};
        j["bands"][1]["intro"] = {{"en", "Only your worker."}};
    });
    INFO(all(ok));
    REQUIRE(ok.ok());
    CHECK(ok.pack->name_choice);
    CHECK(ok.pack->text(ok.pack->intro_for(ok.pack->bands[0]), "en") == "Your worker will see what you say.");
    CHECK(ok.pack->text(ok.pack->intro_for(ok.pack->bands[1]), "en") == "Only your worker.");
    expect_error(load_edited(t1,
                             [](json& j) {
                                 j["intro"] = {{"en", "Your worker will see what you say."}};
                                 j["name_choice"] = true;
                             }),
                 "$.words", "missing kiosk word \"with_name\", needed by \"name_choice\"");
    expect_error(load_edited(t2,
                             [](json& j) {
                                 j["name_choice"] = true;
                                 j["words"]["with_name"] = {{"en", "With my name"}};
                                 j["words"]["without_name"] = {{"en", "Without my name"}};
                             }),
                 "$.bands[0]", "give the pack (or this band) an \"intro\"");
}

TEST_CASE("a help line: its words and a number a child can dial") {
    auto r = load_pack(test::default_pack);
    REQUIRE(r.ok());
    REQUIRE(r.pack->help_line);
    CHECK(r.pack->help_line->number == "0800 1111");
    CHECK(r.pack->text(r.pack->help_line->text, "en").find("Childline") != std::string::npos);
    TempDir t1, t2;
    expect_error(load_edited(t1, [](json& j) { j["help_line"]["number"] = "call us"; }), "$.help_line.number",
                 "must be a telephone number");
    expect_error(load_edited(t2, [](json& j) { j["help_line"].erase("text"); }), "$.help_line", "text");
}

TEST_CASE("an answer that asks to talk needs the words that tell the child what happens next") {
    TempDir t;
    expect_error(load_edited(t,
                             [](json& j) {
                                 j.erase("talk_button");
                                 j["words"].erase("talk");
                                 j["words"].erase("talk_done");
                             }),
                 "$.words", "missing kiosk word \"talk_done\", needed by an answer that asks to talk");
}

TEST_CASE("an intro too long for the screen is warned about") {
    TempDir t;
    auto r = load_edited(t, [](json& j) { j["intro"] = {{"en", std::string(161, 'a')}}; });
    REQUIRE(r.ok());
    const Problem* w = find(r, "$.intro.en", "is 161 characters; keep it under 160");
    REQUIRE(w != nullptr);
    CHECK(w->severity == Problem::Severity::Warning);
}
