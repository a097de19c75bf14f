#include "screens.hpp"

#include "text/languages.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace sayso::ui {

const protocol::WeDid* we_did_shown(const Ui& ui, const flow::Session& s) {
    if (!ui.we_did) return nullptr;
    // The frame in the child's language: a pack without it shows none.
    if (s.pack->word(*s.band, "you_told_us", s.language).empty() || s.pack->word(*s.band, "so_we", s.language).empty())
        return nullptr;
    std::vector<const protocol::WeDid*> in_language;
    for (const auto& e : ui.we_did->entries)
        if (e.language == s.language) in_language.push_back(&e);
    if (in_language.empty()) return nullptr;
    // One for each child, the same all through the session: chosen by its id, so
    // brothers and sisters one after another are likely to see different ones.
    return in_language[std::hash<std::string>{}(s.response_id) % in_language.size()];
}

namespace {

// The picture of the question that asked about what changed, so a child
// knows it again; a handshake when the pack has none.
Picture we_did_picture(Ui& ui, const flow::Session& s, const protocol::WeDid& e) {
    if (!e.measure.empty()) {
        for (const auto& q : s.band->questions)
            if (q.measure == e.measure && !q.picture.empty()) return ui.textures.file(q.picture);
        for (const auto& b : s.pack->bands)
            for (const auto& q : b.questions)
                if (q.measure == e.measure && !q.picture.empty()) return ui.textures.file(q.picture);
    }
    return ui.textures.asset("ui/we_did");
}

} // namespace

void draw_welcome(Ui& ui) {
    const auto* s = ui.flow.session();
    if (!s) return;
    const auto& pack = *s->pack;
    const auto& band = *s->band;
    const auto& L = ui.layout;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const float cx = L.width * 0.5f;
    const float text_w = std::min(L.width - 4 * L.pad, 30 * L.em);

    const std::string& hello = pack.word(band, "welcome", s->language);
    const std::string& note = pack.word(band, "welcome_note", s->language);
    float pic = std::min(L.short_side() * 0.28f, 5 * L.target);
    const float button_h = std::max(L.target, L.em * 2.6f);
    // The child's language, along the bottom, each named in its own script.
    const auto langs = ui.flow.languages();
    const float lang_h = langs.size() > 1 ? std::max(L.target * 0.9f, L.em * 2.4f) : 0;
    const float lang_y = L.height - L.pad * 1.5f - lang_h;
    // Where a card takes the welcome picture's place, the title leaves room either side for the speaker.
    const bool speaks = can_speak(ui, *s);
    const float speaker_r = std::max(L.target * 0.55f, L.em * 1.1f);
    const float narrow_w = speaks ? text_w - 2 * (2 * speaker_r + L.pad) : text_w;
    const float wide_h = text_height(pen, ui.fonts.title, hello, text_w);
    const float narrow_h = text_height(pen, ui.fonts.title, hello, narrow_w);
    const float block_without_card =
        pic + L.pad * 2 + wide_h + L.pad + text_height(pen, ui.fonts.body, note, text_w) + L.pad * 3 + button_h;
    // The child's own settings, above the languages: text size, contrast, font, motion.
    const float access_h = std::max(L.target * 0.9f, L.em * 2.2f);
    const float access_y = (lang_h > 0 ? lang_y - L.pad * 0.6f : L.height - L.pad * 1.5f) - access_h;
    const float room = access_y - L.pad;
    // "You said, we did", under the start button: a card with the picture of
    // what was asked, what children said and what changed, read aloud by its
    // own speaker. The welcome picture gives it room; where there is still
    // too little (the largest text on a small screen), the card is left out.
    const protocol::WeDid* news = we_did_shown(ui, *s);
    const auto* lang = text::find_language(s->language);
    const bool mirror = lang && lang->rtl;
    const float card_w = std::min(L.width - 4 * L.pad, 36 * L.em);
    const float card_pic = std::round(std::min(L.target * 1.2f, 3 * L.em));
    const float card_r = std::max(L.target * 0.5f, L.em * 1.0f);
    const bool card_speaks = news && speaks;
    const float card_text_w = card_w - L.pad * 4 - card_pic - (card_speaks ? 2 * card_r + L.pad : 0);
    // One paragraph each, the pack's frame and the collector's words: "You told us: ..." "So we did this: ...".
    const std::string said = news ? pack.word(band, "you_told_us", s->language) + ": " + news->you_said : "";
    const std::string did = news ? pack.word(band, "so_we", s->language) + ": " + news->we_did : "";
    auto said_h = [&] {
        return text_height(pen, ui.fonts.body, said, card_text_w) + L.pad * 0.5f +
               text_height(pen, ui.fonts.body, did, card_text_w);
    };
    const float card_h = news && card_text_w > 4 * L.em ? std::max(card_pic, said_h()) + L.pad * 2 : 0;
    if (card_h == 0) news = nullptr;
    const float card_gap = news ? L.pad * 1.5f : 0;
    float block = block_without_card + card_gap + card_h;
    bool welcome_picture = true;
    // Without the picture the words come first: below the stop and talk buttons in the corners.
    const float below_corners = std::max(L.target * 0.9f, L.em * 2.0f) + L.pad * 2;
    if (const float short_by = block - (room - L.pad * 2); news && short_by > 0) {
        if (pic - short_by >= L.target) { // a smaller welcome picture
            pic = std::floor(pic - short_by);
            block = room - L.pad * 2;
        } else if (block - pic - L.pad * 3 + narrow_h - wide_h <= room - below_corners) {
            // The card's own picture stands in for it, and the start button comes a little closer.
            block += narrow_h - wide_h - pic - L.pad * 3;
            pic = 0;
            welcome_picture = false;
        } else {
            news = nullptr;
            block = block_without_card;
        }
    }
    float y = std::max(welcome_picture ? L.pad * 2 : below_corners, (room - block) * 0.5f);
    const float title_w = welcome_picture ? text_w : narrow_w;
    const float title_h = welcome_picture ? wide_h : narrow_h;

    if (welcome_picture) {
        draw_picture(pen, ui.textures.asset("ui/welcome"), ImVec2(cx - pic * 0.5f, y),
                     ImVec2(cx + pic * 0.5f, y + pic));
        y += pic + L.pad * 2;
    }
    if (speaks) {
        // Read the welcome aloud: a speaker beside the picture, or beside the words when there is none
        // (at their start's side, mirrored for right-to-left).
        const float r = speaker_r;
        const float beside = text_width(pen, ui.fonts.title, hello, title_w) * 0.5f + L.pad + r;
        const ImVec2 c = welcome_picture ? ImVec2(cx + pic * 0.5f + L.pad + r, y - L.pad * 2 - pic * 0.5f)
                                         : ImVec2(mirror ? cx - beside : cx + beside, y + title_h * 0.5f);
        if (speak_hit(ui, "speak", c, r)) {
            ui.then([](flow::Flow& f) { f.touch(); });
            ui.speaker->say(welcome_speech(*s));
        }
        speak_draw(ui, c, r);
    }
    y += centred_text(pen, ui.fonts.title, hello, cx, y, title_w, pen.colours.ink) + L.pad;
    y += centred_text(pen, ui.fonts.body, note, cx, y, text_w, pen.colours.muted) + L.pad * (welcome_picture ? 3 : 2);

    const float button_w = std::min(L.width - 4 * L.pad, std::max(6 * L.target, 10 * L.em));
    if (tile(ui.widgets, "start", ImVec2(cx - button_w * 0.5f, y), ImVec2(cx + button_w * 0.5f, y + button_h), {},
             pack.word(band, "start", s->language), ui.fonts.large, TileStyle{.primary = true}))
        ui.then([](flow::Flow& f) { f.start(); });
    y += button_h + card_gap;
    if (news) {
        const float x0 = std::round(cx - card_w * 0.5f), x1 = x0 + card_w;
        const float y0 = std::round(y), y1 = std::round(y + card_h);
        fill_rounded(pen, ImVec2(x0, y0 + std::round(L.pad * 0.2f)), ImVec2(x1, y1 + std::round(L.pad * 0.2f)),
                     pen.colours.shadow, L.pad);
        fill_rounded(pen, ImVec2(x0, y0), ImVec2(x1, y1), pen.colours.accent_soft, L.pad);
        // Read in the child's direction: picture, words, speaker (mirrored for right-to-left).
        const float pic_x = mirror ? x1 - L.pad * 1.5f - card_pic : x0 + L.pad * 1.5f;
        const float pic_y = std::round(y0 + (card_h - card_pic) * 0.5f);
        draw_picture(pen, we_did_picture(ui, *s, *news), ImVec2(pic_x, pic_y),
                     ImVec2(pic_x + card_pic, pic_y + card_pic));
        const float text_x = mirror ? x1 - L.pad * 2.5f - card_pic - card_text_w : x0 + L.pad * 2.5f + card_pic;
        float ty = y0 + L.pad;
        ty += start_text(pen, ui.fonts.body, said, ImVec2(text_x, ty), card_text_w, pen.colours.ink) + L.pad * 0.5f;
        start_text(pen, ui.fonts.body, did, ImVec2(text_x, ty), card_text_w, pen.colours.ink);
        if (card_speaks) {
            const ImVec2 c(mirror ? x0 + L.pad + card_r : x1 - L.pad - card_r, (y0 + y1) * 0.5f);
            if (speak_hit(ui, "speak:we_did", c, card_r)) {
                ui.then([](flow::Flow& f) { f.touch(); });
                ui.speaker->say(we_did_speech(*s, *news));
            }
            speak_draw(ui, c, card_r);
        }
    }
    {
        struct Toggle {
            const char* id;
            bool on;
        };
        flow::Access a = s->access;
        const Toggle toggles[] = {{"text_size", a.text_size > 0},
                                  {"high_contrast", a.high_contrast},
                                  {"easy_font", a.easy_font},
                                  {"less_motion", a.less_motion}};
        const float gap = L.pad * 0.6f;
        const float w = std::min(L.em * 9.0f, (L.width - 4 * L.pad - 3 * gap) / 4);
        float x = (L.width - 4 * w - 3 * gap) * 0.5f;
        for (const auto& t : toggles) {
            std::string label = pack.word(band, t.id, s->language);
            // Text size steps through three sizes; dots show which.
            if (std::string(t.id) == "text_size")
                label += a.text_size == 0 ? "" : a.text_size == 1 ? " \u2022" : " \u2022\u2022";
            if (tile(ui.widgets, std::string("access:") + t.id, ImVec2(x, access_y), ImVec2(x + w, access_y + access_h),
                     ui.textures.asset(std::string("ui/") + t.id), label, ui.fonts.small,
                     TileStyle{.selected = t.on, .row = true})) {
                const std::string id = t.id;
                if (id == "text_size") a.text_size = (a.text_size + 1) % 3;
                if (id == "high_contrast") a.high_contrast = !a.high_contrast;
                if (id == "easy_font") a.easy_font = !a.easy_font;
                if (id == "less_motion") a.less_motion = !a.less_motion;
                ui.then([a](flow::Flow& f) { f.set_access(a); });
            }
            x += w + gap;
        }
    }
    if (lang_h > 0) {
        const float gap = L.pad * 0.6f;
        const float icon = lang_h;
        const float n = static_cast<float>(langs.size());
        const float tile_w = std::min(L.em * 7.5f, (L.width - 4 * L.pad - icon - gap * n) / n);
        const float total = icon + gap + n * tile_w + (n - 1) * gap;
        float x = (L.width - total) * 0.5f;
        draw_picture(pen, ui.textures.asset("ui/language"), ImVec2(x, lang_y), ImVec2(x + icon, lang_y + lang_h));
        x += icon + gap;
        for (const auto& code : langs) {
            if (tile(ui.widgets, "lang:" + code, ImVec2(x, lang_y), ImVec2(x + tile_w, lang_y + lang_h), {},
                     text::endonym(code), ui.fonts.body, TileStyle{.selected = s->language == code}))
                ui.then([code](flow::Flow& f) { f.set_language(code); });
            x += tile_w + gap;
        }
    }
    draw_stop_button(ui);
}

} // namespace sayso::ui
