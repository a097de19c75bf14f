// The kiosk binary driven headless by replay scripts: real SDL events on the
// dummy video driver, answers checked in the SQLite file afterwards.
#include "collector_process.hpp"
#include "formats/base64.hpp"
#include "layout.hpp"
#include "ogg_opus.hpp"
#include "open_store.hpp"
#include "pack/pack.hpp"
#include "storage/store.hpp"
#include "support.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <doctest/doctest.h>
#include <set>
#include <sodium.h>
#include <sqlite3.h>
#include <sstream>
#include <stb/stb_image.h>
#include <tuple>

using namespace sayso;
using test::TempDir;

namespace {

const std::filesystem::path shots_root = SAYSO_SHOTS_DIR;

// The same script with every mouse tap made a finger's.
std::string by_touch(const std::string& script) {
    std::istringstream in(script);
    std::string out;
    for (std::string line; std::getline(in, line);)
        out += (line.rfind("tap ", 0) == 0 ? "touch " + line.substr(4) : line) + "\n";
    return out;
}

struct Kiosk {
    TempDir tmp;
    std::filesystem::path packs = test::source_dir / "surveys";
    std::filesystem::path db = tmp / "answers.db";
    std::string size = "1920x1200";

    std::vector<std::string> extra;
    std::vector<std::string> env;
    std::vector<std::string> wrapper; // a program that runs the kiosk, such as prlimit
    bool unsigned_ok = true;          // most tests use the default pack, which is not signed
    bool fingers = false;             // every tap a finger's, as a touchscreen sends it

    test::Run replay(const std::string& script, const std::string& shots_name) {
        test::write_file(tmp / "script.txt", fingers ? by_touch(script) : script);
        const auto shots = shots_root / shots_name;
        std::filesystem::remove_all(shots);
        std::vector<std::string> args = wrapper;
        args.insert(args.end(), {SAYSO_BINARY, "--headless", "--size", size, "--packs", packs.string(), "--db",
                                 db.string(), "--replay", (tmp / "script.txt").string(), "--shots", shots.string()});
        if (unsigned_ok) args.push_back("--allow-unsigned-packs");
        args.insert(args.end(), extra.begin(), extra.end());
        return test::run(args, env);
    }

    std::vector<storage::StoredResponse> stored() {
        auto s = test::open_store(db, storage::Store::Mode::ReadOnly);
        std::vector<storage::StoredResponse> all;
        REQUIRE(s->for_each_response([&](const storage::StoredResponse& r) {
            all.push_back(r);
            return true;
        }));
        return all;
    }
};

const pack::Pack& default_pack() {
    static auto r = pack::load_pack(test::default_pack);
    REQUIRE(r.ok());
    return *r.pack;
}

// A screenshot that shows something: many colours, not one flat fill.
void check_picture(const std::filesystem::path& png, int w, int h) {
    INFO(png.string());
    int pw = 0, ph = 0, n = 0;
    stbi_uc* px = stbi_load(png.c_str(), &pw, &ph, &n, 4);
    REQUIRE(px != nullptr);
    CHECK(pw == w);
    CHECK(ph == h);
    std::set<std::uint32_t> colours;
    for (int i = 0; i < pw * ph && colours.size() < 200; i += 7) {
        std::uint32_t c;
        std::memcpy(&c, px + 4 * i, 4);
        colours.insert(c);
    }
    stbi_image_free(px);
    CHECK(colours.size() >= 50);
}

// Answers every question of a band: the first option of a choice, some words for text.
std::string walk(const pack::Band& band, const std::string& tag) {
    std::string s = "shot " + tag +
                    "-practitioner\n"
                    "tap band:" +
                    band.id + "\ntap visit:visit\nshot " + tag +
                    "-ready\ntap handover\n"
                    "expect welcome\nshot " +
                    tag + "-welcome\ntap start\n";
    for (const auto& q : band.questions) {
        s += "expect question:" + q.id + "\nshot " + tag + "-" + q.id + "\n";
        if (q.kind == pack::Kind::FreeText) {
            s += "type I like my worker\nkey backspace\nshot " + tag + "-" + q.id + "-typed\ntap next\n";
        } else if (q.kind == pack::Kind::Draw) {
            s += "stroke touch canvas 0.2,0.2 0.5,0.8 0.8,0.2\nshot " + tag + "-" + q.id + "-drawn\ntap next\n";
        } else if (q.kind == pack::Kind::Voice) {
            // A quarter of a second of what the (dummy) microphone hears, then stopped.
            s += "tap record\nlisten 250\nshot " + tag + "-" + q.id + "-recording\ntap record\nshot " + tag + "-" +
                 q.id + "-recorded\ntap next\n";
        } else if (q.kind == pack::Kind::PickMany) {
            s += "tap answer:" + q.id + ":" + q.options[0].id + "\ntap answer:" + q.id + ":" + q.options[1].id +
                 "\nshot " + tag + "-" + q.id + "-picked\ntap next\n";
        } else {
            s += "tap answer:" + q.id + ":" + q.options[0].id + "\nwait 800\n";
        }
    }
    s += "expect thanks\nwait 600\nshot " + tag + "-thanks\nwait 9000\nexpect practitioner\nshot " + tag + "-after\n";
    return s;
}

void check_walked(Kiosk& k, const pack::Band& band) {
    auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    const auto& r = rs[0];
    CHECK(r.state == "complete");
    CHECK(r.start.band == band.id);
    CHECK(r.start.visit_type == "visit");
    REQUIRE(r.answers.size() == band.questions.size());
    for (std::size_t i = 0; i < band.questions.size(); ++i) {
        const auto& q = band.questions[i];
        const auto& a = r.answers[i];
        CHECK(a.question_id == q.id);
        CHECK_FALSE(a.skipped);
        if (q.kind == pack::Kind::FreeText)
            CHECK(a.text == "I like my worke");
        else if (q.kind == pack::Kind::Draw)
            CHECK(a.media.rfind("\x89PNG", 0) == 0);
        else if (q.kind == pack::Kind::Voice)
            CHECK(a.media.rfind("OggS", 0) == 0);
        else if (q.kind == pack::Kind::PickMany)
            CHECK(a.options.size() == 2);
        else
            CHECK(a.options == std::vector<std::string>{q.options[0].id});
    }
}

} // namespace

TEST_CASE("every band of the default pack can be walked end to end, with a screenshot of each screen") {
    for (const auto& band : default_pack().bands) {
        for (const bool fingers : {false, true}) {
            SUBCASE(("band " + band.id + (fingers ? " by touch" : " by mouse")).c_str()) {
                Kiosk k;
                k.fingers = fingers;
                const std::string tag = "band-" + band.id;
                const std::string dir_name = "walk-" + band.id + (fingers ? "-touch" : "");
                auto r = k.replay(walk(band, tag), dir_name);
                INFO(r.err);
                REQUIRE(r.code == 0);
                check_walked(k, band);
                const auto dir = shots_root / dir_name;
                check_picture(dir / (tag + "-welcome.png"), 1920, 1200);
                check_picture(dir / (tag + "-" + band.questions[0].id + ".png"), 1920, 1200);
                check_picture(dir / (tag + "-thanks.png"), 1920, 1200);
            }
        }
    }
}

TEST_CASE("with several surveys installed, the practitioner picks each by its title and ages, and each child's "
          "response is stored with the survey picked") {
    std::vector<std::shared_ptr<const pack::Pack>> shipped;
    for (const char* id : {"how-was-it", "child-protection-and-me"}) {
        auto r = pack::load_pack(test::source_dir / "surveys" / id);
        REQUIRE(r.ok());
        shipped.push_back(r.pack);
    }
    // The survey tiles sit above the bands; ages are the bands' together.
    CHECK(shipped[0]->ages() == std::pair(8, 17));
    CHECK(default_pack().ages() == std::pair(4, 25));
    CHECK_FALSE(shipped[0]->picture.empty());
    Kiosk k;
    k.size = "1024x600";
    std::string script = "shot surveys\n";
    for (const auto& p : shipped)
        script += "tap pack:" + p->id + "\n" + walk(p->bands.front(), p->id);
    auto r = k.replay(script, "surveys");
    INFO(r.err);
    REQUIRE(r.code == 0);
    check_picture(shots_root / "surveys" / "surveys.png", 1024, 600);
    const auto rs = k.stored();
    REQUIRE(rs.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        CAPTURE(i);
        CHECK(rs[i].start.pack_id == shipped[i]->id);
        CHECK(rs[i].start.pack_version == shipped[i]->version);
        CHECK(rs[i].start.band == shipped[i]->bands.front().id);
        CHECK(rs[i].state == "complete");
        CHECK(rs[i].answers.size() == shipped[i]->bands.front().questions.size());
    }
}

TEST_CASE("the layout works from 1024x600 to 2560x1600, landscape and portrait, by mouse and by touch") {
    for (const char* size : {"1024x600", "600x1024", "1280x800", "1200x1920", "2560x1600"}) {
        for (const char* band_id : {"8-11", "12-17"}) {
            // Each size walked by both; the younger band by touch, the older by mouse.
            const bool fingers = std::string(band_id) == "8-11";
            SUBCASE((std::string(size) + " band " + band_id + (fingers ? " by touch" : " by mouse")).c_str()) {
                Kiosk k;
                k.size = size;
                k.fingers = fingers;
                const auto& band = *default_pack().band(band_id);
                auto r = k.replay(walk(band, band.id), std::string("size-") + size + "-" + band_id);
                INFO(r.err);
                REQUIRE(r.code == 0);
                check_walked(k, band);
            }
        }
    }
}

TEST_CASE("answer targets are at least 15 mm on every supported display") {
    for (auto [w, h] : {std::pair{1024.f, 600.f}, {600.f, 1024.f}, {1920.f, 1200.f}, {2560.f, 1600.f}}) {
        for (float dpi : {0.f, 96.f, 160.f, 224.f, 320.f}) {
            auto l = ui::Layout::compute(w, h, dpi);
            CHECK(l.target >= 15.0f * l.mm - 0.01f);
            if (dpi > 0) CHECK(l.target >= 15.0f * dpi / 25.4f - 0.01f);
        }
    }
}

TEST_CASE("answers are as big as the screen allows, read in order, and no speaker lies on an answer") {
    struct Case {
        float w, h;
        int n;
        bool scale;
    };
    for (const Case c : {Case{600, 1024, 5, true}, Case{1200, 1920, 5, true}, Case{600, 1024, 3, true},
                         Case{1024, 600, 5, true}, Case{1920, 1200, 5, true}, Case{600, 1024, 6, false},
                         Case{1024, 600, 6, false}, Case{1200, 1920, 4, false}}) {
        for (const bool speaking : {false, true}) {
            for (const bool rtl : {false, true}) {
                CAPTURE(c.w);
                CAPTURE(c.h);
                CAPTURE(c.n);
                CAPTURE(speaking);
                CAPTURE(rtl);
                const auto L = ui::Layout::compute(c.w, c.h, 0);
                // The room a question leaves its answers: below its words, above the bottom bar.
                const ui::Box area{2 * L.pad, c.h * 0.3f, c.w - 2 * L.pad, c.h - 2.5f * L.target};
                const auto p = ui::place_answers(L, c.n, area, c.scale, speaking, rtl);
                REQUIRE(p.tiles.size() == static_cast<std::size_t>(c.n));
                CHECK(p.speakers.size() == (speaking ? p.tiles.size() : 0u));
                if (c.scale) CHECK(p.rows <= 2);
                for (std::size_t i = 0; i < p.tiles.size(); ++i) {
                    const auto& t = p.tiles[i];
                    CHECK(t.width() >= L.target - 0.01f);
                    // Inside the room it was given.
                    CHECK(t.x0 >= area.x0 - 0.5f);
                    CHECK(t.x1 <= area.x1 + 0.5f);
                    for (std::size_t j = 0; j < p.tiles.size(); ++j)
                        if (j != i) CHECK_FALSE(t.overlaps(p.tiles[j]));
                    for (const auto& sp : p.speakers)
                        CHECK_FALSE(t.overlaps(sp));
                    // Each speaker plainly its own answer's: nearer it than any other.
                    if (speaking) {
                        const auto& sp = p.speakers[i];
                        auto distance = [&](const ui::Box& b) {
                            const float cx = (sp.x0 + sp.x1) / 2, cy = (sp.y0 + sp.y1) / 2;
                            const float dx = std::max({b.x0 - cx, 0.0f, cx - b.x1});
                            const float dy = std::max({b.y0 - cy, 0.0f, cy - b.y1});
                            return std::hypot(dx, dy);
                        };
                        for (std::size_t j = 0; j < p.tiles.size(); ++j)
                            if (j != i) CHECK(distance(t) < distance(p.tiles[j]));
                    }
                    if (i == 0) continue;
                    // In reading order: along a row (from the right for right-to-left), then down.
                    const auto& before = p.tiles[i - 1];
                    if (t.y0 == before.y0)
                        CHECK((rtl ? t.x1 <= before.x0 : t.x0 >= before.x1));
                    else
                        CHECK(t.y0 > before.y1);
                }
                // In portrait the answers take the space: a scale of five is
                // not squeezed into one row of small faces.
                if (c.h > c.w && c.scale && c.n == 5) {
                    CHECK(p.rows == 2);
                    const float one_row = (area.width() - 4 * L.pad) / 5;
                    CHECK(p.size >= 1.5f * one_row);
                }
            }
        }
    }
}

TEST_CASE("a finger anywhere on an answer chooses it, even at its corners where a speaker used to sit") {
    for (const char* size : {"600x1024", "1920x1200"}) {
        SUBCASE(size) {
            Kiosk k;
            k.size = size;
            k.fingers = true;
            // The 4-7 band reads aloud (the dummy sound device plays it), so every answer has its speaker.
            std::string script = "touch band:4-7\ntouch visit:visit\ntouch handover\ntouch start\n"
                                 "shot speakers\n";
            // One corner of one answer on each question: each must choose it.
            const std::pair<const char*, const char*> taps[] = {{"listened:sad", "0.03,0.03"},
                                                                {"knows-me:yes", "0.97,0.03"},
                                                                {"help:happy", "0.03,0.97"},
                                                                {"best:play", "0.97,0.97"}};
            for (const auto& [answer, corner] : taps)
                script += "finger 1 down answer:" + std::string(answer) + "@" + corner + "\nfinger 1 up\nwait 800\n";
            script += "expect question:my-picture\n"; // the band's drawing, after the four
            auto r = k.replay(script, std::string("corners-") + size);
            INFO(r.err);
            REQUIRE(r.code == 0);
            const auto rs = k.stored();
            REQUIRE(rs.size() == 1);
            REQUIRE(rs[0].answers.size() == 4);
            const char* chosen[] = {"sad", "yes", "happy", "play"};
            for (std::size_t i = 0; i < 4; ++i)
                CHECK(rs[0].answers[i].options == std::vector<std::string>{chosen[i]});
        }
    }
}

TEST_CASE("skip and back: the changed answer and the skip are what is stored") {
    Kiosk k;
    auto r = k.replay("tap band:8-11\ntap visit:review\ntap handover\ntap start\n"
                      "tap answer:listened:happy\nwait 800\nexpect question:knows-me\n"
                      "tap back\nexpect question:listened\nshot back-shows-answer\n"
                      "tap answer:listened:very_sad\nwait 800\n"
                      "tap skip\nexpect question:decisions\n"
                      "tap back\ntap back\ntap back\nexpect welcome\ntap start\ntap next\ntap next\n"
                      "expect question:decisions\n",
                      "skip-back");
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    REQUIRE(rs[0].answers.size() == 2);
    CHECK(rs[0].answers[0].options == std::vector<std::string>{"very_sad"});
    CHECK(rs[0].answers[1].skipped);
    CHECK(rs[0].state == "in_progress");
}

TEST_CASE("touch as tablets send it: a resting palm presses nothing, a double tap counts once, a finger that slides "
          "off a button does not press it") {
    Kiosk k;
    const std::string start = "touch band:8-11\ntouch visit:visit\ntouch handover\ntouch start\n";
    SUBCASE("a palm down first, then a finger taps; and a finger down first, then a palm lands") {
        auto r = k.replay(start +
                              // The palm rests on "sad"; the finger taps "happy".
                              "finger 2 down answer:listened:sad\nshot palm-resting\ntouch answer:listened:happy\n"
                              "wait 800\nexpect question:knows-me\n"
                              // The palm lifts over the next question's "sad": nothing.
                              "finger 2 up\nwait 800\nexpect question:knows-me\n"
                              // The finger goes down on "happy", a palm lands on "very_sad", the finger lifts.
                              "finger 1 down answer:knows-me:happy\nfinger 2 down answer:knows-me:very_sad\n"
                              "finger 1 up\nwait 800\nexpect question:decisions\n"
                              "finger 2 up\nwait 800\nexpect question:decisions\n",
                          "touch-palm");
        INFO(r.err);
        REQUIRE(r.code == 0);
        const auto rs = k.stored();
        REQUIRE(rs.size() == 1);
        REQUIRE(rs[0].answers.size() == 2);
        CHECK(rs[0].answers[0].options == std::vector<std::string>{"happy"});
        CHECK(rs[0].answers[1].options == std::vector<std::string>{"happy"});
    }
    SUBCASE("double taps on a face, on skip and on a picture") {
        auto r = k.replay(start + "double answer:listened:happy\nwait 800\nexpect question:knows-me\n"
                                  "double skip\nwait 800\nexpect question:decisions\n"
                                  // Through to the pick-many question, where a double tap would pick and unpick.
                                  "touch answer:decisions:yes\nwait 800\ntouch answer:promises:yes\nwait 800\n"
                                  "touch answer:help:happy\nwait 800\nexpect question:better\n"
                                  "double answer:better:fun\ntouch next\nexpect question:tell-us\n",
                          "touch-double");
        INFO(r.err);
        REQUIRE(r.code == 0);
        const auto rs = k.stored();
        REQUIRE(rs.size() == 1);
        const auto& a = rs[0].answers;
        REQUIRE(a.size() == 6);
        CHECK(a[0].options == std::vector<std::string>{"happy"});
        CHECK(a[1].question_id == "knows-me");
        CHECK(a[1].skipped);
        CHECK(a[2].question_id == "decisions"); // not skipped by the second tap
        CHECK_FALSE(a[2].skipped);
        CHECK(a[5].options == std::vector<std::string>{"fun"});
    }
    SUBCASE("a finger slides off skip, and off an answer, before it lifts") {
        auto r =
            k.replay(start + "finger 1 down skip\nshot finger-on-skip\nfinger 1 move skip@0.5,0.9\n"
                             "finger 1 move answer:listened:happy\nfinger 1 up\nwait 800\n"
                             "expect question:listened\n"
                             "finger 1 down answer:listened:sad\nfinger 1 move answer:listened:sad@1,0\n"
                             "finger 1 move skip\nfinger 1 up\nwait 800\nexpect question:listened\n"
                             // Slid within the button, it still presses.
                             "finger 1 down answer:listened:sad@0.4,0.5\nfinger 1 move answer:listened:sad@0.8,0.8\n"
                             "finger 1 up\nwait 800\nexpect question:knows-me\n",
                     "touch-slide");
        INFO(r.err);
        REQUIRE(r.code == 0);
        const auto rs = k.stored();
        REQUIRE(rs.size() == 1);
        REQUIRE(rs[0].answers.size() == 1);
        CHECK(rs[0].answers[0].options == std::vector<std::string>{"sad"});
    }
    SUBCASE("a finger the script lifts twice, or moves before it is down, fails the replay clearly") {
        auto r = k.replay(start + "finger 3 up\n", "touch-wrong");
        CHECK(r.code == 3);
        CHECK(r.err.find("line 5: finger 3 is not down") != std::string::npos);
    }
}

// The default pack with a draw question in the 4-7 band (second, unless said) instead of its own at the end.
void with_draw_question(Kiosk& k, int at = 1) {
    k.packs = k.tmp / "packs";
    test::copy_pack(k.packs / "after-my-visit", [at](nlohmann::json& j) {
        test::without_own_words(j);
        for (auto& b : j["bands"])
            if (b["id"] == "4-7")
                b["questions"].insert(b["questions"].begin() + at,
                                      nlohmann::json{{"id", "my-picture"},
                                                     {"kind", "draw"},
                                                     {"text", {{"en", "Draw a picture of your visit"}}}});
    });
}

// The pixel at `x`, `y` of a PNG in memory, as 0xRRGGBB.
std::uint32_t png_pixel(const std::string& png, int x, int y, int* w = nullptr, int* h = nullptr) {
    int pw = 0, ph = 0, n = 0;
    stbi_uc* px = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), static_cast<int>(png.size()), &pw,
                                        &ph, &n, 3);
    REQUIRE(px != nullptr);
    if (w) *w = pw;
    if (h) *h = ph;
    const stbi_uc* p =
        px + (static_cast<std::size_t>(y) * static_cast<std::size_t>(pw) + static_cast<std::size_t>(x)) * 3;
    const std::uint32_t c = (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
    stbi_image_free(px);
    return c;
}

// A canvas point in 0..1 as canvas pixels.
int cx(float x) {
    return static_cast<int>(x * 1023);
}
int cy(float y) {
    return static_cast<int>(y * 767);
}

const std::string kDrawing = "touch band:4-7\ntouch visit:visit\ntouch handover\ntouch start\n"
                             "touch answer:listened:happy\nwait 800\nexpect question:my-picture\nshot draw-empty\n"
                             // The dark crayon, by finger; a blue stroke by mouse, taken back.
                             "stroke touch canvas 0.1,0.1 0.3,0.3 0.5,0.2 0.8,0.8\n"
                             "touch crayon:4\nstroke mouse canvas 0.2,0.8 0.8,0.2\nshot draw-two-strokes\n"
                             "touch undo\n"
                             // Red, with a hand resting on the canvas: only the finger draws.
                             "touch crayon:1\nfinger 2 down canvas@0.95,0.95\n"
                             "stroke touch canvas 0.5,0.9 0.55,0.7 0.6,0.5\nfinger 2 up\n"
                             // The eraser over the start of the first stroke.
                             "touch eraser\nstroke touch canvas 0.1,0.1 0.25,0.25\nshot draw-drawn\n"
                             // Clear, and undo brings it all back.
                             "touch clear\nshot draw-cleared\ntouch undo\n"
                             "touch next\nexpect question:knows-me\n";

void check_drawing(const std::string& png) {
    int w = 0, h = 0;
    CHECK(png_pixel(png, cx(0.5f), cy(0.2f), &w, &h) == 0x222222); // the dark stroke's corner
    CHECK(w == 1024);
    CHECK(h == 768);
    CHECK(png_pixel(png, cx(0.65f), cy(0.5f)) == 0x222222); // along it
    CHECK(png_pixel(png, cx(0.2f), cy(0.2f)) == 0xFFFFFF);  // erased
    CHECK(png_pixel(png, cx(0.5f), cy(0.5f)) != 0x1E5FD8);  // the blue stroke, taken back
    CHECK(png_pixel(png, cx(0.8f), cy(0.2f)) == 0xFFFFFF);
    CHECK(png_pixel(png, cx(0.55f), cy(0.7f)) == 0xE02020);  // red
    CHECK(png_pixel(png, cx(0.95f), cy(0.95f)) == 0xFFFFFF); // where the hand rested
    CHECK(png_pixel(png, cx(0.9f), cy(0.9f)) == 0xFFFFFF);
}

TEST_CASE("a draw question: crayons, the eraser, undo and clear, by finger and by mouse, kept as a PNG") {
    Kiosk k;
    with_draw_question(k);
    for (const char* size : {"1920x1200", "1024x600", "600x1024", "1200x1920"}) {
        SUBCASE(size) {
            k.size = size;
            auto r = k.replay(kDrawing, std::string("draw-") + size);
            INFO(r.err);
            REQUIRE(r.code == 0);
            const auto rs = k.stored();
            REQUIRE(rs.size() == 1);
            REQUIRE(rs[0].answers.size() == 2);
            const auto& a = rs[0].answers[1];
            CHECK(a.question_id == "my-picture");
            CHECK(a.kind == "draw");
            CHECK_FALSE(a.skipped);
            CHECK(a.media_type == "image/png");
            check_drawing(a.media);
        }
    }
}

TEST_CASE("on a drawing, two quick undos take back two strokes, and the second tap of a double tap on start draws "
          "nothing on the canvas that has just appeared") {
    SUBCASE("undo, twice quickly") {
        Kiosk k;
        with_draw_question(k);
        auto r = k.replay("touch band:4-7\ntouch visit:visit\ntouch handover\ntouch start\n"
                          "touch answer:listened:happy\nwait 800\n"
                          "stroke touch canvas 0.1,0.1 0.9,0.1\nstroke touch canvas 0.1,0.9 0.9,0.9\n"
                          "double undo\ntouch undo\n",
                          "draw-undo-twice");
        // Nothing is left to take back, so undo is not offered.
        CHECK(r.code == 3);
        CHECK(r.err.find("touch undo: no widget with that id") != std::string::npos);
    }
    SUBCASE("a double tap on start") {
        Kiosk k;
        with_draw_question(k, 0);
        auto r = k.replay("touch band:4-7\ntouch visit:visit\ntouch handover\ndouble start\n"
                          "expect question:my-picture\ntouch next\n",
                          "draw-double-start");
        // Nothing was drawn, so next is not offered.
        CHECK(r.code == 3);
        CHECK(r.err.find("touch next: no widget with that id") != std::string::npos);
    }
}

TEST_CASE("nothing of a child's drawing shows to the next child: their canvas starts white") {
    Kiosk k;
    with_draw_question(k);
    const std::string child = "touch band:4-7\ntouch visit:visit\ntouch handover\ntouch start\n"
                              "touch answer:listened:happy\nwait 800\nexpect question:my-picture\n";
    auto r = k.replay(child +
                          "shot blank\nstroke touch canvas 0.02,0.5 0.98,0.5\nshot first\ntouch next\n"
                          "touch answer:knows-me:yes\nwait 800\ntouch answer:help:ok\nwait 800\n"
                          "touch answer:best:play\nwait 800\nexpect thanks\nwait 9000\nexpect practitioner\n" +
                          child + "shot second\n",
                      "draw-next-child");
    INFO(r.err);
    REQUIRE(r.code == 0);
    // Pixels of the dark crayon, exactly: its button's disc and a drawing have them.
    auto dark = [](const std::filesystem::path& file) {
        int w = 0, h = 0, n = 0;
        stbi_uc* px = stbi_load(file.c_str(), &w, &h, &n, 3);
        REQUIRE(px != nullptr);
        std::size_t count = 0;
        for (int i = 0; i < w * h; ++i)
            count += px[3 * i] == 0x22 && px[3 * i + 1] == 0x22 && px[3 * i + 2] == 0x22;
        stbi_image_free(px);
        return count;
    };
    const auto blank = dark(shots_root / "draw-next-child" / "blank.png"); // the crayon's disc alone
    CHECK(dark(shots_root / "draw-next-child" / "first.png") > blank + 5000);
    CHECK(dark(shots_root / "draw-next-child" / "second.png") == blank);
}

TEST_CASE("a drawing is sealed to the collector's key before it is written: no picture in the clear on the tablet") {
    Kiosk k;
    with_draw_question(k);
    REQUIRE(sodium_init() >= 0);
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    crypto_box_keypair(pk, sk);
    test::write_file(k.tmp / "sync.json",
                     nlohmann::json{{"endpoint", "http://127.0.0.1:9"},
                                    {"token", std::string(64, 'a')},
                                    {"seal_keys", {{{"id", "k1"}, {"public_key", formats::to_base64(pk, sizeof pk)}}}},
                                    {"interval_seconds", 3600}}
                         .dump());
    k.extra = {"--sync-config", (k.tmp / "sync.json").string()};
    auto r = k.replay(kDrawing, "draw-sealed");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const std::string raw = test::read_file(k.db) + test::read_file(k.db.string() + "-wal");
    CHECK(raw.find("\x89PNG") == std::string::npos);
    CHECK(raw.find("IDAT") == std::string::npos);
    const auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    REQUIRE(rs[0].answers.size() == 2);
    const auto& a = rs[0].answers[1];
    CHECK(a.seal_key == "k1");
    CHECK(a.media_type == "image/png");
    REQUIRE(a.media.size() > crypto_box_SEALBYTES);
    std::string png(a.media.size() - crypto_box_SEALBYTES, '\0');
    REQUIRE(crypto_box_seal_open(reinterpret_cast<unsigned char*>(png.data()),
                                 reinterpret_cast<const unsigned char*>(a.media.data()), a.media.size(), pk, sk) == 0);
    check_drawing(png);
    // The same walk without a key keeps the PNG as it is: the search above would have found one.
    Kiosk plain;
    with_draw_question(plain);
    r = plain.replay(kDrawing, "draw-plain");
    REQUIRE(r.code == 0);
    const std::string clear = test::read_file(plain.db) + test::read_file(plain.db.string() + "-wal");
    CHECK(clear.find("\x89PNG") != std::string::npos);
}

TEST_CASE("a drawing is delivered sealed inside its response, and opens at the collector with its keys") {
    Kiosk k;
    with_draw_question(k);
    const std::string store = "sqlite:" + (k.tmp / "collector.db").string();
    const auto keys = (k.tmp / "keys.json").string();
    auto key = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys, "--id", "k1"});
    REQUIRE(key.code == 0);
    const auto token = test::add_token(store, "tablet-1");
    // The collector knows the pack with its draw question, and holds the key.
    test::CollectorProcess collector(store, {"--keys", keys, "--packs", k.packs.string()});
    test::write_file(k.tmp / "sync.json", nlohmann::json{{"endpoint", collector.url()},
                                                         {"token", token},
                                                         {"seal_keys", {nlohmann::json::parse(key.out)}},
                                                         {"keep_delivered_days", 30}, // kept, to be looked at
                                                         {"interval_seconds", 3600}}
                                              .dump());
    k.extra = {"--sync-config", (k.tmp / "sync.json").string()};
    std::string rest;
    for (const char* q : {"knows-me", "help"})
        rest += std::string("touch answer:") + q + ":" + (std::string(q) == "knows-me" ? "yes" : "ok") + "\nwait 800\n";
    auto r = k.replay(kDrawing + rest + "touch answer:best:play\nwait 800\nexpect thanks\nwait 9000\ndeliver\n",
                      "draw-delivered");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].delivered_at_ms.has_value());
    // At the collector it is sealed; the export with the keys opens it to the same picture.
    auto closed = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl"});
    CHECK(closed.out.find("iVBORw0KGgo") == std::string::npos); // no PNG in the clear
    auto open = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl", "--keys", keys});
    INFO(open.err);
    REQUIRE(open.code == 0);
    const auto line = nlohmann::json::parse(open.out.substr(0, open.out.find('\n')));
    const auto& answers = line.at("answers");
    REQUIRE(answers.size() == 5);
    const auto& drawing = answers.at(1);
    CHECK(drawing.at("kind") == "draw");
    CHECK(drawing.at("clip").at("type") == "image/png");
    std::vector<unsigned char> png;
    REQUIRE(formats::from_base64(drawing.at("clip").at("data").get<std::string>(), png));
    check_drawing(std::string(png.begin(), png.end()));
}

TEST_CASE("the idle timeout asks, then ends the session and keeps the answers") {
    Kiosk k;
    const std::string start = "tap band:4-7\ntap visit:visit\ntap handover\ntap start\n"
                              "tap answer:listened:happy\nwait 800\n";
    SUBCASE("nobody answers") {
        auto r = k.replay(start + "idle 89\nexpect question:knows-me\nidle 1\nexpect still_there\nshot still-there\n"
                                  "idle 30\nexpect practitioner\nshot after-timeout\n",
                          "idle");
        INFO(r.err);
        REQUIRE(r.code == 0);
        auto rs = k.stored();
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].state == "incomplete");
        REQUIRE(rs[0].answers.size() == 1);
        CHECK(rs[0].answers[0].options == std::vector<std::string>{"happy"});
    }
    SUBCASE("the child comes back") {
        auto r =
            k.replay(start + "idle 90\nexpect still_there\ntap still-here\nexpect question:knows-me\n", "idle-back");
        INFO(r.err);
        REQUIRE(r.code == 0);
        CHECK(k.stored()[0].state == "in_progress");
    }
}

TEST_CASE("a replay fails clearly when the kiosk is not where the script expects") {
    Kiosk k;
    SUBCASE("a tap on a widget that is not on screen") {
        auto r = k.replay("tap band:8-11\ntap start\n", "fail-tap");
        CHECK(r.code == 3);
        CHECK(r.err.find("line 2: tap start: no widget with that id on the practitioner screen") != std::string::npos);
    }
    SUBCASE("the wrong screen") {
        auto r = k.replay("expect thanks\n", "fail-expect");
        CHECK(r.code == 3);
        CHECK(r.err.find("line 1: expected the thanks screen, but the practitioner screen is showing") !=
              std::string::npos);
    }
    SUBCASE("a malformed script") {
        auto r = k.replay("tap band:8-11\n\nwait soon\n", "fail-script");
        CHECK(r.code == 2);
        CHECK(r.err.find("line 3: wait needs a whole number") != std::string::npos);
    }
}

TEST_CASE("a broken pack is refused on screen and the good packs keep working") {
    Kiosk k;
    k.packs = k.tmp / "packs";
    test::copy_pack(k.packs / "after-my-visit");
    test::copy_pack(k.packs / "broken", [](nlohmann::json& j) {
        j["id"] = "broken";
        j["bands"][0]["questions"][0]["kind"] = "slider";
    });
    auto r = k.replay("expect practitioner\nshot refused-pack\ntap band:4-7\ntap visit:plan\ntap handover\n"
                      "expect welcome\n",
                      "refused-pack");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.find("broken/pack.json:$.bands[0].questions[0].kind: unknown question kind \"slider\"") !=
          std::string::npos);
    REQUIRE(k.stored().size() == 1);
    CHECK(k.stored()[0].start.pack_id == "after-my-visit");
}

TEST_CASE("when the answers file can't be used, no child is handed the tablet") {
    Kiosk k;
    test::write_file(k.db, std::string(4096, 'x'));
    auto r = k.replay("tap band:8-11\ntap visit:visit\nshot storage-problem\ntap handover\n", "storage-problem");
    CHECK(r.code == 3);
    CHECK(r.err.find("tap handover: no widget") != std::string::npos);
    CHECK(r.err.find("damaged") != std::string::npos);
    CHECK(test::read_file(k.db) == std::string(4096, 'x'));
}

// The kernel's file-size limit is a full disk for one process: writes past it
// fail as they would on a full disk, with nothing else about the machine changed.
std::vector<std::string> disk_full_at(std::uintmax_t bytes) {
    return {"/usr/bin/prlimit", "--fsize=" + std::to_string(bytes), "--"};
}

// walk() without its screenshots, which a full disk could not keep either.
std::string walk_unseen(const pack::Band& band) {
    std::istringstream in(walk(band, "unseen"));
    std::string line, out;
    while (std::getline(in, line))
        if (line.rfind("shot ", 0) != 0) out += line + "\n";
    return out;
}

TEST_CASE("a full disk: at start the practitioner reads that storage is full and no child is handed the tablet") {
    Kiosk k;
    REQUIRE(k.replay("tap band:8-11\n", "full-made").code == 0);
    const std::string before = test::read_file(k.db);
    std::filesystem::remove(k.db.string() + "-shm");
    k.wrapper = disk_full_at(16384);
    auto r = k.replay("tap band:8-11\ntap visit:visit\ntap handover\n", "full-at-start");
    INFO(r.err);
    CHECK(r.code == 3);
    CHECK(r.err.find("tap handover: no widget") != std::string::npos);
    CHECK(r.err.find("the tablet's storage is full") != std::string::npos);
    CHECK(r.err.find("can't be saved right now") == std::string::npos);
    CHECK(test::read_file(k.db) == before);
}

TEST_CASE("a disk that fills during a session: the child goes on, and the log says what is not saved yet and why") {
    Kiosk k;
    REQUIRE(k.replay("tap band:8-11\n", "filling-made").code == 0);
    // Room for the WAL index (32 KiB), so the kiosk starts, and for a few
    // pages of the write-ahead log, not for a whole session's answers.
    k.wrapper = disk_full_at(32768);
    const auto& band = *default_pack().band("8-11");
    auto r = k.replay(walk_unseen(band), "filling");
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.err.find("not saved yet, held until they can be: Answers can't be saved: the tablet's storage is full") !=
          std::string::npos);
}

TEST_CASE("answers given on the kiosk arrive at the collector, and the practitioner sees it") {
    Kiosk k;
    const std::string store = "sqlite:" + (k.tmp / "collector.db").string();
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store);
    test::write_file(k.tmp / "sync.json", nlohmann::json{{"endpoint", collector.url()}, {"token", token}}.dump());
    k.extra = {"--sync-config", (k.tmp / "sync.json").string()};
    const auto& band = *default_pack().band("12-17"); // it ends in the child's own words
    auto r = k.replay(walk(band, "sent") + "deliver\nshot delivered\n", "delivery");
    INFO(r.err);
    REQUIRE(r.code == 0);
    // Kept by the collector, so deleted from the tablet (retention: at once by default).
    CHECK(k.stored().empty());
    const auto ids = test::exported_ids(store);
    REQUIRE(ids.size() == 1);
    CHECK(ids[0].size() == 32);
    CHECK(test::read_file(k.db).find("I like my worke") == std::string::npos);
    // These settings give no keys: the log says answers are not sealed (the screen says it in red).
    CHECK(r.err.find("answers are not sealed") != std::string::npos);
}

TEST_CASE(
    "a response the collector refuses stays on the tablet; the practitioner and the log say so, after a restart too") {
    Kiosk k;
    // The collector takes this pack without its 12-17 band.
    const auto packs = k.tmp / "collector-packs";
    std::filesystem::create_directories(packs);
    std::filesystem::copy(test::default_pack, packs / "after-my-visit", std::filesystem::copy_options::recursive);
    auto pack_json = nlohmann::json::parse(test::read_file(packs / "after-my-visit" / "pack.json"));
    auto& bands = pack_json["bands"];
    bands.erase(std::remove_if(bands.begin(), bands.end(), [](const auto& b) { return b["id"] == "12-17"; }),
                bands.end());
    test::write_file(packs / "after-my-visit" / "pack.json", pack_json.dump());
    const std::string store = "sqlite:" + (k.tmp / "collector.db").string();
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store, {"--packs", packs.string()});
    test::write_file(k.tmp / "sync.json", nlohmann::json{{"endpoint", collector.url()}, {"token", token}}.dump());
    k.extra = {"--sync-config", (k.tmp / "sync.json").string()};
    const auto& band = *default_pack().band("12-17");
    auto r = k.replay(walk(band, "refused") + "deliver\nshot refused-by-collector\n", "refused-by-collector");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(test::exported_ids(store).empty());
    auto kept = k.stored();
    REQUIRE(kept.size() == 1);
    CHECK_FALSE(kept[0].delivered_at_ms);
    CHECK(kept[0].refused_because.find("12-17") != std::string::npos);
    CHECK(r.err.find("1 response(s) refused by the server") != std::string::npos);
    // Started again: still counted, still not sent.
    auto again = k.replay("deliver\nshot refused-after-restart\n", "refused-after-restart");
    INFO(again.err);
    REQUIRE(again.code == 0);
    CHECK(again.err.find("1 response(s) refused by the server") != std::string::npos);
    CHECK(k.stored().size() == 1);
    // The admin's listing names the reason.
    auto listed = test::run({SAYSO_ADMIN, "responses", "--db", k.db.string(), "--format", "jsonl"});
    CHECK(listed.out.find("\"refused_because\"") != std::string::npos);
}

TEST_CASE("bad delivery settings are named, and the kiosk still collects answers") {
    Kiosk k;
    test::write_file(k.tmp / "sync.json", R"({"endpoint": "http://collector.example.org", "token": "t"})");
    k.extra = {"--sync-config", (k.tmp / "sync.json").string()};
    auto r =
        k.replay("shot bad-settings\ntap band:8-11\ntap visit:visit\ntap handover\nexpect welcome\n", "bad-settings");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.find("\"endpoint\" plain http is only allowed to this machine") != std::string::npos);
    CHECK(k.stored().size() == 1);
}

TEST_CASE("with nobody to deliver to, the practitioner reads that the server can't be reached") {
    Kiosk k;
    test::write_file(k.tmp / "sync.json", R"({"endpoint": "http://127.0.0.1:9", "token": "t",
                                             "retry_start_seconds": 0.05, "retry_cap_seconds": 0.1})");
    k.extra = {"--sync-config", (k.tmp / "sync.json").string()};
    const auto& band = *default_pack().band("4-7");
    auto r = k.replay(walk(band, "unreachable") + "deliver\nshot unreachable\n", "unreachable");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK_FALSE(k.stored().at(0).delivered_at_ms.has_value());
}

TEST_CASE("the PIN pad: wrong, right, back after each child, and a lockout that survives a restart") {
    Kiosk k;
    {
        // A database with the practitioner PIN 2468, set the way an admin does.
        test::write_file(k.tmp / "pin.txt", "2468\n2468\n");
        auto set = test::run(
            {"/bin/sh", "-c",
             std::string(SAYSO_ADMIN) + " pin set --db " + k.db.string() + " < " + (k.tmp / "pin.txt").string()});
        REQUIRE(set.code == 0);
    }
    auto pin = [](const std::string& digits) {
        std::string s;
        for (char d : digits)
            s += std::string("tap pin:") + d + "\n";
        return s + "tap pin:ok\n";
    };
    auto r =
        k.replay("expect locked\nshot pin-pad\n" + pin("1111") + "expect locked\nshot pin-wrong\n" + pin("2468") +
                     "expect practitioner\ntap band:4-7\ntap visit:visit\ntap handover\ntap start\n"
                     "tap skip\ntap skip\ntap skip\ntap skip\ntap skip\nexpect thanks\ntap finish\nexpect locked\n",
                 "pin");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(k.stored().size() == 1);

    // Three wrong tries lock the pad; the right PIN then does nothing, even after a restart.
    r = k.replay(pin("1111") + pin("2222") + pin("3333") + pin("2468") + "expect locked\nshot pin-locked\n",
                 "pin-lockout");
    INFO(r.err);
    REQUIRE(r.code == 0);
    r = k.replay(pin("2468") + "expect locked\n", "pin-restart");
    INFO(r.err);
    CHECK(r.code == 0);
    // And the practitioner screen's widgets were never reachable.
    r = k.replay("tap band:4-7\n", "pin-no-way-round");
    CHECK(r.code == 3);
}

TEST_CASE("the child taps stop: thank-you, then the practitioner screen; the answers kept, marked incomplete") {
    Kiosk k;
    auto r = k.replay("tap band:8-11\ntap visit:visit\ntap handover\nshot stop-welcome\ntap start\n"
                      "tap answer:listened:ok\nwait 800\nshot stop-question\ntap stop\nexpect thanks\n"
                      "wait 9000\nexpect practitioner\n",
                      "stop");
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto stored = k.stored();
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].state == "incomplete");
    REQUIRE(stored[0].answers.size() == 1);
    CHECK(stored[0].answers[0].options == std::vector<std::string>{"ok"});
}

TEST_CASE("a child asks to talk: kept with the response, and the practitioner is told without seeing answers") {
    Kiosk k;
    auto r = k.replay("tap band:8-11\ntap visit:visit\ntap handover\ntap start\n"
                      "tap answer:listened:sad\nwait 800\ntap talk\nshot talk-pressed\n"
                      "tap stop\nwait 9000\nexpect practitioner\nshot talk-practitioner\n",
                      "talk");
    INFO(r.err);
    REQUIRE(r.code == 0);
    // Sayso restarted before anyone saw it: the notice is still there.
    r = k.replay("shot talk-after-restart\ntap talk_seen\nshot talk-seen\n", "talk-restart");
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].asked_to_talk);
    CHECK(rs[0].state == "incomplete");
    // Once seen, the notice is gone.
    auto again = k.replay("tap talk_seen\n", "talk-again");
    CHECK(again.code != 0);
    CHECK(again.err.find("tap talk_seen: no widget") != std::string::npos);
}

TEST_CASE("the child picks a language; each is named in its own script and the answers record it") {
    Kiosk k;
    k.extra = {"--allow-draft-languages"};
    const auto& band = *default_pack().band("8-11");
    for (const std::string lang : {"pl", "ur", "pa-Guru"}) {
        CAPTURE(lang);
        std::string script = "tap band:8-11\ntap visit:visit\ntap handover\ntap lang:" + lang + "\n";
        std::string walked = walk(band, lang);
        // walk() starts at the practitioner screen; skip its first lines, we are on the welcome already.
        walked = walked.substr(walked.find("expect welcome"));
        auto r = k.replay(script + walked, "language-" + lang);
        INFO(r.err);
        REQUIRE(r.code == 0);
        for (const auto& q : band.questions)
            check_picture(shots_root / ("language-" + lang) / (lang + "-" + q.id + ".png"), 1920, 1200);
    }
    auto rs = k.stored();
    REQUIRE(rs.size() == 3);
    CHECK(rs[0].start.language == "pl");
    CHECK(rs[1].start.language == "ur");
    CHECK(rs[2].start.language == "pa-Guru");
    for (const auto& r : rs)
        CHECK(r.state == "complete");
}

TEST_CASE("draft translations are not offered to children unless allowed") {
    Kiosk k;
    auto r = k.replay("tap band:8-11\ntap visit:visit\ntap handover\ntap lang:ur\n", "drafts-hidden");
    CHECK(r.code == 3);
    CHECK(r.err.find("tap lang:ur: no widget") != std::string::npos);
}

namespace {

// What SDL's disk audio driver wrote: signed 16-bit mono samples.
std::vector<std::int16_t> heard(const std::filesystem::path& raw) {
    const std::string bytes = test::read_file(raw);
    std::vector<std::int16_t> s(bytes.size() / 2);
    if (!s.empty()) std::memcpy(s.data(), bytes.data(), s.size() * 2);
    return s;
}

// The loudest quarter second, as RMS 0..1.
double loudest(const std::vector<std::int16_t>& s, int rate) {
    const std::size_t window = static_cast<std::size_t>(rate) / 4;
    double best = 0;
    for (std::size_t at = 0; at + window <= s.size(); at += window / 2) {
        double sum = 0;
        for (std::size_t i = at; i < at + window; ++i)
            sum += double(s[i]) * s[i];
        best = std::max(best, std::sqrt(sum / static_cast<double>(window)) / 32768.0);
    }
    return best;
}

} // namespace

TEST_CASE("read-aloud: the youngest hear each question as it appears, and every speaker button speaks") {
    Kiosk k;
    const auto raw = k.tmp / "heard.raw";
    k.env = {"SDL_AUDIODRIVER=disk", "SDL_DISKAUDIOFILE=" + raw.string()};

    SUBCASE("the 4-7 band reads by itself") {
        auto r = k.replay("tap band:4-7\ntap visit:visit\ntap handover\nlisten\ntap start\nlisten\nshot read-aloud\n",
                          "read-aloud-47");
        INFO(r.err);
        REQUIRE(r.code == 0);
        CHECK(loudest(heard(raw), 22050) > 0.03);
    }
    SUBCASE("an older band is silent until a speaker is tapped") {
        auto r = k.replay("tap band:12-17\ntap visit:visit\ntap handover\ntap start\nlisten\n", "read-aloud-quiet");
        INFO(r.err);
        REQUIRE(r.code == 0);
        CHECK(loudest(heard(raw), 22050) < 0.001);
        r = k.replay("tap band:12-17\ntap visit:visit\ntap handover\ntap lang:ur\ntap start\n"
                     "tap speak:listened:happy\nlisten\n",
                     "read-aloud-answer");
        INFO(r.err);
        REQUIRE(r.code != 0); // Urdu is a draft: not offered without the flag
        k.extra = {"--allow-draft-languages"};
        r = k.replay("tap band:12-17\ntap visit:visit\ntap handover\ntap lang:ur\ntap start\n"
                     "tap speak:listened:happy\nlisten\n",
                     "read-aloud-answer");
        INFO(r.err);
        REQUIRE(r.code == 0);
        CHECK(loudest(heard(raw), 22050) > 0.03);
    }
}

TEST_CASE("read-aloud plays a pack's own recording where it has one") {
    Kiosk k;
    // A copy of the default pack with a recorded clip for one question: a
    // square wave, which espeak-ng would never make.
    std::filesystem::create_directories(k.tmp / "packs");
    std::filesystem::copy(test::default_pack, k.tmp / "packs" / "after-my-visit",
                          std::filesystem::copy_options::recursive);
    k.packs = k.tmp / "packs";
    const auto dir = k.packs / "after-my-visit" / "audio" / "en" / "12-17";
    std::filesystem::create_directories(dir);
    std::string pcm;
    for (int i = 0; i < 22050; ++i) {
        const std::int16_t v = (i / 50) % 2 ? 10000 : -10000;
        pcm.push_back(char(v & 0xFF));
        pcm.push_back(char((v >> 8) & 0xFF));
    }
    auto u32 = [](std::uint32_t x) { return std::string{char(x), char(x >> 8), char(x >> 16), char(x >> 24)}; };
    test::write_file(dir / "listened.wav", "RIFF" + u32(36 + 44100) + "WAVEfmt " + u32(16) +
                                               std::string("\x01\x00\x01\x00", 4) + u32(22050) + u32(44100) +
                                               std::string("\x02\x00\x10\x00", 4) + "data" + u32(44100) + pcm);
    const auto raw = k.tmp / "heard.raw";
    k.env = {"SDL_AUDIODRIVER=disk", "SDL_DISKAUDIOFILE=" + raw.string()};
    auto r =
        k.replay("tap band:12-17\ntap visit:visit\ntap handover\ntap start\ntap speak\nlisten\n", "read-aloud-clip");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto s = heard(raw);
    const auto flat = std::count_if(s.begin(), s.end(), [](std::int16_t v) { return v == 10000 || v == -10000; });
    CHECK(flat > 20000); // the whole recording played
    CHECK(loudest(s, 22050) > 0.2);
}

namespace {
std::uint32_t pixel(const std::filesystem::path& png, int x, int y) {
    int w = 0, h = 0, n = 0;
    stbi_uc* px = stbi_load(png.c_str(), &w, &h, &n, 4);
    REQUIRE(px != nullptr);
    std::uint32_t c = 0;
    std::memcpy(&c, px + 4 * (y * w + x), 4);
    stbi_image_free(px);
    return c & 0xFFFFFF; // RGB, little-endian: 0xBBGGRR
}
} // namespace

TEST_CASE("a child's text size, contrast, font and motion apply at once and reset for the next child") {
    Kiosk k;
    auto r = k.replay("tap band:8-11\ntap visit:visit\ntap handover\nshot before\n"
                      "tap access:text_size\ntap access:text_size\ntap access:high_contrast\n"
                      "tap access:easy_font\ntap access:less_motion\nshot after\ntap start\nshot question\n"
                      "tap stop\nexpect thanks\ntap sticker:rocket\nshot sticker\ntap finish\n"
                      "tap band:8-11\ntap handover\nshot next-child\n",
                      "access");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto dir = shots_root / "access";
    CHECK(pixel(dir / "before.png", 4, 4) == 0xE6F4FF);     // warm cream
    CHECK(pixel(dir / "after.png", 4, 4) == 0xFFFFFF);      // high contrast: white
    CHECK(pixel(dir / "question.png", 4, 4) == 0xFFFFFF);   // and it stays for the session
    CHECK(pixel(dir / "next-child.png", 4, 4) == 0xE6F4FF); // the next child starts fresh
    check_picture(dir / "sticker.png", 1920, 1200);
}

TEST_CASE("the on-screen keyboard types a child's words in their language's letters, and done moves on") {
    Kiosk k;
    k.extra = {"--allow-draft-languages"};
    std::string skips;
    for (int i = 0; i < 7; ++i)
        skips += "tap skip\n";
    auto r = k.replay("tap band:12-17\ntap visit:visit\ntap handover\ntap start\n" + skips +
                          "expect question:anything-else\ntap key:o\ntap key:k\ntap key:space\ntap key:x\n"
                          "tap key:backspace\ntap key:?\nshot keyboard-en\ntap key:done\nexpect thanks\nwait 9000\n"
                          "tap band:12-17\ntap handover\ntap lang:ur\ntap start\n" +
                          skips +
                          "tap key:\u0627\ntap key:\u0686\ntap key:\u06be\ntap key:\u0627\nshot keyboard-ur\n"
                          "tap key:done\nexpect thanks\n",
                      "keyboard");
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto rs = k.stored();
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].answers.back().text == "ok ?");
    CHECK(rs[1].answers.back().text == "\u0627\u0686\u06be\u0627");
    CHECK(rs[1].start.language == "ur");
}

TEST_CASE("a practitioner code and a case reference typed before handing over are kept, checked against the admin's "
          "pattern") {
    Kiosk k;
    REQUIRE(test::run({SAYSO_ADMIN, "case-pattern", "--db", k.db.string(), "C-[0-9]{3}"}).code == 0);
    CHECK(test::run({SAYSO_ADMIN, "case-pattern", "--db", k.db.string(), "C-[0-9"}).code == 1); // not a pattern
    const std::string typed =
        "tap band:8-11\ntap visit:visit\ntap field:code\ntap key:S\ntap key:W\ntap key:7\n"
        "tap key:done\ntap field:case\ntap key:C\ntap key:-\ntap key:1\ntap key:2\ntap key:done\n";
    // Too short for the pattern: "pass the tablet" stays disabled.
    auto r = k.replay(typed + "shot case-wrong\ntap handover\n", "case-ref-wrong");
    CHECK(r.code == 3);
    CHECK(r.err.find("tap handover: no widget") != std::string::npos);
    r = k.replay(typed + "tap field:case\ntap key:3\ntap key:done\nshot case-right\ntap handover\nexpect welcome\n"
                         "tap stop\nwait 9000\nexpect practitioner\nshot next-child\n",
                 "case-ref");
    INFO(r.err);
    REQUIRE(r.code == 0);
    auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].start.practitioner_code == "SW7");
    CHECK(rs[0].start.case_ref == "C-123");
}

TEST_CASE("the admin loads a bad pack (the old one stays) and a good one (used at once), and takes a pack out of use") {
    Kiosk k;
    std::filesystem::create_directories(k.tmp / "packs");
    test::copy_pack(k.tmp / "packs" / "after-my-visit");
    k.packs = k.tmp / "packs";
    test::copy_pack(k.tmp / "usb" / "stick" / "a-broken", [](nlohmann::json& j) { j["bands"][0]["questions"] = 3; });
    test::copy_pack(k.tmp / "usb" / "stick" / "b-second", [](nlohmann::json& j) {
        j["id"] = "second";
        j["title"]["en"] = "A second pack";
    });
    k.extra = {"--import", (k.tmp / "usb").string()};
    auto r =
        k.replay("tap admin\nexpect admin\ntap admin:install:0\nshot refused\ntap admin:close\n"
                 "expect practitioner\ntap band:8-11\n" // the old pack is still offered, alone
                 "tap admin\ntap admin:install:1\nshot installed\ntap admin:close\n"
                 "tap pack:second\ntap band:4-7\ntap visit:visit\ntap handover\nexpect welcome\ntap stop\nwait 9000\n"
                 "tap admin\ntap admin:toggle:second\ntap admin:close\ntap band:12-17\n",
                 "admin-packs");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.find("$.bands[0].questions") == std::string::npos); // shown on screen, not a crash
    auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].start.pack_id == "second");
    CHECK(std::filesystem::exists(k.packs / "second" / "pack.json"));
    // Out of use: no choice of pack is offered any more, and it stays so after a restart.
    r = k.replay("tap pack:second\n", "admin-packs-after");
    CHECK(r.code == 3);
}

TEST_CASE("closing Sayso asks for the admin PIN; a wrong one keeps it open, the right one closes it") {
    Kiosk k;
    test::write_file(k.tmp / "pin.txt", "2468\n2468\n");
    REQUIRE(test::run({"/bin/sh", "-c",
                       std::string(SAYSO_ADMIN) + " pin set --role admin --db " + k.db.string() + " < " +
                           (k.tmp / "pin.txt").string()})
                .code == 0);
    auto r =
        k.replay("quit\nexpect admin_pin\ntap pin:1\ntap pin:1\ntap pin:1\ntap pin:1\ntap pin:ok\nexpect admin_pin\n"
                 "tap pin:cancel\nexpect practitioner\n"
                 "tap band:8-11\ntap visit:visit\ntap handover\nquit\nexpect welcome\n" // not during a child's session
                 "tap stop\nwait 9000\nquit\ntap pin:2\ntap pin:4\ntap pin:6\ntap pin:8\ntap pin:ok\n"
                 "shot never-taken\n",
                 "quit");
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK_FALSE(std::filesystem::exists(shots_root / "quit" / "never-taken.png")); // closed before this line
    CHECK(r.err.find("not closing during a child's session") != std::string::npos);
}

TEST_CASE("the admin sets PINs on the tablet and wipes it only after asking twice") {
    Kiosk k;
    auto r = k.replay("tap band:8-11\ntap visit:visit\ntap handover\ntap stop\nwait 9000\n"
                      "tap admin\ntap admin:tab:pins\ntap admin:pin:practitioner\n"
                      "tap newpin:1\ntap newpin:3\ntap newpin:5\ntap newpin:7\ntap newpin:ok\n"
                      "tap newpin:1\ntap newpin:3\ntap newpin:5\ntap newpin:7\ntap newpin:ok\n"
                      "tap admin:tab:wipe\nshot wipe-ask\ntap admin:wipe\ntap admin:wipe-cancel\n"
                      "tap admin:wipe\ntap admin:wipe-sure\nshot wipe-sure\ntap admin:close\nexpect locked\n",
                      "wipe");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(k.stored().size() == 1); // asked, but not wiped
    r = k.replay("tap pin:1\ntap pin:3\ntap pin:5\ntap pin:7\ntap pin:ok\nexpect practitioner\ntap admin\n"
                 "tap admin:tab:wipe\ntap admin:wipe\ntap admin:wipe-sure\ntap admin:wipe-really\nshot wiped\n"
                 "tap admin:close\nexpect practitioner\n", // no PIN any more
                 "wipe-2");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(k.stored().empty());
}

TEST_CASE(
    "sayso-admin preview draws every screen of every band in every language at three sizes, with a contact sheet") {
    TempDir tmp;
    for (const auto& entry : std::filesystem::directory_iterator(test::source_dir / "surveys")) {
        if (!entry.is_directory()) continue;
        auto loaded = pack::load_pack(entry.path());
        REQUIRE(loaded.ok());
        const auto& p = *loaded.pack;
        const auto out = tmp / p.id;
        auto r = test::run({SAYSO_ADMIN, "preview", entry.path().string(), "--out", out.string()});
        INFO(r.err);
        REQUIRE(r.code == 0);
        const std::string index = test::read_file(out / "index.html");
        const std::vector<std::tuple<std::string, int, int>> sizes = {
            {"phone", 720, 1280}, {"tablet", 1280, 800}, {"large", 1920, 1080}};
        int pictures = 0;
        for (const auto& [size, w, h] : sizes)
            for (const auto& band : p.bands)
                for (const auto& lang : p.languages) {
                    const std::string prefix = size + "/" + band.id + "-" + lang + "-";
                    std::vector<std::string> files = {prefix + "1-welcome.png"};
                    for (std::size_t i = 0; i < band.questions.size(); ++i)
                        files.push_back(prefix + std::to_string(i + 2) + "-" + band.questions[i].id + ".png");
                    files.push_back(prefix + std::to_string(band.questions.size() + 2) + "-thanks.png");
                    if (lang == p.first_language()) // the next child's turn, before they choose a language
                        files.push_back(prefix + std::to_string(band.questions.size() + 3) + "-next-child.png");
                    for (const auto& f : files) {
                        INFO(f);
                        CHECK(index.find(f) != std::string::npos);
                        if (pictures++ % 7 == 0)
                            check_picture(out / f, w, h); // a sample: each is a real screen
                        else
                            CHECK(std::filesystem::file_size(out / f) > 10'000);
                    }
                }
        CHECK(pictures > (p.id == "after-my-visit" ? 300 : 30)); // every band, language and size
        for (const auto& d : p.drafts)
            CHECK(index.find(d + " <span class=\"draft\">") != std::string::npos);
    }
    // A broken pack: told why, no preview.
    test::copy_pack(tmp / "broken", [](nlohmann::json& j) { j["bands"] = 3; });
    auto r = test::run({SAYSO_ADMIN, "preview", (tmp / "broken").string(), "--out", (tmp / "nope").string()});
    CHECK(r.code == 1);
    CHECK(r.err.find("$.bands") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tmp / "nope" / "index.html"));
}

TEST_CASE("a kiosk without the development setting takes only packs signed by a key it trusts") {
    Kiosk k;
    k.unsigned_ok = false;
    std::filesystem::create_directories(k.tmp / "packs");
    const auto pack = test::copy_pack(k.tmp / "packs" / "after-my-visit");
    k.packs = k.tmp / "packs";
    REQUIRE(test::run({SAYSO_ADMIN, "keygen", "--out", (k.tmp / "council").string()}).code == 0);
    REQUIRE(test::run({SAYSO_ADMIN, "sign", pack.string(), "--key", (k.tmp / "council.secret").string()}).code == 0);
    k.extra = {"--trusted-keys", (k.tmp / "council.pub").string()};
    auto r = k.replay("tap band:8-11\nshot signed\n", "signed");
    INFO(r.err);
    CHECK(r.code == 0);

    // One picture swapped on the tablet: the pack is refused, the file named.
    test::write_file(pack / "pictures" / "help.png", test::read_file(pack / "pictures" / "play.png"));
    r = k.replay("shot tampered\ntap band:8-11\n", "signed-tampered");
    CHECK(r.code == 3);
    CHECK(r.err.find("help.png: was changed after the pack was signed") != std::string::npos);

    // And an unsigned pack, with no development setting, is refused too.
    std::filesystem::remove(pack / "SIGNATURE");
    r = k.replay("tap band:8-11\n", "unsigned");
    CHECK(r.code == 3);
    CHECK(r.err.find("not signed") != std::string::npos);
}

TEST_CASE("sealed answers: nothing a child tapped or wrote is on the tablet in the clear; the collector opens them, "
          "across a key rotation") {
    Kiosk k;
    const std::string store = "sqlite:" + (k.tmp / "collector.db").string();
    const auto keys = (k.tmp / "keys.json").string();
    auto key1 = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys, "--id", "k1"});
    INFO(key1.err);
    REQUIRE(key1.code == 0);
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store, {"--keys", keys});
    auto settings = [&](const std::vector<nlohmann::json>& seal_keys) {
        test::write_file(k.tmp / "sync.json", nlohmann::json{{"endpoint", collector.url()},
                                                             {"token", token},
                                                             {"seal_keys", seal_keys},
                                                             {"keep_delivered_days", 30}, // kept, to be searched
                                                             {"interval_seconds", 3600}}
                                                  .dump());
    };
    settings({nlohmann::json::parse(key1.out)});
    k.extra = {"--sync-config", (k.tmp / "sync.json").string()};
    std::string skips;
    for (int i = 0; i < 5; ++i)
        skips += "tap skip\n";
    // Answers with ids and words that can't turn up by chance in base64.
    const std::string session = "tap band:12-17\ntap visit:visit\ntap handover\ntap start\n"
                                "tap answer:listened:very_sad\nwait 800\n" +
                                skips + "tap answer:better:on-my-own\ntap next\ntype WORDS\ntap next\n";
    auto r = k.replay(session + "expect thanks\n", "sealed-1");
    INFO(r.err);
    REQUIRE(r.code == 0);
    // Before delivery: the tablet's file and its WAL, byte by byte.
    const std::string raw = test::read_file(k.db) + test::read_file(k.db.string() + "-wal");
    REQUIRE(raw.find("anything-else") != std::string::npos); // the search does see what is there
    for (const char* secret : {"WORDS", "very_sad", "on-my-own", "See me on my own", "Really bad"}) {
        INFO(secret);
        CHECK(raw.find(secret) == std::string::npos);
    }
    // sayso-admin on the tablet sees that answers exist, not what they are.
    auto local = test::run({SAYSO_ADMIN, "responses", "--db", k.db.string()});
    REQUIRE(local.code == 0);
    CHECK(local.out.find("WORDS") == std::string::npos);
    CHECK(local.out.find("\"sealed\"") != std::string::npos);

    r = k.replay("deliver\n", "sealed-deliver-1");
    INFO(r.err);
    REQUIRE(r.code == 0);

    // A second key; the tablet seals new answers to it.
    auto key2 = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys, "--id", "k2"});
    REQUIRE(key2.code == 0);
    settings({nlohmann::json::parse(key1.out), nlohmann::json::parse(key2.out)});
    r = k.replay(session + "expect thanks\nwait 9000\ndeliver\n", "sealed-2");
    INFO(r.err);
    REQUIRE(r.code == 0);

    // The collector read its keys file again when k2 was added, so both were taken without a restart.
    // Without the keys nothing opens (exported still sealed, with why); with them, both, old key and new.
    auto closed = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl"});
    CHECK(closed.code == 0);
    CHECK(closed.err.find("sealed to key \"k1\"") != std::string::npos);
    CHECK(closed.err.find("sealed to key \"k2\"") != std::string::npos);
    CHECK(closed.out.find("WORDS") == std::string::npos);
    auto open = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl", "--keys", keys});
    INFO(open.err);
    REQUIRE(open.code == 0);
    CHECK(std::count(open.out.begin(), open.out.end(), '\n') == 2);
    std::size_t at = 0, words = 0;
    while ((at = open.out.find("\"WORDS\"", at)) != std::string::npos)
        ++words, ++at;
    CHECK(words == 2);
    CHECK(open.out.find("\"seal_key\"") == std::string::npos); // exported opened, as plain answers

    // A collector that lost key k1 still starts and takes deliveries (every tablet depends on it);
    // it names the key (collector_test: "an answer stored under a key that is later lost…").
    auto all = nlohmann::json::parse(test::read_file(keys));
    test::write_file(k.tmp / "only-k2.json", nlohmann::json::array({all[1]}).dump());
    test::CollectorProcess lost(store, {"--keys", (k.tmp / "only-k2.json").string()}); // throws if it never listens
    CHECK(lost.port() > 0);
}

// Taps `text` out on the on-screen keyboard, a key at a time.
std::string tap_out(const std::string& text) {
    std::string script;
    for (char c : text)
        script += std::string("tap key:") + c + "\n";
    return script;
}

std::string erase(int keys) {
    std::string script;
    for (int i = 0; i < keys; ++i)
        script += "tap key:backspace\n";
    return script;
}

TEST_CASE("the admin enrols the tablet with a one-time code typed on screen; a revoked tablet says so and keeps its "
          "answers; a wipe forgets the token") {
    Kiosk k;
    const std::string store = "sqlite:" + (k.tmp / "collector.db").string();
    const auto keys = (k.tmp / "keys.json").string();
    REQUIRE(test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys, "--id", "k1"}).code == 0);
    auto made = test::run({SAYSO_COLLECTOR, "enrol", "tablet-9", "--store", store});
    REQUIRE(made.code == 0);
    const std::string code = made.out.substr(0, 14);
    test::CollectorProcess collector(store, {"--keys", keys});
    const auto settings = k.tmp / "etc" / "sync.json"; // not there yet: the tablet is not set up
    std::filesystem::create_directories(settings.parent_path());
    k.extra = {"--sync-config", settings.string()};
    const std::string session = "tap band:12-17\ntap visit:visit\ntap handover\ntap start\n"
                                "tap answer:listened:very_sad\nwait 800\ntap skip\ntap skip\ntap skip\ntap skip\n"
                                "tap skip\ntap answer:better:on-my-own\ntap next\ntype WORDS\ntap next\n"
                                "expect thanks\nwait 9000\n";
    auto r = k.replay("tap admin\ntap admin:tab:delivery\nshot not-enrolled\n"
                      "tap admin:field:endpoint\n" +
                          tap_out(collector.url()) +
                          "tap key:done\n"
                          "tap admin:field:code\n" +
                          tap_out("ABCD-EFGH-JKMN") +
                          "shot typing-code\ntap key:done\n"
                          "tap admin:enrol\nshot wrong-code\n" // a code never issued
                          "tap admin:field:code\n" +
                          erase(14) + tap_out(code) +
                          "tap key:done\ntap admin:enrol\nshot enrolled\ntap admin:close\n"
                          "expect practitioner\n" +
                          session + "deliver\nshot delivered\n",
                      "enrol");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.find("enrolment: The collector refused this code") != std::string::npos);
    CHECK(r.err.find("enrolment: Enrolled as \"tablet-9\"") != std::string::npos);
    // The settings file now holds the token and the key, for the kiosk's user alone.
    const auto written = nlohmann::json::parse(test::read_file(settings));
    CHECK(written["endpoint"] == collector.url());
    CHECK(written["token"].get<std::string>().size() == 64);
    REQUIRE(written["seal_keys"].size() == 1);
    CHECK(written["seal_keys"][0]["id"] == "k1");
    const auto publish = test::run({SAYSO_COLLECTOR, "publish-key", "--store", store}).out;
    CHECK(written["publish_key"] == publish.substr(0, publish.find('\n')));
    CHECK((std::filesystem::status(settings).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    // The answers went sealed, and the collector opens them.
    CHECK(k.stored().empty());
    auto open = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl", "--keys", keys});
    REQUIRE(open.code == 0);
    CHECK(open.out.find("\"WORDS\"") != std::string::npos);
    CHECK(open.out.find("\"device_name\":\"tablet-9\"") != std::string::npos);

    // Revoked at the collector: the tablet says so in words and keeps the next child's answers.
    REQUIRE(test::run({SAYSO_COLLECTOR, "token", "revoke", "tablet-9", "--store", store}).code == 0);
    r = k.replay(session + "deliver\nshot revoked\n", "enrol-revoked");
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.err.find("delivery: This tablet was switched off at the server (its token was revoked)") !=
          std::string::npos);
    REQUIRE(k.stored().size() == 1);
    CHECK_FALSE(k.stored()[0].delivered_at_ms.has_value());

    // A wipe takes the token and keys too; the collector's address stays for enrolling again.
    r = k.replay("tap admin\ntap admin:tab:wipe\ntap admin:wipe\ntap admin:wipe-sure\ntap admin:wipe-really\n"
                 "shot wiped\ntap admin:close\nexpect practitioner\n",
                 "enrol-wiped");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const std::string after = test::read_file(settings);
    CHECK(after.find(written["token"].get<std::string>()) == std::string::npos);
    CHECK(after.find("seal_keys") == std::string::npos);
    CHECK(after.find("publish_key") == std::string::npos);
    CHECK(nlohmann::json::parse(after)["endpoint"] == collector.url());
    CHECK(k.stored().empty());
    // Restarted after the wipe, it is not enrolled and says answers are not sealed.
    r = k.replay("shot after-wipe\n", "enrol-after-wipe");
    REQUIRE(r.code == 0);
    CHECK(r.err.find("not enrolled yet") != std::string::npos);
}

namespace {
// The default pack with a voice question of `seconds` second in the 4-7 and 8-11 bands (second, instead of the pack's
// own drawing and recording), its words in English and
// (drafted for these tests) Urdu.
void with_voice_question(Kiosk& k, int seconds = 5) {
    k.packs = k.tmp / "packs";
    test::copy_pack(k.packs / "after-my-visit", [seconds](nlohmann::json& j) {
        test::without_own_words(j);
        test::add_voice_words(j);
        j["words"]["record"]["ur"] = "مائیکروفون کو چھوئیں اور بولیں";
        j["words"]["recording"]["ur"] = "میں سن رہا ہوں۔ بات ختم ہو تو چوکور کو چھوئیں";
        j["words"]["listen"]["ur"] = "سنیں";
        j["words"]["try_again"]["ur"] = "دوبارہ کوشش کریں";
        j["words"]["no_microphone"]["ur"] = "یہ ٹیبلٹ ابھی آپ کو سن نہیں سکتا۔ آپ یہ سوال چھوڑ سکتے ہیں۔";
        for (auto& b : j["bands"])
            if (b["id"] == "4-7" || b["id"] == "8-11")
                b["questions"].insert(
                    b["questions"].begin() + 1,
                    nlohmann::json{
                        {"id", "my-voice"},
                        {"kind", "voice"},
                        {"max_seconds", seconds},
                        {"text", {{"en", "Tell us about your visit"}, {"ur", "ہمیں اپنی ملاقات کے بارے میں بتائیں"}}}});
    });
}

// What the microphone hears: a file SDL's disk audio driver reads as capture, 48 kHz mono, signed 16-bit.
std::vector<std::int16_t> microphone_hears(Kiosk& k, const std::vector<std::int16_t>& said) {
    const auto in = k.tmp / "microphone.raw";
    test::write_file(in, std::string(reinterpret_cast<const char*>(said.data()), said.size() * 2));
    k.env = {"SDL_AUDIODRIVER=disk", "SDL_DISKAUDIOFILEIN=" + in.string(),
             "SDL_DISKAUDIOFILE=" + (k.tmp / "heard.raw").string()};
    return said;
}

// From the practitioner screen to the voice question of `band`, the first question answered.
std::string to_voice(const std::string& band) {
    return "touch band:" + band +
           "\ntouch visit:visit\ntouch handover\ntouch start\n"
           "touch answer:listened:happy\nwait 800\nexpect question:my-voice\n";
}
const std::string kToVoice = to_voice("4-7");

} // namespace

TEST_CASE("a voice question records the child through SDL's capture, plays it back, and keeps it as Ogg Opus that "
          "decodes to the same length") {
    Kiosk k;
    with_voice_question(k, 5);
    // Five seconds: three of something like a voice, two of quiet; the question's length is five.
    const auto said = microphone_hears(k, test::voice_like(3.0, 2.0));
    // The 8-11 band, which does not read its questions aloud unasked: the speaker's device opens anew for each
    // thing said, and SDL's disk driver starts its file again each time, so the next question read aloud would
    // take the place of the recording played back.
    auto r = k.replay(to_voice("8-11") + "shot voice-ready\ntouch record\nshot voice-recording\nlisten\n"
                                         "expect question:my-voice\nshot voice-recorded\ntouch listen\nlisten\n"
                                         "touch next\nexpect question:knows-me\n",
                      "voice");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    REQUIRE(rs[0].answers.size() == 2);
    const auto& a = rs[0].answers[1];
    CHECK(a.question_id == "my-voice");
    CHECK(a.kind == "voice");
    CHECK(a.media_type == "audio/ogg");
    const auto got = test::decode_ogg_opus(a.media);
    REQUIRE(got);
    CHECK(got->size() == said.size()); // the same length, to the sample
    CHECK(test::rms(*got, 0, 3 * 48000) == doctest::Approx(test::rms(said, 0, 3 * 48000)).epsilon(0.15));
    CHECK(test::rms(*got, 3 * 48000 + 4800, said.size()) < 0.002);
    // Listening back played it: the loud part, at the speaker's 22050 Hz, in what the disk driver wrote.
    const auto played = heard(k.tmp / "heard.raw");
    CHECK(loudest(played, 22050) > 0.1);
}

TEST_CASE("a recording tried again is not the one kept, and one the child walks away from is never sent") {
    Kiosk k;
    with_voice_question(k, 5);
    microphone_hears(k, test::voice_like(5.0));
    auto r = k.replay(kToVoice + "touch record\nlisten\ntouch try-again\nexpect question:my-voice\n"
                                 "shot voice-again\ntouch back\nexpect question:listened\n",
                      "voice-again");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    REQUIRE(rs[0].answers.size() == 1); // the faces; no recording
    CHECK(rs[0].answers[0].question_id == "listened");
}

TEST_CASE("without a microphone the voice question says so in words and offers the skip") {
    Kiosk k;
    with_voice_question(k, 5);
    k.env = {"SDL_AUDIODRIVER=disk", "SDL_DISKAUDIOFILEIN=" + (k.tmp / "no-such-microphone.raw").string(),
             "SDL_DISKAUDIOFILE=" + (k.tmp / "heard.raw").string()};
    auto r = k.replay(kToVoice + "touch record\nexpect question:my-voice\nshot no-microphone\ntouch skip\n"
                                 "expect question:knows-me\n",
                      "voice-no-microphone");
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    REQUIRE(rs[0].answers.size() == 2);
    CHECK(rs[0].answers[1].skipped);
    CHECK(rs[0].answers[1].media.empty());
    // The record button is gone once the tablet knows it can't hear.
    r = k.replay(kToVoice + "touch record\ntouch record\n", "voice-no-microphone-twice");
    CHECK(r.code == 3);
    CHECK(r.err.find("touch record: no widget with that id") != std::string::npos);
    // A replay waiting for a moment of a recording when none is being made says so, rather than going on.
    r = k.replay(kToVoice + "touch record\nlisten 250\n", "voice-no-microphone-listen");
    CHECK(r.code == 3);
    CHECK(r.err.find("listen 250: no recording is being made") != std::string::npos);
}

TEST_CASE("the voice question's screens at each size, and in Urdu") {
    Kiosk k;
    with_voice_question(k, 5);
    microphone_hears(k, test::voice_like(5.0));
    k.extra = {"--allow-draft-languages"};
    for (const char* size : {"1024x600", "1920x1200", "600x1024"}) {
        for (const char* lang : {"en", "ur"}) {
            SUBCASE((std::string(size) + " " + lang).c_str()) {
                k.size = size;
                const std::string pick = std::string(lang) == "en" ? "" : std::string("touch lang:") + lang + "\n";
                auto r = k.replay("touch band:8-11\ntouch visit:visit\ntouch handover\n" + pick +
                                      "touch start\ntouch answer:listened:happy\nwait 800\nexpect question:my-voice\n"
                                      "shot ready\ntouch record\nshot recording\nlisten\nshot recorded\n",
                                  std::string("voice-") + size + "-" + lang);
                INFO(r.err);
                REQUIRE(r.code == 0);
            }
        }
    }
}

TEST_CASE("a recording is sealed before it is written, delivered inside its response, and opens at the collector to "
          "the same length") {
    Kiosk k;
    with_voice_question(k, 5);
    const auto said = microphone_hears(k, test::voice_like(3.0, 2.0));
    const std::string store = "sqlite:" + (k.tmp / "collector.db").string();
    const auto keys = (k.tmp / "keys.json").string();
    auto key = test::run({SAYSO_COLLECTOR, "keys", "new", "--keys", keys, "--id", "k1"});
    REQUIRE(key.code == 0);
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store, {"--keys", keys, "--packs", k.packs.string()});
    test::write_file(k.tmp / "sync.json", nlohmann::json{{"endpoint", collector.url()},
                                                         {"token", token},
                                                         {"seal_keys", {nlohmann::json::parse(key.out)}},
                                                         {"keep_delivered_days", 30},
                                                         {"interval_seconds", 3600}}
                                              .dump());
    k.extra = {"--sync-config", (k.tmp / "sync.json").string()};
    auto r = k.replay(kToVoice + "touch record\nlisten\ntouch next\nexpect question:knows-me\n", "voice-sealed");
    INFO(r.err);
    REQUIRE(r.code == 0);
    // On the tablet: sealed, in the database and its WAL; no Ogg or Opus header in the clear.
    const std::string raw = test::read_file(k.db) + test::read_file(k.db.string() + "-wal");
    CHECK(raw.find("OggS") == std::string::npos);
    CHECK(raw.find("OpusHead") == std::string::npos);
    CHECK(raw.find("OpusTags") == std::string::npos);
    auto rs = k.stored();
    REQUIRE(rs.size() == 1);
    REQUIRE(rs[0].answers.size() == 2);
    CHECK(rs[0].answers[1].seal_key == "k1");

    std::string rest;
    for (const char* q : {"knows-me", "help"})
        rest += std::string("touch answer:") + q + ":" + (std::string(q) == "knows-me" ? "yes" : "ok") + "\nwait 800\n";
    r = k.replay(kToVoice + "touch record\nlisten\ntouch next\n" + rest +
                     "touch answer:best:play\nwait 800\nexpect thanks\nwait 9000\ndeliver\n",
                 "voice-delivered");
    INFO(r.err);
    REQUIRE(r.code == 0);
    rs = k.stored();
    REQUIRE(rs.size() == 2);
    for (const auto& one : rs)
        CHECK(one.delivered_at_ms.has_value());
    auto closed = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl"});
    CHECK(closed.out.find("T2dnUw") == std::string::npos); // "OggS" in base64: none in the clear
    auto open = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl", "--keys", keys});
    INFO(open.err);
    REQUIRE(open.code == 0);
    int recordings = 0;
    std::istringstream lines(open.out);
    for (std::string line; std::getline(lines, line);) {
        const auto response = nlohmann::json::parse(line);
        for (const auto& a : response.at("answers")) {
            if (a.at("kind") != "voice") continue;
            CHECK(a.at("clip").at("type") == "audio/ogg");
            std::vector<unsigned char> bytes;
            REQUIRE(formats::from_base64(a.at("clip").at("data").get<std::string>(), bytes));
            const auto got = test::decode_ogg_opus(std::string(bytes.begin(), bytes.end()));
            REQUIRE(got);
            CHECK(got->size() == said.size());
            ++recordings;
        }
    }
    CHECK(recordings == 2);
}

namespace {
// The default pack with a screen saying who will see, and the choice of name; in English and (drafted for these
// tests) Urdu.
void with_intro(Kiosk& k) {
    k.packs = k.tmp / "packs";
    test::copy_pack(k.packs / "after-my-visit", [](nlohmann::json& j) {
        j["intro"] = {{"en", "Your worker and their manager will read what you say, to make things better. You can "
                             "skip any question, or stop at any time."},
                      {"ur", "آپ کا کارکن اور ان کا مینیجر آپ کی باتیں پڑھیں گے، تاکہ چیزیں بہتر ہوں۔ آپ کوئی بھی "
                             "سوال چھوڑ سکتے ہیں، یا کسی بھی وقت رک سکتے ہیں۔"}};
        j["name_choice"] = true;
        j["words"]["with_name"] = {{"en", "Send it with my name"}, {"ur", "میرے نام کے ساتھ بھیجیں"}};
        j["words"]["without_name"] = {{"en", "Send it without my name"}, {"ur", "میرے نام کے بغیر بھیجیں"}};
    });
}

const std::string kWithCase = "touch band:8-11\ntouch visit:visit\ntap field:case\ntap key:C\ntap key:-\ntap key:7\n"
                              "tap key:done\ntouch handover\n";
} // namespace

TEST_CASE("who will see, and with or without my name: the screen at each size and in Urdu, and a child who chooses "
          "without is stored and delivered without their case reference") {
    Kiosk k;
    with_intro(k);
    k.extra = {"--allow-draft-languages"};
    SUBCASE("the screen") {
        for (const char* size : {"1024x600", "1920x1200", "600x1024"}) {
            for (const char* lang : {"en", "ur"}) {
                k.size = size;
                const std::string pick = std::string(lang) == "en" ? "" : std::string("touch lang:") + lang + "\n";
                auto r = k.replay(kWithCase + pick + "touch start\nexpect intro\nshot intro\n",
                                  std::string("intro-") + size + "-" + lang);
                INFO(size << " " << lang << ": " << r.err);
                REQUIRE(r.code == 0);
            }
        }
        // The largest text size on the smallest screen: the words and both choices still fit above the bar.
        k.size = "1024x600";
        auto big = k.replay(kWithCase + "touch access:text_size\ntouch access:text_size\ntouch start\nexpect intro\n"
                                        "shot intro-largest\ntouch name:without\nexpect question:listened\n",
                            "intro-largest");
        INFO(big.err);
        REQUIRE(big.code == 0);
        // Without a case reference there is nothing to choose: the screen says who will see, and next goes on.
        auto r = k.replay("touch band:8-11\ntouch visit:visit\ntouch handover\ntouch start\nexpect intro\n"
                          "shot intro-no-case\ntouch next\nexpect question:listened\n",
                          "intro-no-case");
        INFO(r.err);
        REQUIRE(r.code == 0);
    }
    SUBCASE("without my name, end to end") {
        const std::string store = "sqlite:" + (k.tmp / "collector.db").string();
        const auto token = test::add_token(store, "tablet-1");
        test::CollectorProcess collector(store, {"--packs", k.packs.string()});
        test::write_file(k.tmp / "sync.json", nlohmann::json{{"endpoint", collector.url()},
                                                             {"token", token},
                                                             {"keep_delivered_days", 30},
                                                             {"interval_seconds", 3600}}
                                                  .dump());
        k.extra.push_back("--sync-config");
        k.extra.push_back((k.tmp / "sync.json").string());
        // Two answers, then the rest skipped: four questions and the recording that ends the band.
        const std::string answers = "touch answer:listened:happy\nwait 800\ntouch answer:knows-me:happy\nwait 800\n"
                                    "touch skip\ntouch skip\ntouch skip\ntouch skip\ntouch skip\n";
        auto r = k.replay(kWithCase + "touch start\nexpect intro\ntouch name:without\nexpect question:listened\n" +
                              answers + "expect thanks\nwait 9000\n",
                          "intro-without");
        INFO(r.err);
        REQUIRE(r.code == 0);
        // Never written: not in the tablet's file or its WAL.
        const std::string raw = test::read_file(k.db) + test::read_file(k.db.string() + "-wal");
        CHECK(raw.find("C-7") == std::string::npos);
        r = k.replay(kWithCase + "touch start\ntouch name:with\n" + answers + "expect thanks\nwait 9000\ndeliver\n",
                     "intro-with");
        INFO(r.err);
        REQUIRE(r.code == 0);
        const auto rs = k.stored();
        REQUIRE(rs.size() == 2);
        std::multiset<std::string> refs;
        for (const auto& one : rs) {
            CHECK(one.delivered_at_ms.has_value());
            CHECK(one.answers.size() == 7);
            refs.insert(one.start.case_ref);
        }
        CHECK(refs == std::multiset<std::string>{"", "C-7"});
        auto out = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl"});
        REQUIRE(out.code == 0);
        std::multiset<std::string> delivered;
        std::istringstream lines(out.out);
        for (std::string line; std::getline(lines, line);) {
            const auto j = nlohmann::json::parse(line);
            delivered.insert(j.value("case_ref", std::string()));
        }
        CHECK(delivered == std::multiset<std::string>{"", "C-7"});
    }
}

TEST_CASE("a child who asks to talk is told their worker will talk with them, and of Childline, read aloud for the "
          "youngest, with none of their answers on the screen") {
    Kiosk k;
    k.extra = {"--allow-draft-languages"};
    SUBCASE("the screen at each size, and in Urdu") {
        for (const char* size : {"1024x600", "1920x1200", "600x1024"}) {
            for (const char* lang : {"en", "ur"}) {
                Kiosk one; // a tablet of its own: after a child asked, the practitioner must see to it first
                one.extra = k.extra;
                one.size = size;
                const std::string pick = std::string(lang) == "en" ? "" : std::string("touch lang:") + lang + "\n";
                auto r = one.replay("touch band:8-11\ntouch visit:visit\ntouch handover\n" + pick +
                                        "touch start\ntouch answer:listened:sad\nwait 800\ntouch talk\nexpect talk\n"
                                        "shot talk\ntouch carry-on\nexpect question:knows-me\n",
                                    std::string("talk-screen-") + size + "-" + lang);
                INFO(size << " " << lang << ": " << r.err);
                REQUIRE(r.code == 0);
            }
        }
        // Nothing of the question or its answers can be pressed there.
        auto r = k.replay("touch band:8-11\ntouch visit:visit\ntouch handover\ntouch start\ntouch talk\n"
                          "touch help-line\ntouch answer:listened:sad\n",
                          "talk-no-answers");
        CHECK(r.code == 3);
        CHECK(r.err.find("touch answer:listened:sad: no widget with that id") != std::string::npos);
    }
    SUBCASE("read aloud for the youngest") {
        const auto raw = k.tmp / "heard.raw";
        k.env = {"SDL_AUDIODRIVER=disk", "SDL_DISKAUDIOFILE=" + raw.string()};
        auto r = k.replay("touch band:4-7\ntouch visit:visit\ntouch handover\nlisten\ntouch start\nlisten\n"
                          "touch talk\nexpect talk\nlisten\n",
                          "talk-read-aloud");
        INFO(r.err);
        REQUIRE(r.code == 0);
        // The disk driver's file holds what was said since the speaker last opened its device: this screen's
        // words and the help line's number, digit by digit, several seconds of speech.
        const auto s = heard(raw);
        CHECK(s.size() > 22050u * 5);
        CHECK(loudest(s, 22050) > 0.03);
        const auto rs = k.stored();
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].asked_to_talk);
    }
}

namespace {

// Rows put in the collector's store as its reports page keeps them (reports/views.cpp).
void add_we_did_rows(const std::filesystem::path& file,
                     const std::vector<std::array<std::string, 5>>& rows) { // measure, said, did, area, language
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    for (const auto& r : rows) {
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(db,
                                   "INSERT INTO we_did (measure, you_said, we_did, service_area, language, created_by)"
                                   " VALUES (?, ?, ?, ?, ?, 'ada')",
                                   -1, &st, nullptr) == SQLITE_OK);
        for (int i = 0; i < 5; ++i)
            sqlite3_bind_text(st, i + 1, r[static_cast<std::size_t>(i)].c_str(), -1, SQLITE_TRANSIENT);
        CHECK(sqlite3_step(st) == SQLITE_DONE);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

std::string first_line(const std::string& s) {
    return s.substr(0, s.find('\n'));
}

} // namespace

TEST_CASE("you said, we did: what the collector published for this tablet's area shows on the welcome screen in the "
          "child's language and is read aloud; it is kept for when the collector can't be reached; a list not signed "
          "by this collector is never shown") {
    Kiosk k;
    const auto file = k.tmp / "collector.db";
    const std::string store = "sqlite:" + file.string();
    auto made = test::run({SAYSO_COLLECTOR, "token", "add", "tablet-1", "--store", store, "--service", "early-help"});
    REQUIRE(made.code == 0);
    const std::string token = first_line(made.out);
    auto key = test::run({SAYSO_COLLECTOR, "publish-key", "--store", store});
    REQUIRE(key.code == 0);
    const std::string publish_key = first_line(key.out);
    add_we_did_rows(file, {{"listened", "Your worker was always in a hurry.",
                            "Every visit now ends with ten minutes "
                            "just for you.",
                            "early-help", "en"},
                           {"listened", "OTHER-AREA", "OTHER-AREA", "children-in-care", "en"},
                           {"listened", "آپ کا کارکن ہمیشہ جلدی میں ہوتا تھا۔",
                            "اب ہر ملاقات کے آخر میں دس منٹ صرف آپ کے لیے ہوتے ہیں۔", "", "ur"}});
    const auto raw = k.tmp / "heard.raw";
    k.env = {"SDL_AUDIODRIVER=disk", "SDL_DISKAUDIOFILE=" + raw.string()};
    k.extra = {"--sync-config", (k.tmp / "sync.json").string(), "--allow-draft-languages"};
    const std::string to_welcome = "tap band:12-17\ntap visit:visit\ntap handover\nexpect welcome\n";
    {
        test::CollectorProcess collector(store);
        test::write_file(
            k.tmp / "sync.json",
            nlohmann::json{{"endpoint", collector.url()}, {"token", token}, {"publish_key", publish_key}}.dump());
        for (const auto& size : {"1920x1200", "1024x600", "600x1024"}) {
            k.size = size;
            auto r = k.replay("deliver\n" + to_welcome + "shot we-did\ntap lang:ur\nshot we-did-ur\n",
                              std::string("we-did-") + size);
            INFO(r.err);
            REQUIRE(r.code == 0);
            check_picture(shots_root / (std::string("we-did-") + size) / "we-did.png", std::stoi(size),
                          std::stoi(std::string(size).substr(std::string(size).find('x') + 1)));
        }
        k.size = "1920x1200";
        auto r = k.replay("deliver\n" + to_welcome + "tap speak:we_did\nlisten\n", "we-did-spoken");
        INFO(r.err);
        REQUIRE(r.code == 0);
        CHECK(loudest(heard(raw), 22050) > 0.03);
    }
    // Kept as it came, for this area alone, and shown while the collector is away.
    {
        auto s = test::open_store(k.db, storage::Store::Mode::ReadOnly);
        const auto kept = s->setting("we_did");
        REQUIRE(kept);
        REQUIRE(*kept);
        CHECK((*kept)->find("early-help") != std::string::npos);
        CHECK((*kept)->find("OTHER-AREA") == std::string::npos);
    }
    auto away = k.replay(to_welcome + "tap speak:we_did\ntap lang:ur\ntap speak:we_did\n", "we-did-kept");
    INFO(away.err);
    CHECK(away.code == 0);
    // With another collector's key the list kept checks out no more: nothing is shown.
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    REQUIRE(sodium_init() >= 0);
    crypto_sign_keypair(pk, sk);
    test::write_file(k.tmp / "sync.json", nlohmann::json{{"endpoint", "http://127.0.0.1:9"},
                                                         {"token", token},
                                                         {"publish_key", formats::to_base64(pk, sizeof pk)}}
                                              .dump());
    auto other = k.replay(to_welcome + "tap speak:we_did\n", "we-did-other-key");
    CHECK(other.code != 0);
    CHECK(other.err.find("tap speak:we_did: no widget") != std::string::npos);
}

TEST_CASE("brothers and sisters: from the thank-you screen the next child of the same visit takes a turn without the "
          "PIN, picks their own band, and both responses arrive as one visit") {
    Kiosk k;
    const std::string store = "sqlite:" + (k.tmp / "collector.db").string();
    const auto token = test::add_token(store, "tablet-1");
    test::CollectorProcess collector(store);
    test::write_file(k.tmp / "sync.json", nlohmann::json{{"endpoint", collector.url()}, {"token", token}}.dump());
    k.extra = {"--sync-config", (k.tmp / "sync.json").string(), "--allow-draft-languages"};
    const auto& older = *default_pack().band("12-17");
    const auto& younger = *default_pack().band("8-11");
    std::string first = walk(older, "older");
    first = first.substr(0, first.find("expect thanks")) + "expect thanks\nwait 600\nshot older-thanks\n";
    std::string second = walk(younger, "younger");
    second = second.substr(second.find("expect welcome"));
    auto r = k.replay(first +
                          "tap next-child\nexpect next_child\nshot next-child\ntap band:8-11\n"
                          "expect welcome\ntap lang:ur\nshot younger-ur\ntap lang:en\n" +
                          second + "deliver\n",
                      "next-child");
    INFO(r.err);
    REQUIRE(r.code == 0);
    check_picture(shots_root / "next-child" / "next-child.png", 1920, 1200);
    auto exported = test::run({SAYSO_COLLECTOR, "export", "--store", store, "--format", "jsonl"});
    REQUIRE(exported.code == 0);
    std::vector<nlohmann::json> rs;
    std::istringstream lines(exported.out);
    for (std::string line; std::getline(lines, line);)
        rs.push_back(nlohmann::json::parse(line));
    REQUIRE(rs.size() == 2);
    std::sort(rs.begin(), rs.end(), [](const auto& a, const auto& b) { return a["started_at"] < b["started_at"]; });
    CHECK(rs[0]["band"] == "12-17");
    CHECK(rs[1]["band"] == "8-11");
    CHECK(rs[0]["id"] != rs[1]["id"]);
    CHECK(rs[0]["visit_id"].get<std::string>().size() == 32);
    CHECK(rs[0]["visit_id"] == rs[1]["visit_id"]);
    CHECK(rs[1]["state"] == "complete");
    CHECK(rs[1]["language"] == "en");

    // The next-child screens at the other sizes; "done" is the practitioner's way back when no one is next.
    for (const char* size : {"1024x600", "600x1024"}) {
        k.size = size;
        std::string skips;
        for (std::size_t i = 0; i < younger.questions.size(); ++i)
            skips += "tap skip\n";
        auto s = k.replay("tap band:8-11\ntap visit:visit\ntap handover\ntap start\n" + skips +
                              "expect thanks\nwait 2000\nshot thanks\ntap next-child\nshot next-child\ntap done\n"
                              "expect practitioner\n",
                          std::string("next-child-") + size);
        INFO(s.err);
        CHECK(s.code == 0);
    }
}
