#include "screens.hpp"

#include <algorithm>

namespace sayso::ui {

void draw_still_there(Ui& ui) {
    const auto* s = ui.flow.session();
    if (!s) return;
    const auto& pack = *s->pack;
    const auto& band = *s->band;
    const auto& L = ui.layout;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const float cx = L.width * 0.5f;
    const float text_w = std::min(L.width - 4 * L.pad, 28 * L.em);

    // Nothing of the child's answers is shown here: whoever picks the tablet
    // up after the child walked away sees only this question.
    const std::string& ask = pack.word(band, "still_there", s->language);
    const float pic = std::min(L.short_side() * 0.25f, 4 * L.target);
    const float button_h = std::max(L.target, L.em * 2.6f);
    const float block = pic + L.pad * 2 + text_height(pen, ui.fonts.title, ask, text_w) + L.pad * 3 + button_h;
    float y = std::max(L.pad * 2, (L.height - block) * 0.5f);
    draw_picture(pen, ui.textures.asset("ui/still_there"), ImVec2(cx - pic * 0.5f, y),
                 ImVec2(cx + pic * 0.5f, y + pic));
    y += pic + L.pad * 2;
    y += centred_text(pen, ui.fonts.title, ask, cx, y, text_w, pen.colours.ink) + L.pad * 3;
    const float button_w = std::min(L.width - 4 * L.pad, std::max(6 * L.target, 10 * L.em));
    if (tile(ui.widgets, "still-here", ImVec2(cx - button_w * 0.5f, y), ImVec2(cx + button_w * 0.5f, y + button_h), {},
             pack.word(band, "still_here", s->language), ui.fonts.large, TileStyle{.primary = true}))
        ui.then([](flow::Flow& f) { f.still_here(); });
}

} // namespace sayso::ui
