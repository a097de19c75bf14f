// Text in any script, shaped and laid out without a display: HarfBuzz turns
// characters into positioned glyphs (joining Urdu letters, reordering
// Gurmukhi vowel signs), FriBidi puts right-to-left runs in visual order, and
// FreeType draws the glyphs into an alpha bitmap the screens upload.
#pragma once

#include "formats/utf8.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sayso::text {

// Which face draws which script. `latin` also draws anything no other face is
// given for (digits, punctuation); the others are found by script.
struct FontFiles {
    std::string latin;      // e.g. Andika, or OpenDyslexic
    std::string arabic;     // Naskh, for Arabic, Persian, ...
    std::string urdu;       // Nastaliq, used instead of `arabic` for language "ur"
    std::string gurmukhi;   // Punjabi
    std::string bengali;    // Bengali, Assamese, Sylheti written in Bengali script
    std::string devanagari; // Hindi, Nepali, Marathi
    std::string hebrew;
};
// The Debian paths (fonts-sil-andika, fonts-noto-core), with `latin` given.
FontFiles debian_fonts(const std::string& latin);

struct Glyph {
    const void* face = nullptr; // which face (opaque), for rendering
    std::uint32_t id = 0;       // glyph index in that face; 0 is the missing-glyph box
    float x = 0, y = 0;         // pen position of the glyph, px, y up from the baseline
    std::uint32_t cluster = 0;  // index of the first character (code point) it draws
};

// One line, laid out left to right in visual order.
struct Line {
    std::vector<Glyph> glyphs;
    float width = 0;   // px
    float ascent = 0;  // px above the baseline
    float descent = 0; // px below the baseline
    bool rtl = false;  // the paragraph reads right to left
    int missing = 0;   // glyphs no face had: drawn as boxes
    float height() const { return ascent + descent; }
};

// An 8-bit alpha image of a line (0 = clear), baseline at `ascent` from the top.
struct Bitmap {
    int w = 0, h = 0;
    std::vector<std::uint8_t> alpha;
};

class Shaper {
  public:
    // Faces that can't be opened are left out; `problems` says which.
    explicit Shaper(FontFiles files);
    ~Shaper();
    Shaper(const Shaper&) = delete;
    Shaper& operator=(const Shaper&) = delete;

    const std::vector<std::string>& problems() const { return problems_; }

    // Shapes one line of UTF-8 at `px` pixels. `lang` (a BCP 47 code such as
    // "ur" or "pa-Guru") picks the face for scripts with several and sets the
    // base direction; an unknown language takes it from the first strong letter.
    Line shape(std::string_view utf8, float px, const std::string& lang = {});
    // Breaks `utf8` into lines no wider than `width` (at spaces and newlines;
    // a word wider than the line gets a line to itself).
    std::vector<std::string> wrap(std::string_view utf8, float px, float width, const std::string& lang = {});
    Bitmap render(const Line& line);

    // For tests: each character's glyph in the face its script maps to,
    // in logical order, with no shaping at all.
    std::vector<std::uint32_t> unshaped_glyphs(std::string_view utf8, const std::string& lang = {});

    struct Font;  // one font file
    struct Sized; // a font at one pixel size, with its glyph bitmaps

  private:
    Font* font_for(std::uint32_t script, const std::string& lang);
    Sized* sized(Font* f, float px);

    std::vector<std::string> problems_;
    std::vector<std::unique_ptr<Font>> fonts_;
    std::map<std::uint32_t, Font*> by_script_; // hb_script_t -> font
    Font* latin_ = nullptr;
    Font* urdu_ = nullptr;
    void* ft_ = nullptr; // FT_Library
};

// The characters a plain glyph atlas draws well: Latin with the diacritics
// of Polish, Romanian and Welsh, and common punctuation (inclusive ranges).
const std::vector<std::pair<char32_t, char32_t>>& plain_ranges();

// True when `utf8` holds a character outside Latin (with the diacritics of
// Polish, Romanian and Welsh) and common punctuation: text a plain glyph atlas
// would draw wrongly, so it needs the shaper.
bool needs_shaping(std::string_view utf8);

// UTF-8 to code points; invalid bytes become U+FFFD (formats/utf8.hpp).
using utf8::decode;

} // namespace sayso::text
