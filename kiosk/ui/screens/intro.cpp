#include "screens.hpp"

#include "text/languages.hpp"

#include <algorithm>
#include <cmath>

namespace sayso::ui {

// Before the first question, where the pack asks for it: who will see the
// child's answers, in their words and read aloud, and that they can skip or
// stop; and, where the pack lets them and a case reference was given, whether
// their words go with their name or without it. One tap on either goes on.
void draw_intro(Ui& ui) {
    const auto* s = ui.flow.session();
    if (!s) return;
    const auto& pack = *s->pack;
    const auto& band = *s->band;
    const auto& L = ui.layout;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const float cx = L.width * 0.5f;
    const float text_w = std::min(L.width - 4 * L.pad, 30 * L.em);
    const auto* lang = text::find_language(s->language);
    const bool mirror = lang && lang->rtl;

    draw_stop_button(ui);
    const std::string& words = pack.text(pack.intro_for(band), s->language);
    const bool choice = ui.flow.name_choice();
    const float bar_h = std::max(L.target, L.em * 2.4f);
    const float bar_y = L.height - L.pad * 1.5f - bar_h;
    const float top = std::max(L.em + L.pad, std::max(L.target * 0.9f, L.em * 2.0f) + L.pad) + L.pad;
    const float tiles_h = choice ? std::min(L.target * 2.6f, (bar_y - top) * 0.36f) : 0;
    const float pic = std::round(std::min({L.short_side() * 0.2f, 3.2f * L.target, (bar_y - top) * 0.22f}));
    const float words_h = text_height(pen, ui.fonts.large, words, text_w);
    const float block = pic + L.pad * 1.5f + words_h + (choice ? L.pad * 2 + tiles_h : 0);
    float y = std::round(top + std::max(0.0f, (bar_y - L.pad - top - block) * 0.5f));

    draw_picture(pen, ui.textures.asset("ui/who"), ImVec2(cx - pic * 0.5f, y), ImVec2(cx + pic * 0.5f, y + pic));
    if (can_speak(ui, *s)) {
        const float r = std::max(L.target * 0.55f, L.em * 1.1f);
        const ImVec2 c(mirror ? cx - pic * 0.5f - L.pad - r : cx + pic * 0.5f + L.pad + r, y + pic * 0.5f);
        if (speak_hit(ui, "speak", c, r)) {
            ui.then([](flow::Flow& f) { f.touch(); });
            ui.speaker->say(intro_speech(*s, choice));
        }
        speak_draw(ui, c, r);
    }
    y += pic + L.pad * 1.5f;
    y += centred_text(pen, ui.fonts.large, words, cx, y, text_w, pen.colours.ink) + L.pad * 2;

    if (choice) {
        // With my name, or without it: two big tiles, read in order.
        const float w = std::round(std::min((L.width - 4 * L.pad - L.pad * 2) * 0.5f, tiles_h * 1.6f));
        const float gap = L.pad * 2;
        const float first = std::round(cx - gap * 0.5f - w), second = std::round(cx + gap * 0.5f);
        const float with_x = mirror ? second : first, without_x = mirror ? first : second;
        const bool given = s->name_chosen;
        if (tile(ui.widgets, "name:with", ImVec2(with_x, y), ImVec2(with_x + w, y + tiles_h),
                 ui.textures.asset("ui/with_name"), pack.word(band, "with_name", s->language), ui.fonts.body,
                 TileStyle{.selected = given && s->named}))
            ui.then([](flow::Flow& f) { f.go_on(true); });
        if (tile(ui.widgets, "name:without", ImVec2(without_x, y), ImVec2(without_x + w, y + tiles_h),
                 ui.textures.asset("ui/without_name"), pack.word(band, "without_name", s->language), ui.fonts.body,
                 TileStyle{.selected = given && !s->named}))
            ui.then([](flow::Flow& f) { f.go_on(false); });
    }

    // Back to the welcome, and (without a choice to make) on to the questions.
    const float side_w = std::max(L.target * 1.6f, L.em * 5.5f);
    const float start_x = mirror ? L.width - L.pad * 2 - side_w : L.pad * 2;
    const float end_x = mirror ? L.pad * 2 : L.width - L.pad * 2 - side_w;
    if (tile(ui.widgets, "back", ImVec2(start_x, bar_y), ImVec2(start_x + side_w, bar_y + bar_h), {},
             (mirror ? "\u2192 " : "\u2190 ") + pack.word(band, "back", s->language), ui.fonts.body, {}))
        ui.then([](flow::Flow& f) { f.back(); });
    if (!choice && tile(ui.widgets, "next", ImVec2(end_x, bar_y), ImVec2(end_x + side_w, bar_y + bar_h), {},
                        pack.word(band, "next", s->language) + (mirror ? " \u2190" : " \u2192"), ui.fonts.large,
                        TileStyle{.primary = true}))
        ui.then([](flow::Flow& f) { f.go_on(true); });
}

} // namespace sayso::ui
