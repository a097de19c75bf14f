#include "screens.hpp"

#include "text/languages.hpp"

#include <algorithm>
#include <cmath>

namespace sayso::ui {

// A child asked to talk: they are told, in their words, that their worker
// will talk with them, and of the pack's help line; nothing of their answers
// is on this screen. Carry on goes back to where they were; stop is there too.
void draw_talk(Ui& ui) {
    const auto* s = ui.flow.session();
    if (!s) return;
    const auto& pack = *s->pack;
    const auto& band = *s->band;
    const auto& L = ui.layout;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const float cx = L.width * 0.5f;
    const float text_w = std::min(L.width - 4 * L.pad, 30 * L.em);

    draw_stop_button(ui);
    const std::string& told = pack.word(band, "talk_done", s->language);
    const float button_h = std::max(L.target, L.em * 2.6f);
    const float top = std::max(L.target * 0.9f, L.em * 2.0f) + L.pad * 2.5f;
    const float bottom = L.height - L.pad * 1.5f;
    const float pic = std::round(std::min({L.short_side() * 0.22f, 3.5f * L.target, (bottom - top) * 0.22f}));
    float block = pic + L.pad * 1.5f + text_height(pen, ui.fonts.title, told, text_w) + L.pad * 2 + button_h;
    std::string line_words;
    if (pack.help_line) {
        line_words = pack.text(pack.help_line->text, s->language);
        block += text_height(pen, ui.fonts.body, line_words, text_w) + L.em * 2.6f + L.pad * 3;
    }
    float y = std::round(top + std::max(0.0f, (bottom - top - block) * 0.5f));

    draw_picture(pen, ui.textures.asset("ui/talk"), ImVec2(cx - pic * 0.5f, y), ImVec2(cx + pic * 0.5f, y + pic));
    if (can_speak(ui, *s)) {
        const float r = std::max(L.target * 0.55f, L.em * 1.1f);
        const auto* lang = text::find_language(s->language);
        const bool mirror = lang && lang->rtl; // the speaker where reading starts, as on the intro
        const ImVec2 c(mirror ? cx - pic * 0.5f - L.pad - r : cx + pic * 0.5f + L.pad + r, y + pic * 0.5f);
        if (speak_hit(ui, "speak", c, r)) {
            ui.then([](flow::Flow& f) { f.touch(); });
            ui.speaker->say(talk_speech(*s));
        }
        speak_draw(ui, c, r);
    }
    y += pic + L.pad * 1.5f;
    y += centred_text(pen, ui.fonts.title, told, cx, y, text_w, pen.colours.ink) + L.pad * 2;

    if (pack.help_line) {
        // The help line on a card: its words, then the number, large, as it is dialled.
        const float card_w = std::min(L.width - 4 * L.pad, 30 * L.em + 2 * L.pad);
        const float words_h = text_height(pen, ui.fonts.body, line_words, card_w - 2 * L.pad);
        const float card_h = std::round(L.pad * 1.2f + words_h + L.pad * 0.4f + L.em * 2.6f);
        const ImVec2 a(std::round(cx - card_w * 0.5f), y), b(std::round(cx + card_w * 0.5f), y + card_h);
        fill_rounded(pen, a, b, pen.colours.primary_soft, L.em * 0.6f);
        float ty = y + L.pad * 0.6f;
        ty += centred_text(pen, ui.fonts.body, line_words, cx, ty, card_w - 2 * L.pad, pen.colours.ink) + L.pad * 0.4f;
        centred_text(pen, ui.fonts.title, pack.help_line->number, cx, ty, card_w - 2 * L.pad, pen.colours.primary);
        ui.widgets.add("help-line", a, b);
        y += card_h + L.pad * 2;
    }

    const std::string& next = pack.word(band, "next", s->language);
    const float button_w = std::min(L.width - 4 * L.pad, std::max(6 * L.target, 10 * L.em));
    if (tile(ui.widgets, "carry-on", ImVec2(cx - button_w * 0.5f, y), ImVec2(cx + button_w * 0.5f, y + button_h), {},
             next, ui.fonts.large, TileStyle{.primary = true}))
        ui.then([](flow::Flow& f) { f.carry_on(); });
}

} // namespace sayso::ui
