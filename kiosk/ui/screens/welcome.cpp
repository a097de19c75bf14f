#include "screens.hpp"

#include <algorithm>

namespace sayso::ui {

void draw_welcome(Ui& ui) {
    const auto* s = ui.flow.session();
    if (!s) return;
    const auto& pack = *s->pack;
    const auto& band = *s->band;
    const auto& L = ui.layout;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float cx = L.width * 0.5f;
    const float text_w = std::min(L.width - 4 * L.pad, 30 * L.em);

    const std::string& hello = pack.word(band, "welcome", s->language);
    const std::string& note = pack.word(band, "welcome_note", s->language);
    const float pic = std::min(L.short_side() * 0.28f, 5 * L.target);
    const float button_h = std::max(L.target, L.em * 2.6f);
    const float block = pic + L.pad * 2 + text_height(ui.fonts.title, hello, text_w) + L.pad +
                        text_height(ui.fonts.body, note, text_w) + L.pad * 3 + button_h;
    float y = std::max(L.pad * 2, (L.height - block) * 0.5f);

    draw_picture(dl, ui.textures.asset("ui/welcome"), ImVec2(cx - pic * 0.5f, y), ImVec2(cx + pic * 0.5f, y + pic));
    y += pic + L.pad * 2;
    y += centred_text(dl, ui.fonts.title, hello, cx, y, text_w, colour::ink) + L.pad;
    y += centred_text(dl, ui.fonts.body, note, cx, y, text_w, colour::muted) + L.pad * 3;

    const float button_w = std::min(L.width - 4 * L.pad, std::max(6 * L.target, 10 * L.em));
    if (tile(ui.widgets, "start", ImVec2(cx - button_w * 0.5f, y), ImVec2(cx + button_w * 0.5f, y + button_h), {},
             pack.word(band, "start", s->language), ui.fonts.large, TileStyle{.primary = true}))
        ui.flow.start();
    draw_stop_button(ui);
}

} // namespace sayso::ui
