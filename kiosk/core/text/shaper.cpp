#include "text/shaper.hpp"

#include "text/languages.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <fribidi.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <harfbuzz/hb-ft.h>
#include <harfbuzz/hb.h>

namespace sayso::text {

namespace {

FT_Library lib(void* p) {
    return static_cast<FT_Library>(p);
}

// Scripts a character takes from its neighbours (spaces, digits, punctuation, marks).
bool neutral(hb_script_t s) {
    return s == HB_SCRIPT_COMMON || s == HB_SCRIPT_INHERITED || s == HB_SCRIPT_UNKNOWN;
}

} // namespace

struct Shaper::Sized {
    FT_Face ft = nullptr;
    hb_font_t* hb = nullptr;
    float ascent = 0, descent = 0;
    struct Bits {
        int left = 0, top = 0, w = 0, h = 0;
        std::vector<std::uint8_t> alpha;
    };
    std::map<std::uint32_t, Bits> glyphs;
    ~Sized() {
        if (hb) hb_font_destroy(hb);
        if (ft) FT_Done_Face(ft);
    }
};

struct Shaper::Font {
    std::string path;
    float em_per_px = 1;                         // the em size that matches a plain atlas font of 1 px height
    std::map<int, std::unique_ptr<Sized>> sizes; // by quarter pixels
};

FontFiles debian_fonts(const std::string& latin) {
    const std::string noto = "/usr/share/fonts/truetype/noto/";
    return FontFiles{latin,
                     noto + "NotoNaskhArabic-Regular.ttf",
                     noto + "NotoNastaliqUrdu-Regular.ttf",
                     noto + "NotoSansGurmukhi-Regular.ttf",
                     noto + "NotoSansBengali-Regular.ttf",
                     noto + "NotoSansDevanagari-Regular.ttf",
                     noto + "NotoSansHebrew-Regular.ttf"};
}

Shaper::Shaper(FontFiles files) {
    FT_Library l = nullptr;
    if (FT_Init_FreeType(&l) != 0) {
        problems_.push_back("FreeType could not start");
        return;
    }
    ft_ = l;
    auto add = [&](const std::string& path) -> Font* {
        if (path.empty()) return nullptr;
        FT_Face probe = nullptr;
        if (!std::filesystem::exists(path) || FT_New_Face(l, path.c_str(), 0, &probe) != 0) {
            problems_.push_back("font " + path + " could not be opened");
            return nullptr;
        }
        auto f = std::make_unique<Font>();
        f->path = path;
        // ImGui sizes a font by its ascender-to-descender height; match that for
        // the Latin face and give every other face the same em, so scripts mix evenly.
        const float height = static_cast<float>(probe->ascender - probe->descender);
        f->em_per_px = height > 0 ? static_cast<float>(probe->units_per_EM) / height : 1.0f;
        FT_Done_Face(probe);
        fonts_.push_back(std::move(f));
        return fonts_.back().get();
    };
    latin_ = add(files.latin);
    if (Font* a = add(files.arabic)) {
        by_script_[HB_SCRIPT_ARABIC] = a;
        by_script_[HB_SCRIPT_SYRIAC] = a;
    }
    urdu_ = add(files.urdu);
    if (Font* g = add(files.gurmukhi)) by_script_[HB_SCRIPT_GURMUKHI] = g;
    if (Font* b = add(files.bengali)) by_script_[HB_SCRIPT_BENGALI] = b;
    if (Font* d = add(files.devanagari)) by_script_[HB_SCRIPT_DEVANAGARI] = d;
    if (Font* h = add(files.hebrew)) by_script_[HB_SCRIPT_HEBREW] = h;
    if (latin_)
        for (auto& f : fonts_)
            if (f.get() != latin_) f->em_per_px = latin_->em_per_px;
}

Shaper::~Shaper() {
    fonts_.clear();
    if (ft_) FT_Done_FreeType(lib(ft_));
}

Shaper::Font* Shaper::font_for(std::uint32_t script, const std::string& lang) {
    if (script == HB_SCRIPT_ARABIC && urdu_ && (lang == "ur" || lang.rfind("ur-", 0) == 0)) return urdu_;
    if (auto it = by_script_.find(script); it != by_script_.end()) return it->second;
    return latin_;
}

Shaper::Sized* Shaper::sized(Font* f, float px) {
    if (!f) return nullptr;
    const int key = static_cast<int>(std::lround(px * 4));
    auto& slot = f->sizes[key];
    if (slot) return slot.get();
    auto s = std::make_unique<Sized>();
    if (FT_New_Face(lib(ft_), f->path.c_str(), 0, &s->ft) != 0) {
        s->ft = nullptr;
        return nullptr;
    }
    const float em = static_cast<float>(key) / 4.0f * f->em_per_px;
    FT_Set_Char_Size(s->ft, 0, static_cast<FT_F26Dot6>(std::lround(em * 64)), 72, 72);
    s->hb = hb_ft_font_create_referenced(s->ft);
    s->ascent = static_cast<float>(s->ft->size->metrics.ascender) / 64.0f;
    s->descent = -static_cast<float>(s->ft->size->metrics.descender) / 64.0f;
    slot = std::move(s);
    return slot.get();
}

Line Shaper::shape(std::string_view utf8, float px, const std::string& lang) {
    Line line;
    if (Sized* base = sized(latin_, px)) {
        line.ascent = base->ascent;
        line.descent = base->descent;
    }
    std::u32string cps = decode(utf8);
    // Newlines and tabs have no glyph on one line.
    for (auto& c : cps)
        if (c == U'\n' || c == U'\t' || c == U'\r') c = U' ';
    const auto n = static_cast<FriBidiStrIndex>(cps.size());
    if (n == 0 || !latin_) return line;
    const auto* u = reinterpret_cast<const FriBidiChar*>(cps.data());

    // Embedding levels: odd runs read right to left.
    std::vector<FriBidiCharType> types(cps.size());
    std::vector<FriBidiBracketType> brackets(cps.size());
    std::vector<FriBidiLevel> levels(cps.size());
    fribidi_get_bidi_types(u, n, types.data());
    fribidi_get_bracket_types(u, n, types.data(), brackets.data());
    const Language* known = find_language(lang);
    FriBidiParType dir = known ? (known->rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_LTR) : FRIBIDI_PAR_ON;
    if (fribidi_get_par_embedding_levels_ex(types.data(), brackets.data(), n, &dir, levels.data()) == 0)
        std::fill(levels.begin(), levels.end(), FriBidiLevel(0));
    line.rtl = FRIBIDI_IS_RTL(dir);

    // Scripts, neutral characters taking their neighbour's.
    hb_unicode_funcs_t* uf = hb_unicode_funcs_get_default();
    std::vector<hb_script_t> scripts(cps.size());
    for (std::size_t i = 0; i < cps.size(); ++i)
        scripts[i] = hb_unicode_script(uf, cps[i]);
    hb_script_t last = HB_SCRIPT_COMMON;
    for (auto& s : scripts) {
        if (neutral(s))
            s = last;
        else
            last = s;
    }
    hb_script_t next = HB_SCRIPT_LATIN;
    for (auto it = scripts.rbegin(); it != scripts.rend(); ++it) {
        if (neutral(*it))
            *it = next;
        else
            next = *it;
    }

    // Runs of one level and one face, in logical order.
    struct Run {
        std::size_t start, len;
        FriBidiLevel level;
        hb_script_t script;
        Font* font;
    };
    std::vector<Run> runs;
    for (std::size_t i = 0; i < cps.size(); ++i) {
        Font* f = font_for(scripts[i], lang);
        // A character the chosen face lacks (a dash in Urdu, an Arabic comma
        // on its own) comes from the first face that has it, Latin first.
        if (cps[i] != U' ') {
            auto has = [&](Font* font) {
                Sized* sf = sized(font, px);
                return sf && FT_Get_Char_Index(sf->ft, cps[i]) != 0;
            };
            if (!has(f)) {
                if (has(latin_))
                    f = latin_;
                else
                    for (auto& other : fonts_)
                        if (has(other.get())) {
                            f = other.get();
                            break;
                        }
            }
        }
        if (!runs.empty() && runs.back().level == levels[i] && runs.back().font == f &&
            runs.back().script == scripts[i])
            ++runs.back().len;
        else
            runs.push_back({i, 1, levels[i], scripts[i], f});
    }
    // Visual order (rule L2): from the highest level down to the lowest odd
    // one, reverse every stretch of runs at that level or above.
    FriBidiLevel hi = 0, lo_odd = 255;
    for (const auto& r : runs) {
        hi = std::max(hi, r.level);
        if (r.level % 2) lo_odd = std::min(lo_odd, r.level);
    }
    for (int lv = hi; lv >= lo_odd && lv > 0; --lv) {
        for (std::size_t i = 0; i < runs.size();) {
            if (runs[i].level < lv) {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < runs.size() && runs[j].level >= lv)
                ++j;
            std::reverse(runs.begin() + static_cast<std::ptrdiff_t>(i), runs.begin() + static_cast<std::ptrdiff_t>(j));
            i = j;
        }
    }

    hb_buffer_t* buf = hb_buffer_create();
    hb_language_t hl = lang.empty() ? hb_language_get_default() : hb_language_from_string(lang.c_str(), -1);
    float pen = 0;
    for (const auto& r : runs) {
        Sized* s = sized(r.font, px);
        if (!s) continue;
        line.ascent = std::max(line.ascent, s->ascent);
        line.descent = std::max(line.descent, s->descent);
        hb_buffer_clear_contents(buf);
        // The whole line as context, so letters join across run edges.
        hb_buffer_add_utf32(buf, reinterpret_cast<const std::uint32_t*>(cps.data()), static_cast<int>(cps.size()),
                            static_cast<unsigned>(r.start), static_cast<int>(r.len));
        hb_buffer_set_direction(buf, r.level % 2 ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
        hb_buffer_set_script(buf, r.script);
        hb_buffer_set_language(buf, hl);
        hb_shape(s->hb, buf, nullptr, 0);
        unsigned count = 0;
        const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buf, &count);
        const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buf, &count);
        for (unsigned k = 0; k < count; ++k) {
            Glyph g;
            g.face = s;
            g.id = info[k].codepoint;
            g.x = pen + static_cast<float>(pos[k].x_offset) / 64.0f;
            g.y = static_cast<float>(pos[k].y_offset) / 64.0f;
            g.cluster = info[k].cluster;
            if (g.id == 0 && cps[info[k].cluster] != U' ') ++line.missing;
            line.glyphs.push_back(g);
            pen += static_cast<float>(pos[k].x_advance) / 64.0f;
        }
    }
    hb_buffer_destroy(buf);
    line.width = pen;
    return line;
}

std::vector<std::string> Shaper::wrap(std::string_view utf8, float px, float width, const std::string& lang) {
    std::vector<std::string> lines;
    std::size_t p = 0;
    while (p <= utf8.size()) {
        std::size_t nl = utf8.find('\n', p);
        if (nl == std::string_view::npos) nl = utf8.size();
        std::string_view para = utf8.substr(p, nl - p);
        std::string current;
        std::size_t w = 0;
        while (w < para.size()) {
            while (w < para.size() && para[w] == ' ')
                ++w;
            if (w >= para.size()) break;
            std::size_t e = para.find(' ', w);
            if (e == std::string_view::npos) e = para.size();
            std::string_view word = para.substr(w, e - w);
            std::string candidate = current.empty() ? std::string(word) : current + " " + std::string(word);
            if (!current.empty() && shape(candidate, px, lang).width > width) {
                lines.push_back(std::move(current));
                current = std::string(word);
            } else {
                current = std::move(candidate);
            }
            w = e;
        }
        lines.push_back(std::move(current));
        p = nl + 1;
    }
    while (lines.size() > 1 && lines.back().empty())
        lines.pop_back();
    return lines;
}

Bitmap Shaper::render(const Line& line) {
    Bitmap b;
    b.w = static_cast<int>(std::ceil(line.width)) + 2;
    b.h = static_cast<int>(std::ceil(line.ascent + line.descent)) + 1;
    b.alpha.assign(static_cast<std::size_t>(b.w) * static_cast<std::size_t>(b.h), 0);
    const int baseline = static_cast<int>(std::ceil(line.ascent));
    for (const auto& g : line.glyphs) {
        auto* s = static_cast<Sized*>(const_cast<void*>(g.face));
        auto it = s->glyphs.find(g.id);
        if (it == s->glyphs.end()) {
            Sized::Bits bits;
            if (FT_Load_Glyph(s->ft, g.id, FT_LOAD_DEFAULT) == 0 &&
                FT_Render_Glyph(s->ft->glyph, FT_RENDER_MODE_NORMAL) == 0) {
                const FT_Bitmap& bm = s->ft->glyph->bitmap;
                bits.left = s->ft->glyph->bitmap_left;
                bits.top = s->ft->glyph->bitmap_top;
                bits.w = static_cast<int>(bm.width);
                bits.h = static_cast<int>(bm.rows);
                bits.alpha.resize(static_cast<std::size_t>(bits.w) * static_cast<std::size_t>(bits.h));
                for (int y = 0; y < bits.h; ++y)
                    std::copy_n(bm.buffer + static_cast<std::ptrdiff_t>(y) * bm.pitch, bits.w,
                                bits.alpha.begin() + static_cast<std::ptrdiff_t>(y) * bits.w);
            }
            it = s->glyphs.emplace(g.id, std::move(bits)).first;
        }
        const auto& bits = it->second;
        const int x0 = static_cast<int>(std::lround(g.x)) + bits.left;
        const int y0 = baseline - static_cast<int>(std::lround(g.y)) - bits.top;
        for (int y = 0; y < bits.h; ++y) {
            const int ty = y0 + y;
            if (ty < 0 || ty >= b.h) continue;
            for (int x = 0; x < bits.w; ++x) {
                const int tx = x0 + x;
                if (tx < 0 || tx >= b.w) continue;
                auto& d = b.alpha[static_cast<std::size_t>(ty) * static_cast<std::size_t>(b.w) +
                                  static_cast<std::size_t>(tx)];
                d = std::max(d, bits.alpha[static_cast<std::size_t>(y) * static_cast<std::size_t>(bits.w) +
                                           static_cast<std::size_t>(x)]);
            }
        }
    }
    return b;
}

std::vector<std::uint32_t> Shaper::unshaped_glyphs(std::string_view utf8, const std::string& lang) {
    std::vector<std::uint32_t> out;
    hb_unicode_funcs_t* uf = hb_unicode_funcs_get_default();
    hb_script_t last = HB_SCRIPT_LATIN;
    for (char32_t c : decode(utf8)) {
        hb_script_t s = hb_unicode_script(uf, c);
        if (neutral(s)) s = last; // as shape() does: punctuation takes its neighbour's script
        last = s;
        Sized* sz = sized(font_for(s, lang), 20);
        out.push_back(sz ? FT_Get_Char_Index(sz->ft, c) : 0);
    }
    return out;
}

const std::vector<std::pair<char32_t, char32_t>>& plain_ranges() {
    static const std::vector<std::pair<char32_t, char32_t>> r = {
        {0x0020, 0x017F}, {0x0218, 0x021B}, {0x1E80, 0x1E85}, {0x1EF2, 0x1EF3},
        {0x2013, 0x2026}, {0x2190, 0x2192}, {0x2713, 0x2713},
    };
    return r;
}

bool needs_shaping(std::string_view utf8) {
    const auto& ranges = plain_ranges();
    for (unsigned char c : utf8)
        if (c >= 0x80) goto slow; // ASCII needs nothing
    return false;
slow:
    for (char32_t c : decode(utf8)) {
        if (c == U'\n' || c == U'\t') continue;
        bool plain = false;
        for (auto [a, b] : ranges)
            if (c >= a && c <= b) {
                plain = true;
                break;
            }
        if (!plain) return true;
    }
    return false;
}

} // namespace sayso::text
