#include "screens.hpp"

#include <algorithm>
#include <cmath>

namespace sayso::ui {

// Brothers and sisters in one visit: the next child, handed the tablet from
// the thank-you screen, picks their own age band here (by its picture and
// ages). Nothing of the child before shows. A quiet "done" in the corner is the
// practitioner's, for when there is no next child after all.
void draw_next_child(Ui& ui) {
    const auto* pack = ui.flow.selected_pack();
    if (!pack) return;
    const auto& L = ui.layout;
    const Pen pen = ui.widgets.pen(ImGui::GetWindowDrawList());
    const float cx = L.width * 0.5f;
    const float text_w = std::min(L.width - 4 * L.pad, 30 * L.em);
    const std::string& lang = pack->first_language();
    const auto asked = pack->words.find("next_child");
    // A pack without the words: the kiosk's own, in English.
    const std::string title =
        asked == pack->words.end() ? std::string("Your turn! How old are you?") : pack->text(asked->second, lang);

    const float corner_h = std::max(L.target * 0.75f, L.em * 2.0f);
    const float top = corner_h + L.pad * 3;
    const float pic = std::round(std::min(L.short_side() * 0.16f, 2.6f * L.target));
    const int n = static_cast<int>(pack->bands.size());
    const float gap = L.pad;
    const int per_row =
        std::max(1, std::min(n, static_cast<int>((L.width - 4 * L.pad + gap) / (L.target * 2.4f + gap))));
    const int rows = (n + per_row - 1) / per_row;
    const float tile_w = std::min(L.target * 3.4f, (L.width - 4 * L.pad - static_cast<float>(per_row - 1) * gap) /
                                                       static_cast<float>(per_row));
    const float title_h = text_height(pen, ui.fonts.title, title, text_w);
    const float room = L.height - top - L.pad * 2 - pic - L.pad * 2 - title_h - L.pad * 2;
    const float tile_h =
        std::clamp((room - static_cast<float>(rows - 1) * gap) / static_cast<float>(rows), L.target, tile_w * 1.1f);
    const float block = pic + L.pad * 2 + title_h + L.pad * 2 + static_cast<float>(rows) * (tile_h + gap) - gap;
    float y = std::round(std::max(top, top + (L.height - top - L.pad * 2 - block) * 0.5f));

    draw_picture(pen, ui.textures.asset("ui/next_child"), ImVec2(cx - pic * 0.5f, y), ImVec2(cx + pic * 0.5f, y + pic));
    y += pic + L.pad * 2;
    y += centred_text(pen, ui.fonts.title, title, cx, y, text_w, pen.colours.ink) + L.pad * 2;
    for (int i = 0; i < n; ++i) {
        const int row = i / per_row, col = i % per_row;
        const int in_row = std::min(per_row, n - row * per_row);
        const float row_w = static_cast<float>(in_row) * tile_w + static_cast<float>(in_row - 1) * gap;
        const ImVec2 a(std::round(cx - row_w * 0.5f + static_cast<float>(col) * (tile_w + gap)),
                       std::round(y + static_cast<float>(row) * (tile_h + gap)));
        const auto& band = pack->bands[static_cast<std::size_t>(i)];
        if (tile(ui.widgets, "band:" + band.id, a, ImVec2(a.x + tile_w, a.y + tile_h), ui.textures.file(band.picture),
                 pack->text(band.label, lang), ui.fonts.large, TileStyle{}))
            ui.then([id = band.id](flow::Flow& f) { f.choose_band(id); });
    }
    if (const auto& problem = ui.flow.storage_problem(); problem)
        notice(pen, ui, L.height - L.pad * 2 - corner_h * 2, "Answers can't be saved right now: " + problem->detail);

    // The practitioner's way back, small and quiet in the corner.
    const float w = std::max(corner_h * 2.4f, L.em * 5.5f);
    if (tile(ui.widgets, "done", ImVec2(L.width - L.pad * 1.5f - w, L.pad * 1.5f),
             ImVec2(L.width - L.pad * 1.5f, L.pad * 1.5f + corner_h), {}, "Done", ui.fonts.small, TileStyle{}))
        ui.then([](flow::Flow& f) { f.finish(); });
}

} // namespace sayso::ui
