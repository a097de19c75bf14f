#include "screens.hpp"

#include "text/languages.hpp"

#include <algorithm>

namespace sayso::ui {

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
    const float pic = std::min(L.short_side() * 0.28f, 5 * L.target);
    const float button_h = std::max(L.target, L.em * 2.6f);
    // The child's language, along the bottom, each named in its own script.
    const auto langs = ui.flow.languages();
    const float lang_h = langs.size() > 1 ? std::max(L.target * 0.9f, L.em * 2.4f) : 0;
    const float lang_y = L.height - L.pad * 1.5f - lang_h;
    const float block = pic + L.pad * 2 + text_height(pen, ui.fonts.title, hello, text_w) + L.pad +
                        text_height(pen, ui.fonts.body, note, text_w) + L.pad * 3 + button_h;
    // The child's own settings, above the languages: text size, contrast, font, motion.
    const float access_h = std::max(L.target * 0.9f, L.em * 2.2f);
    const float access_y = (lang_h > 0 ? lang_y - L.pad * 0.6f : L.height - L.pad * 1.5f) - access_h;
    const float room = access_y - L.pad;
    float y = std::max(L.pad * 2, (room - block) * 0.5f);

    draw_picture(pen, ui.textures.asset("ui/welcome"), ImVec2(cx - pic * 0.5f, y), ImVec2(cx + pic * 0.5f, y + pic));
    y += pic + L.pad * 2;
    if (can_speak(ui, *s)) {
        // Read the welcome aloud: a speaker beside the picture.
        const float r = std::max(L.target * 0.55f, L.em * 1.1f);
        const ImVec2 c(cx + pic * 0.5f + L.pad + r, y - L.pad * 2 - pic * 0.5f);
        if (speak_hit(ui, "speak", c, r)) {
            ui.then([](flow::Flow& f) { f.touch(); });
            ui.speaker->say(welcome_speech(*s));
        }
        speak_draw(ui, c, r);
    }
    y += centred_text(pen, ui.fonts.title, hello, cx, y, text_w, pen.colours.ink) + L.pad;
    y += centred_text(pen, ui.fonts.body, note, cx, y, text_w, pen.colours.muted) + L.pad * 3;

    const float button_w = std::min(L.width - 4 * L.pad, std::max(6 * L.target, 10 * L.em));
    if (tile(ui.widgets, "start", ImVec2(cx - button_w * 0.5f, y), ImVec2(cx + button_w * 0.5f, y + button_h), {},
             pack.word(band, "start", s->language), ui.fonts.large, TileStyle{.primary = true}))
        ui.then([](flow::Flow& f) { f.start(); });
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
