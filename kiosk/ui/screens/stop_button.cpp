#include "screens.hpp"

#include <algorithm>

namespace sayso::ui {

// The child's own way out, in the same corner on every child screen.
void draw_stop_button(Ui& ui) {
    const auto* s = ui.flow.session();
    if (!s) return;
    const auto& L = ui.layout;
    const float h = std::max(L.target * 0.9f, L.em * 2.0f);
    const float w = std::max(h * 2.2f, L.em * 5.0f);
    const ImVec2 a(L.pad * 1.5f, L.pad * 1.5f), b(a.x + w, a.y + h);
    if (tile(ui.widgets, "stop", a, b, ui.textures.asset("ui/stop"), s->pack->word(*s->band, "stop", s->language),
             ui.fonts.body, TileStyle{.row = true}))
        ui.then([](flow::Flow& f) { f.stop(); });
    draw_talk_button(ui);
}

// "I want to talk to someone", in the opposite corner when the pack offers it.
// Once pressed it stays pressed, and says what happens next.
void draw_talk_button(Ui& ui) {
    const auto* s = ui.flow.session();
    if (!s || !s->pack->talk_button || ui.flow.screen() == flow::Screen::Talk) return;
    const auto& L = ui.layout;
    const float h = std::max(L.target * 0.9f, L.em * 2.0f);
    const std::string& words = s->pack->word(*s->band, s->asked_to_talk ? "talk_done" : "talk", s->language);
    const float text_w = ui.fonts.small->CalcTextSizeA(ui.fonts.small->FontSize, FLT_MAX, 0, words.c_str()).x;
    const float w = std::clamp(text_w * 0.6f + h * 1.3f, h * 2.2f, L.width * 0.3f);
    const ImVec2 b(L.width - L.pad * 1.5f, L.pad * 1.5f + h), a(b.x - w, L.pad * 1.5f);
    if (tile(ui.widgets, "talk", a, b, ui.textures.asset("ui/talk"), words, ui.fonts.small,
             TileStyle{.selected = s->asked_to_talk, .row = true}))
        ui.then([](flow::Flow& f) { f.ask_to_talk(); });
}

} // namespace sayso::ui
