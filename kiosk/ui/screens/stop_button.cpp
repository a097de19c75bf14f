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
        ui.flow.stop();
}

} // namespace sayso::ui
