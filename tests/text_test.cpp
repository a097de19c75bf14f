// Text in the scripts the default pack uses, shaped and drawn without a display.
#include "pack/pack.hpp"
#include "support.hpp"
#include "text/keyboards.hpp"
#include "text/languages.hpp"
#include "text/shaper.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
#include <set>

using namespace sayso;

namespace {

text::Shaper& shaper() {
    static text::Shaper s(text::debian_fonts("/usr/share/fonts/truetype/andika/Andika-Regular.ttf"));
    return s;
}

std::vector<std::uint32_t> ids(const text::Line& l) {
    std::vector<std::uint32_t> v;
    for (const auto& g : l.glyphs)
        v.push_back(g.id);
    return v;
}

int inked(const text::Bitmap& b) {
    return static_cast<int>(std::count_if(b.alpha.begin(), b.alpha.end(), [](std::uint8_t a) { return a > 128; }));
}

// "Did they listen to you?" in Urdu and in Punjabi (Gurmukhi), as in the default pack.
const std::string urdu = "\u06a9\u06cc\u0627 \u0627\u0646\u06c1\u0648\u06ba \u0646\u06d2 \u0622\u067e \u06a9\u06cc "
                         "\u0628\u0627\u062a \u0633\u0646\u06cc\u061f";
const std::string gurmukhi =
    "\u0a15\u0a40 \u0a09\u0a39\u0a28\u0a3e\u0a02 \u0a28\u0a47 \u0a24\u0a41\u0a39\u0a3e\u0a21\u0a40 "
    "\u0a17\u0a71\u0a32 \u0a38\u0a41\u0a23\u0a40? \u0a15\u0a3f\u0a24\u0a3e\u0a2c "
    "\u0a2a\u0a4d\u0a30\u0a38\u0a3c\u0a28";

} // namespace

TEST_CASE("every face the kiosk needs opens") {
    CHECK(shaper().problems().empty());
}

TEST_CASE("Urdu and Gurmukhi are shaped, not drawn letter by letter, and no glyph is missing") {
    for (const auto& [lang, s] : {std::pair{std::string("ur"), urdu}, std::pair{std::string("pa-Guru"), gurmukhi}}) {
        INFO(lang);
        const auto line = shaper().shape(s, 32, lang);
        CHECK(line.missing == 0);
        const auto shaped = ids(line);
        CHECK(std::count(shaped.begin(), shaped.end(), 0u) == 0);
        const auto plain = shaper().unshaped_glyphs(s, lang);
        CHECK(std::count(plain.begin(), plain.end(), 0u) == 0); // the fonts cover every letter
        // Shaping picks joined and reordered forms: the glyphs differ from a
        // glyph-per-letter lookup, in order and in which glyphs are used.
        CHECK(ids(line) != plain);
        auto a = ids(line), b = plain;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        CHECK(a != b);
        const auto bm = shaper().render(line);
        CHECK(bm.w > 100);
        CHECK(inked(bm) > 200);
    }
}

TEST_CASE("Urdu reads right to left: the first letter is drawn at the right") {
    const auto line = shaper().shape(urdu, 32, "ur");
    CHECK(line.rtl);
    const auto first_word = shaper().shape("\u06a9\u06cc\u0627", 32, "ur"); // the first word alone
    // The first word's glyphs sit at the right end of the whole line.
    const float first_left = line.width - first_word.width;
    const auto right_glyphs = std::count_if(line.glyphs.begin(), line.glyphs.end(),
                                            [&](const text::Glyph& g) { return g.x >= first_left - 1; });
    CHECK(right_glyphs >= static_cast<long>(first_word.glyphs.size()));
    // Digits inside right-to-left text still read left to right.
    const auto with_digits = shaper().shape("\u0639\u0645\u0631 12", 32, "ur");
    float x1 = -1, x2 = -1;
    for (const auto& g : with_digits.glyphs) {
        if (g.cluster == 4) x1 = g.x; // "1"
        if (g.cluster == 5) x2 = g.x; // "2"
    }
    REQUIRE(x1 >= 0);
    REQUIRE(x2 >= 0);
    CHECK(x1 < x2);
}

TEST_CASE("Latin with diacritics needs no shaping; other scripts and combining marks do") {
    CHECK_FALSE(text::needs_shaping("Czy Ci\u0119 wys\u0142uchali?")); // Polish
    CHECK_FALSE(text::needs_shaping("A fost bine? \u0219 \u021b"));    // Romanian
    CHECK_FALSE(text::needs_shaping("Ydy\u0175 \u0177"));              // Welsh
    CHECK(text::needs_shaping(urdu));
    CHECK(text::needs_shaping(gurmukhi));
    CHECK(text::needs_shaping("e\u0301")); // a combining accent
    CHECK(text::decode("\xff\xfe") == std::u32string(U"\uFFFD\uFFFD"));
}

TEST_CASE("wrapping keeps every word, and no line is wider than asked unless one word is") {
    const std::string s = "What would make things better? Pick as many as you like.";
    auto lines = shaper().wrap(s, 30, 250);
    CHECK(lines.size() > 1);
    std::string joined;
    for (const auto& l : lines) {
        CHECK(shaper().shape(l, 30).width <= 250);
        joined += (joined.empty() ? "" : " ") + l;
    }
    CHECK(joined == s);
    CHECK(shaper().wrap("one\n\ntwo", 30, 1000) == std::vector<std::string>{"one", "", "two"});
    CHECK(shaper().wrap(urdu, 30, 150, "ur").size() > 1);
}

TEST_CASE("each language is named in its own script") {
    CHECK(text::endonym("pl") == "Polski");
    CHECK(text::endonym("pa-Guru") == "\u0a2a\u0a70\u0a1c\u0a3e\u0a2c\u0a40");
    CHECK(text::find_language("ur")->rtl);
    CHECK(text::endonym("xx") == "xx");
    // Every named language can be drawn with no missing glyph.
    for (const auto& l : text::languages()) {
        INFO(l.code);
        CHECK(shaper().shape(l.name, 24, l.code).missing == 0);
    }
}

TEST_CASE("every text of the default pack, in every language, draws with no missing glyph") {
    auto r = pack::load_pack(test::default_pack);
    REQUIRE(r.ok());
    const auto& p = *r.pack;
    CHECK(p.languages == std::vector<std::string>{"en", "pl", "ur", "pa-Guru"});
    CHECK(p.drafts == std::set<std::string>{"pl", "ur", "pa-Guru"}); // drafted without a native speaker
    std::vector<const pack::Text*> texts = {&p.title};
    for (const auto& [_, t] : p.words)
        texts.push_back(&t);
    for (const auto& v : p.visit_types)
        texts.push_back(&v.label);
    for (const auto& b : p.bands) {
        texts.push_back(&b.label);
        for (const auto& [_, t] : b.words)
            texts.push_back(&t);
        for (const auto& q : b.questions) {
            texts.push_back(&q.text);
            for (const auto& o : q.options)
                if (!o.builtin) texts.push_back(&o.label);
        }
    }
    int checked = 0;
    for (const auto* t : texts)
        for (const auto& lang : p.languages) {
            INFO(lang << ": " << t->get(lang, "en"));
            REQUIRE(t->by_lang.count(lang) == 1); // translated, not falling back
            CHECK(shaper().shape(t->get(lang, "en"), 24, lang).missing == 0);
            ++checked;
        }
    CHECK(checked > 300);
}

TEST_CASE("every key of every on-screen keyboard layout draws on its own, with no missing glyph") {
    for (const auto& lang : text::keyboard_layouts()) {
        const auto& rows = text::keyboard_rows(lang);
        CHECK(rows.size() >= 4);
        for (const auto& row : rows)
            for (const auto& key : row) {
                INFO(lang << ": " << key);
                CHECK(text::decode(key).size() == 1);
                CHECK(shaper().shape(key, 24, lang == "codes" ? "en" : lang).missing == 0);
            }
    }
    CHECK(&text::keyboard_rows("de") == &text::keyboard_rows("en")); // no layout of its own: Latin
}

TEST_CASE("UTF-8 is stepped by code point: boundaries, counts and characters, bad bytes included") {
    const std::string s = "a\xc3\xa9\xe0\xa8\xaa\xf0\x9f\x99\x82"; // a, é, ਪ, 🙂: 1 + 2 + 3 + 4 bytes
    CHECK(sayso::utf8::count(s) == 4);
    CHECK(sayso::utf8::split(s) == std::vector<std::string>{"a", "\xc3\xa9", "\xe0\xa8\xaa", "\xf0\x9f\x99\x82"});
    CHECK(sayso::utf8::floor_boundary(s, 2) == 1); // inside é: back to its start
    CHECK(sayso::utf8::floor_boundary(s, 5) == 3);
    CHECK(sayso::utf8::floor_boundary(s, 99) == s.size());
    CHECK(sayso::utf8::ceil_boundary(s, 2) == 3);
    CHECK(sayso::utf8::ceil_boundary(s, 7) == s.size());
    CHECK(sayso::utf8::ceil_boundary(s, 0) == 0);
    // Stray continuation bytes stay with the byte they follow: nothing is dropped.
    CHECK(sayso::utf8::split("\x80\x80") == std::vector<std::string>{"\x80\x80"});
    CHECK(sayso::utf8::split("a\x80"
                             "b") == std::vector<std::string>{"a\x80", "b"});
    CHECK(sayso::utf8::decode("\xed\xa0\x80") == std::u32string(U"\uFFFD\uFFFD\uFFFD")); // a surrogate
    CHECK(sayso::utf8::decode(s) == std::u32string(U"a\u00e9\u0a2a\U0001F642"));
}
