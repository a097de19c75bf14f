#include "layout.hpp"

#include <algorithm>

namespace sayso::ui {

Layout Layout::compute(float width, float height, float dpi) {
    Layout l;
    l.width = width;
    l.height = height;
    l.portrait = height > width;
    l.dpi_known = dpi > 0;
    const float short_side = std::min(width, height);
    // Unknown DPI: assume the short side is that of a 10" tablet, 135 mm.
    l.mm = l.dpi_known ? dpi / 25.4f : short_side / 135.0f;
    l.em = std::clamp(short_side / 26.0f, 3.2f * l.mm, 80.0f);
    l.target = std::max(15.0f * l.mm, short_side * 0.09f);
    l.pad = std::max(0.5f * l.em, 3.0f * l.mm);
    return l;
}

namespace {

struct Grid {
    int cols = 1, rows = 1;
    float size = 0;
};

// `n` tiles as large as they fit in w x h, up to `cap`, in at most `max_rows`
// rows: each cell `size + extra_w` wide and `size + extra_h` tall.
Grid best_grid(int n, float w, float h, float gap, float cap, float extra_w, float extra_h, int max_rows) {
    Grid best;
    for (int cols = n; cols >= 1; --cols) { // from one row down: the fewest rows wins a tie
        const int rows = (n + cols - 1) / cols;
        if (rows > max_rows) break;
        const float size =
            std::min({(w - static_cast<float>(cols - 1) * gap) / static_cast<float>(cols) - extra_w,
                      (h - static_cast<float>(rows - 1) * gap) / static_cast<float>(rows) - extra_h, cap});
        if (size > best.size) best = {cols, rows, size};
    }
    return best;
}

} // namespace

AnswerPlaces place_answers(const Layout& L, int n, Box area, bool scale, bool speaking, bool rtl) {
    AnswerPlaces out;
    if (n <= 0) return out;
    const float gap = L.pad;
    const float w = area.width(), h = area.height();
    const float label_room = L.em * 0.9f;
    const float cap = 4.5f * L.target;
    const int max_rows = scale ? 2 : n;
    const float speaker_r = speaking ? std::max(L.target * 0.34f, L.em * 0.85f) : 0;
    const float speaker_gap = L.pad * 0.6f + L.target * 0.08f; // clear of the tile's shadow
    const float speak_room = speaking ? speaker_gap + 2 * speaker_r : 0;
    // A speaker goes under its tile, or before it in the row (where reading
    // starts, as the question's does) when that leaves the tiles larger: in
    // landscape, height is what is short.
    // With speakers, cells lie further apart than a speaker from its tile, so each is plainly its tile's.
    const float cell_gap = speaking ? gap * 1.5f : gap;
    Grid g = best_grid(n, w, h, cell_gap, cap, 0, label_room + speak_room, max_rows);
    bool beside = false;
    if (speaking) {
        const Grid side = best_grid(n, w, h, cell_gap, cap, speak_room, label_room, max_rows);
        if (side.size > g.size) {
            g = side;
            beside = true;
        }
    }
    g.size = std::max(g.size, L.target);
    out.cols = g.cols;
    out.rows = g.rows;
    out.size = g.size;
    const float tile_w = g.size, tile_h = g.size + label_room;
    const float cell_w = tile_w + (beside ? speak_room : 0), cell_h = tile_h + (beside ? 0 : speak_room);
    const float grid_w = static_cast<float>(g.cols) * cell_w + static_cast<float>(g.cols - 1) * cell_gap;
    const float grid_h = static_cast<float>(g.rows) * cell_h + static_cast<float>(g.rows - 1) * cell_gap;
    const float x0 = area.x0 + (w - grid_w) * 0.5f;
    const float y0 = area.y0 + std::max(0.0f, (h - grid_h) * 0.5f);
    for (int i = 0; i < n; ++i) {
        const int row = i / g.cols;
        // Centre a short last row.
        const int in_row = std::min(g.cols, n - row * g.cols);
        const int col = rtl ? in_row - 1 - i % g.cols : i % g.cols;
        const float row_x =
            x0 + (grid_w - (static_cast<float>(in_row) * cell_w + static_cast<float>(in_row - 1) * cell_gap)) * 0.5f;
        const float cx0 = row_x + static_cast<float>(col) * (cell_w + cell_gap);
        const float cy0 = y0 + static_cast<float>(row) * (cell_h + cell_gap);
        // Beside: the speaker first in reading order, the tile after it.
        const float tx0 = beside && !rtl ? cx0 + speak_room : cx0;
        out.tiles.push_back({tx0, cy0, tx0 + tile_w, cy0 + tile_h});
        if (!speaking) continue;
        float sx = tx0 + tile_w * 0.5f, sy = cy0 + tile_h + speaker_gap + speaker_r;
        if (beside) {
            sx = rtl ? tx0 + tile_w + speaker_gap + speaker_r : cx0 + speaker_r;
            sy = cy0 + tile_h * 0.5f;
        }
        out.speakers.push_back({sx - speaker_r, sy - speaker_r, sx + speaker_r, sy + speaker_r});
    }
    return out;
}

} // namespace sayso::ui
